import Testing
@testable import NumerBayKeys
import TestSupport

/// eth_envelope, encrypt_safely_padding, wrapped_v1 and wrapped_v2 vectors (PyNaCl, eth-account).
struct WalletFormatVectorTests {
    static func expectEnvelopeError(_ c: VectorCase, _ body: () throws -> Void) {
        switch c.expect {
        case "unsupported_version": #expect(throws: EnvelopeError.unsupportedVersion, "\(c.id)", performing: body)
        case "authentication_failure": #expect(throws: EnvelopeError.authenticationFailed, "\(c.id)", performing: body)
        case "invalid_public_key": #expect(throws: SealedBoxError.invalidPublicKey, "\(c.id)", performing: body)
        case "format":
            do {
                try body()
                Issue.record("\(c.id): no error")
            } catch let e as EnvelopeError {
                #expect(e != .authenticationFailed && e != .unsupportedVersion, "\(c.id): \(e)")
            } catch {
                Issue.record("\(c.id): unexpected \(error)")
            }
        default: Issue.record("unknown expect \(c.expect)")
        }
    }

    @Test(arguments: Vectors.load("eth_envelope", fields: ["recipient_eth_private_key", "safe", "envelope", "plaintext",
                                                           "ephemeral_secret_key", "padding_length"]))
    func envelope(_ c: VectorCase) throws {
        let wallet = account(c["recipient_eth_private_key"]).encryptionKeyPair
        let safe = c.bools["safe"]!
        let envelope = Array(c["envelope"]!.utf8)
        guard c.expect == "ok" else {
            Self.expectEnvelopeError(c) { _ = try EthEnvelope.decrypt(envelope, with: wallet, padding: safe ? .encryptSafely : .none) }
            return
        }
        let plaintext = try EthEnvelope.decrypt(envelope, with: wallet, padding: safe ? .encryptSafely : .none)
        #expect(plaintext.exposedBytes() == Array(c["plaintext"]!.utf8))
        if let padding = c.ints["padding_length"] {
            #expect(EthEnvelope.paddingLength(for: plaintext) == padding)
        }
        if let eph = c["ephemeral_secret_key"], !c["envelope"]!.hasPrefix("0x") {
            // Reproduce the envelope byte for byte from its ephemeral key and nonce.
            let nonce = try #require(Base64.decode(String(c["envelope"]!.split(separator: "\"")[7])))
            let again = try EthEnvelope.encrypt(plaintext, to: wallet.publicKey, padding: safe ? .encryptSafely : .none,
                                                ephemeral: keyPair(secretBase64: eph), nonce: nonce)
            if c.id.contains("reorder") == false { #expect(String(decoding: again, as: UTF8.self) == c["envelope"], "\(c.id)") }
        }
    }

    @Test(arguments: Vectors.load("encrypt_safely_padding", fields: ["data", "unpadded_length", "padding_length", "eth_sig_util_throws"]))
    func safePadding(_ c: VectorCase) {
        #expect(EthEnvelope.paddingLength(for: SecretBytes(copying: Array(c["data"]!.utf8))) == c.ints["padding_length"])
    }

    @Test(arguments: Vectors.load("wrapped_v1", fields: ["eth_private_key", "stored", "numerbay_private_key", "numerbay_public_key",
                                                         "ephemeral_secret_key"]))
    func wrappedV1(_ c: VectorCase) throws {
        let wallet = account(c["eth_private_key"])
        let stored = Array(c["stored"]!.utf8)
        switch c.expect {
        case "ok":
            let key = try WrappedKeyV1.unwrap(stored, with: wallet)
            #expect(key.secretKey.exposedBytes() == b64(c["numerbay_private_key"]))
            #expect(key.publicKey.base64 == c["numerbay_public_key"])
            #expect(WrappedKeyV1.decimalList(key.secretKey).exposedBytes()
                    == Array(b64(c["numerbay_private_key"]).map(String.init).joined(separator: ",").utf8))
        case "authentication_failure":
            #expect(throws: WrapError.wrongWallet) { try WrappedKeyV1.unwrap(stored, with: wallet) }
        case "format":
            #expect(throws: WrapError.badV1Plaintext) { try WrappedKeyV1.unwrap(stored, with: wallet) }
        default:
            Issue.record("unknown expect \(c.expect)")
        }
    }

    @Test(arguments: Vectors.load("wrapped_v2", fields: ["eth_private_key", "salt_message", "signature", "storage_key_hex", "stored",
                                                         "numerbay_private_key", "numerbay_public_key", "v01"]))
    func wrappedV2(_ c: VectorCase) throws {
        let wallet = account(c["eth_private_key"])
        let stored = Array(c["stored"]!.utf8)
        if let message = c["salt_message"] {
            let signature = wallet.signPersonalMessage(Array(message.utf8))
            #expect(signature.hex == c["signature"])
            let used = c.bools["v01"] == true ? signature.withZeroBasedV : signature
            #expect(Hex.encode(WrappedKeyV2.storageKey(used).exposedBytes()) == c["storage_key_hex"])
        }
        switch c.expect {
        case "ok":
            let result = try WrappedKeyV2.unwrap(stored, with: wallet)
            #expect(result.key.secretKey.exposedBytes() == b64(c["numerbay_private_key"]))
            #expect(result.key.publicKey.base64 == c["numerbay_public_key"])
            #expect(result.usedZeroBasedV == c.bools["v01"])
        case "authentication_failure":
            #expect(throws: WrapError.wrongWallet) { try WrappedKeyV2.unwrap(stored, with: wallet) }
        case "format":
            let error = #expect(throws: WrapError.self) { try WrappedKeyV2.unwrap(stored, with: wallet) }
            if case .v2Format = error {} else { Issue.record("\(c.id): expected a format error, got \(String(describing: error))") }
        default:
            Issue.record("unknown expect \(c.expect)")
        }
    }
}
