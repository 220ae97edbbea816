import Testing
@testable import NumerBayKeys
import TestSupport

/// vectors/key_file.json, made by PyNaCl.
struct KeyFileVectorTests {
    static let cases = Vectors.load("key_file", fields: ["json", "json_b64", "public_key", "private_key", "canonical"])

    @Test(arguments: cases)
    func vector(_ c: VectorCase) throws {
        let file: [UInt8] = c["json"].map { Array($0.utf8) } ?? b64(c["json_b64"])
        switch c.expect {
        case "ok":
            let pair = try KeyFile.parse(SecretBytes(copying: file))
            #expect(pair.publicKey.base64 == c["public_key"])
            #expect(pair.secretKey.exposedBytes() == b64(c["private_key"]))
            let exported = KeyFile.serialize(pair).exposedBytes()
            if c.bools["canonical"] == true { #expect(exported == file) }
            #expect(exported == Array("{\"public_key\":\"\(c["public_key"]!)\",\"private_key\":\"\(c["private_key"]!)\"}".utf8))
        case "key_mismatch":
            #expect(throws: KeyError.mismatch) { try KeyFile.parse(SecretBytes(copying: file)) }
        case "format":
            let error = #expect(throws: KeyError.self) { try KeyFile.parse(SecretBytes(copying: file)) }
            #expect(error != .mismatch)
        default:
            Issue.record("unknown expect \(c.expect)")
        }
    }
}
