import Testing
@testable import NumerBayKeys

/// The object view's accessors throw the caller's error, and the one writer gives the same
/// bytes whether a member is plain or secret.
struct JSONObjectTests {
    struct Failure: Error, Equatable { let field: String }

    private func read<R>(_ text: String, _ body: (JSONObject) throws -> R) throws -> R {
        try Array(text.utf8).withUnsafeBytes { raw in
            try body(JSONObject(parsing: raw, invalid: { _ in Failure(field: "json") }, notAnObject: Failure(field: "object")))
        }
    }

    @Test func accessorsReadTheirKindAndThrowTheCallersError() throws {
        let text = #"{"s":"a\u00e9\n","n":42,"big":123456789012345678901234,"z":null,"o":{"K":"v"},"l":["x",1]}"#
        try read(text) { (o: JSONObject) throws in
            #expect(try o.string("s", orThrow: Failure(field: "s")) == "aé\n")
            #expect(try o.secretString("s", orThrow: Failure(field: "s")).exposedBytes() == Array("aé\n".utf8))
            #expect(try o.int("n", orThrow: Failure(field: "n")) == 42)
            #expect(o.int("big") == nil && o.isIntegerLiteral("big"))
            #expect(throws: Failure(field: "n")) { try o.string("n", orThrow: Failure(field: "n")) }
            #expect(throws: Failure(field: "missing")) { try o.int("missing", orThrow: Failure(field: "missing")) }
            #expect(try o.optionalString("z", orThrow: Failure(field: "z")) == nil)
            #expect(try o.optionalString("missing", orThrow: Failure(field: "missing")) == nil)
            #expect(throws: Failure(field: "n")) { try o.optionalString("n", orThrow: Failure(field: "n")) }
            #expect(o.object("o")?.string("K") == "v")
            #expect(o.object("o")?.string("k") == nil)
            #expect(o.object("o")?.ignoringKeyCase.string("k") == "v")
            #expect(o.ignoringKeyCase.object("o")?.string("k") == "v")
            #expect(o.strings("l") == ["x", nil])
            #expect(o.numberText("n") == "42")
        }
    }

    @Test func parsingMapsErrors() {
        #expect(throws: Failure(field: "json")) { try read("{", { _ in () }) }
        #expect(throws: Failure(field: "object")) { try read("[1]", { _ in () }) }
        #expect(Array("[]".utf8).withUnsafeBytes { JSONObject(parsing: $0) } == nil)
    }

    @Test func writerWritesSecretMembersAsPlainOnes() {
        var plain = JSONWriter()
        plain.add("k", "a/b\"\u{1}é")
        plain.add("n", -3)
        plain.add("l", ["x", "\n"])
        #expect(String(decoding: plain.bytes, as: UTF8.self) == #"{"k":"a/b\"\u0001é","n":-3,"l":["x","\n"]}"#)
        var secret = JSONWriter()
        secret.add("k", secret: SecretBytes(copying: Array("a/b\"\u{1}é".utf8)))
        secret.add("n", -3)
        secret.add("l", ["x", "\n"])
        #expect(secret.secretBytes.exposedBytes() == plain.bytes)
        #expect(JSONWriter().bytes == Array("{}".utf8))
    }

    @Test func keyFileIsTheExportFormByteForByte() throws {
        let pair = try KeyPair(secretKey: SecretBytes(copying: [UInt8](repeating: 7, count: 32)))
        let expected = "{\"public_key\":\"\(pair.publicKey.base64)\",\"private_key\":\"\(Base64.encode([UInt8](repeating: 7, count: 32)))\"}"
        #expect(KeyFile.serialize(pair).exposedBytes() == Array(expected.utf8))
    }
}
