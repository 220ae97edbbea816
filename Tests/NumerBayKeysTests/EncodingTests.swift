import Testing
@testable import NumerBayKeys
import TestSupport

struct EncodingTests {
    // RFC 4648 §10 test vectors.
    static let rfc4648: [(String, String)] = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
                                              ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]

    @Test func base64MatchesRFC4648() {
        for (plain, encoded) in Self.rfc4648 {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test(arguments: ["Zg", "Zg=", "Zh==", "Zm9v\n", " Zm9v", "Zm9v!", "Zm-v", "Zm_v", "Z===", "Zm9vYg==Zg=="])
    func base64RejectsNonCanonical(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test func hexRoundTripAndStrictness() {
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xab, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("") == [])
    }

    @Test func jsonWriterMatchesJSONStringify() {
        // What JSON.stringify({"k": "a/b\"c\\\n\t\u{1}é"}) prints.
        #expect(JSONWriter.object([("k", "a/b\"c\\\n\t\u{1}é")]) == Array("{\"k\":\"a/b\\\"c\\\\\\n\\t\\u0001é\"}".utf8))
    }

    @Test(arguments: ["{\"a\":\"b\"}", " {\"a\" : [1, -2.5e3, true, false, null, {}]} ", "\"x\\u00e9\\ud83d\\ude00\""])
    func jsonReaderAcceptsValid(_ text: String) throws {
        _ = try Array(text.utf8).withUnsafeBytes { try JSONDocument(parsing: $0) }
    }

    @Test(arguments: ["", "{", "{\"a\":}", "{\"a\":1,}", "[1,]", "01", "{\"a\":1}x", "\"\\ud800\"", "\"\u{1}\"",
                      "{\"a\":1,\"a\":2}", "'a'", "NaN", String(repeating: "[", count: 100)])
    func jsonReaderRejectsInvalid(_ text: String) {
        #expect(throws: JSONError.self) { _ = try Array(text.utf8).withUnsafeBytes { try JSONDocument(parsing: $0) } }
    }

    @Test func jsonReaderRejectsInvalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xff, 0x22], [0x22, 0xc0, 0xaf, 0x22], [0x22, 0xed, 0xa0, 0x80, 0x22], [0x22, 0xe2, 0x82]] {
            #expect(throws: JSONError.notUTF8) { _ = try bytes.withUnsafeBytes { try JSONDocument(parsing: $0) } }
        }
    }

    @Test func secretBytesIsRedacted() {
        let s = SecretBytes(copying: [1, 2, 3])
        #expect("\(s)" == "SecretBytes(3 bytes, redacted)")
        #expect(s.constantTimeEquals(SecretBytes(copying: [1, 2, 3])))
        #expect(!s.constantTimeEquals(SecretBytes(copying: [1, 2, 4])))
    }
}
