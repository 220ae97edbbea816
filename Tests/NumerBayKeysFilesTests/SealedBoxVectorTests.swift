import Testing
@testable import NumerBayKeys
@testable import NumerBayKeysFiles
import TestSupport

/// vectors/sealed_box.json, made by PyNaCl (libsodium's crypto_box_seal).
struct SealedBoxVectorTests {
    static let cases = Vectors.load("sealed_box", fields: [
        "recipient_public_key", "recipient_secret_key", "ephemeral_secret_key", "plaintext_b64",
        "plaintext_pattern_length", "plaintext_sha256", "sealed_b64", "sealed_sha256",
    ])

    static func plaintext(_ c: VectorCase) -> [UInt8] {
        if let n = c.ints["plaintext_pattern_length"] { return patternBytes(n) }
        return b64(c["plaintext_b64"])
    }

    @Test(arguments: cases)
    func vector(_ c: VectorCase) throws {
        let recipient = keyPair(secretBase64: c["recipient_secret_key"])
        #expect(recipient.publicKey.base64 == c["recipient_public_key"])
        var sealed: [UInt8]
        if let inline = c["sealed_b64"] {
            sealed = b64(inline)
        } else {
            // Stored by hash: rebuild it from the ephemeral key, then check the hash.
            sealed = try sealThroughFiles(Self.plaintext(c), to: recipient.publicKey,
                                          ephemeral: keyPair(secretBase64: c["ephemeral_secret_key"]))
            #expect(sha256Hex(sealed) == c["sealed_sha256"])
        }
        switch c.expect {
        case "ok":
            let opened = try openThroughFiles(sealed, with: recipient)
            #expect(sha256Hex(opened) == c["plaintext_sha256"])
            #expect(opened == Self.plaintext(c))
            if let eph = c["ephemeral_secret_key"] {
                let again = try sealThroughFiles(opened, to: recipient.publicKey, ephemeral: keyPair(secretBase64: eph))
                #expect(again == sealed, "sealing with the vector's ephemeral key reproduces it byte for byte")
            }
        case "format":
            #expect(throws: SealedBoxError.tooShort(length: Int64(sealed.count))) { try openThroughFiles(sealed, with: recipient) }
        case "authentication_failure":
            #expect(throws: SealedBoxError.authenticationFailed) { try openThroughFiles(sealed, with: recipient) }
        case "invalid_public_key":
            #expect(throws: SealedBoxError.invalidPublicKey) { try openThroughFiles(sealed, with: recipient) }
        default:
            Issue.record("unknown expect \(c.expect)")
        }
    }
}
