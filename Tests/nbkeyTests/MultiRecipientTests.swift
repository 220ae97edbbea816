import Foundation
import Testing

/// `nbkey encrypt` to several recipients in one read: names, contents, and per-recipient failure.
@Suite final class MultiRecipientTests {
    let dir = makeTemporaryDirectory()
    deinit { try? FileManager.default.removeItem(at: dir) }

    func keygen(_ name: String) throws -> String {
        String(try nbkey(["keygen", "-o", name], in: dir).out.dropLast())
    }

    func hex12(_ publicKey: String) -> String {
        Data(base64Encoded: publicKey)!.prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    @Test(arguments: [0, 1, 1 << 20, (3 << 20) + 5])
    func everyRecipientGetsItsOwnSealedFile(size: Int) throws {
        let keys = try (1...5).map { try keygen("k\($0).json") }
        let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        write(plaintext, "data.csv", in: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: false)
        let r = try nbkey(["encrypt"] + keys.flatMap { ["--to", $0] } + ["data.csv", "-o", "out", "--quiet"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.out == keys.map { "out/data.csv.to-\(hex12($0)).sealed\n" }.joined())
        for (i, key) in keys.enumerated() {
            let name = "out/data.csv.to-\(hex12(key)).sealed"
            #expect(read(name, in: dir)?.count == size + 48)
            let d = try nbkey(["decrypt", "--key", "k\(i + 1).json", name, "-o", "-"], in: dir)
            #expect(d.stdout == plaintext)
            // Another recipient's key does not open it.
            let other = try nbkey(["decrypt", "--key", "k\((i + 1) % 5 + 1).json", name, "-o", "-"], in: dir)
            #expect(other.status == 1)
        }
    }

    @Test func salesJSONNamesFilesAfterOrders() throws {
        let a = try keygen("a.json"), b = try keygen("b.json")
        let sales = "{\"data\":[{\"id\":101,\"buyer_public_key\":\"\(a)\",\"product\":{\"name\":\"x\"}},{\"id\":\"102\",\"buyer_public_key\":\"\(b)\"}]}"
        write(Array(sales.utf8), "sales.json", in: dir)
        write(Array("hello".utf8), "p.bin", in: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("o"), withIntermediateDirectories: false)
        let r = try nbkey(["encrypt", "--recipients", "sales.json", "p.bin", "-o", "o"], in: dir)
        #expect(r.out == "o/p.bin.order-101.sealed\no/p.bin.order-102.sealed\n")
        #expect(try nbkey(["decrypt", "--key", "b.json", "o/p.bin.order-102.sealed", "-o", "-"], in: dir).out == "hello")
    }

    @Test func keyListWithComments() throws {
        let a = try keygen("a.json"), b = try keygen("b.json")
        write(Array("# buyers\n\(a)\n\n  \(b)  # second\n".utf8), "list.txt", in: dir)
        write(Array("x".utf8), "p", in: dir)
        let r = try nbkey(["encrypt", "--recipients", "list.txt", "p", "-o", "."], in: dir)
        #expect(r.out == "./p.to-\(hex12(a)).sealed\n./p.to-\(hex12(b)).sealed\n")
    }

    @Test func oneFailingRecipientLeavesNoFileAndTheOthersComplete() throws {
        let a = try keygen("a.json"), b = try keygen("b.json")
        let lowOrder = Data(count: 32).base64EncodedString()
        write(Array(repeating: 9, count: 100_000), "p", in: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("o"), withIntermediateDirectories: false)
        write([1], "o/p.to-\(hex12(b)).sealed", in: dir)  // exists: refused without --force
        let r = try nbkey(["encrypt", "--to", a, "--to", lowOrder, "--to", b, "p", "-o", "o"], in: dir)
        #expect(r.status == 1)
        #expect(r.out == "o/p.to-\(hex12(a)).sealed\n")
        let errors = r.stderr.split(separator: "\n")
        #expect(errors.count == 2 && errors.allSatisfy { $0.hasPrefix("error: ") })
        #expect(r.stderr.contains("o/p.to-000000000000.sealed: invalid public key"))
        #expect(r.stderr.contains("error: o/p.to-\(hex12(b)).sealed already exists\n"))  // named once
        #expect(listing(dir.appendingPathComponent("o")) == ["p.to-\(hex12(a)).sealed", "p.to-\(hex12(b)).sealed"])
        #expect(read("o/p.to-\(hex12(b)).sealed", in: dir) == [1])
        #expect(try nbkey(["decrypt", "--key", "a.json", "o/p.to-\(hex12(a)).sealed", "-o", "-"], in: dir).stdout.count == 100_000)
    }

    @Test func badRecipientLists() throws {
        write(Array("x".utf8), "p", in: dir)
        write(Array("not-a-key\n".utf8), "bad.txt", in: dir)
        write(Array("# nothing\n".utf8), "empty.txt", in: dir)
        write(Array("[{\"id\":\"../x\",\"buyer_public_key\":\"\(Data(count: 32).base64EncodedString())\"}]".utf8), "evil.json", in: dir)
        let before = listing(dir)
        expectFailure(try nbkey(["encrypt", "--recipients", "bad.txt", "p", "-o", "."], in: dir), in: dir, before: before, contains: "line 1")
        expectFailure(try nbkey(["encrypt", "--recipients", "empty.txt", "p", "-o", "."], in: dir), in: dir, before: before, contains: "no public key")
        expectFailure(try nbkey(["encrypt", "--recipients", "evil.json", "p", "-o", "."], in: dir), in: dir, before: before, contains: "cannot name a file")
        let k = Data(count: 32).base64EncodedString()
        expectFailure(try nbkey(["encrypt", "--to", k, "--to", k, "p", "-o", "."], in: dir), in: dir, before: before, contains: "both be written")
        expectFailure(try nbkey(["encrypt", "--to", k, "--to", k, "p", "-o", "nodir"], in: dir), in: dir, before: before, contains: "does not exist")
    }
}
