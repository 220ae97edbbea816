import Foundation
import Testing

/// keygen, key show, encrypt, decrypt: exact outputs, and every bad-input class of issue 2.
@Suite final class SealedFileCommandTests {
    let dir = makeTemporaryDirectory()
    let publicKey: String

    init() throws {
        let r = try nbkey(["keygen", "-o", "k.json"], in: dir)
        publicKey = String(r.out.dropLast())
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    @Test func keygenWritesExportFormAt0600AndPrintsThePublicKey() throws {
        let text = String(decoding: read("k.json", in: dir)!, as: UTF8.self)
        #expect(text.hasPrefix("{\"public_key\":\"\(publicKey)\",\"private_key\":\""))
        #expect(text.hasSuffix("=\"}"))
        #expect(text.count == 122)
        #expect(mode("k.json", in: dir) == 0o600)
        #expect(try nbkey(["key", "show", "k.json"], in: dir).out == publicKey + "\n")
    }

    @Test func keygenRefusesToOverwriteWithoutForce() throws {
        let before = read("k.json", in: dir)
        expectFailure(try nbkey(["keygen", "-o", "k.json"], in: dir), in: dir, before: listing(dir), contains: "already exists")
        #expect(read("k.json", in: dir) == before)
        let r = try nbkey(["keygen", "-o", "k.json", "--force"], in: dir)
        #expect(r.status == 0)
        #expect(read("k.json", in: dir) != before)
    }

    @Test(arguments: [0, 1, 31, 32, 33, 65535, 65536, 65537, (1 << 20) + 7])
    func roundTrip(size: Int) throws {
        let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        write(plaintext, "p", in: dir)
        let e = try nbkey(["encrypt", "--to", publicKey, "p", "-o", "c"], in: dir)
        #expect(e.status == 0 && e.stdout.isEmpty && e.stderr.isEmpty)
        #expect(read("c", in: dir)?.count == size + 48)
        let d = try nbkey(["decrypt", "--key", "k.json", "c", "-o", "p2"], in: dir)
        #expect(d.status == 0 && d.stdout.isEmpty && d.stderr.isEmpty)
        #expect(read("p2", in: dir) == plaintext)
    }

    @Test func standardStreamsAndEnvironmentKey() throws {
        let plaintext = Array("hello, buyer".utf8)
        let sealed = try nbkey(["encrypt", "--to", publicKey, "-", "-o", "-"], in: dir, stdin: plaintext)
        #expect(sealed.status == 0 && sealed.stdout.count == plaintext.count + 48)
        let opened = try nbkey(["decrypt", "-", "-o", "-"], in: dir, stdin: sealed.stdout,
                               env: ["NUMERBAY_KEY_PATH": dir.appendingPathComponent("k.json").path])
        #expect(opened.status == 0)
        #expect(opened.stdout == plaintext)
    }

    @Test func inPlaceReplacesOnlyAfterAuthentication() throws {
        write(Array(repeating: 0x41, count: 5000), "p", in: dir)
        try nbkey(["encrypt", "--to", publicKey, "p", "-o", "c"], in: dir)
        var sealed = read("c", in: dir)!
        sealed[4000] ^= 1
        write(sealed, "bad", in: dir)
        expectFailure(try nbkey(["decrypt", "--key", "k.json", "bad", "--in-place"], in: dir), in: dir, before: listing(dir),
                      contains: "authentication failed")
        #expect(read("bad", in: dir) == sealed)
        let ok = try nbkey(["decrypt", "--key", "k.json", "c", "--in-place"], in: dir)
        #expect(ok.status == 0)
        #expect(read("c", in: dir) == Array(repeating: 0x41, count: 5000))
    }

    @Test func badSealedFiles() throws {
        write(Array(repeating: 7, count: 1000), "p", in: dir)
        try nbkey(["encrypt", "--to", publicKey, "p", "-o", "c"], in: dir)
        let sealed = read("c", in: dir)!
        write(Array(sealed.prefix(47)), "short", in: dir)
        write([], "empty", in: dir)
        var flipped = sealed
        flipped[500] ^= 0x80
        write(flipped, "flipped", in: dir)
        try nbkey(["keygen", "-o", "other.json"], in: dir)
        let before = listing(dir)
        for (args, fragment) in [
            (["decrypt", "--key", "k.json", "short", "-o", "out"], "not a sealed file: 47 bytes"),
            (["decrypt", "--key", "k.json", "empty", "-o", "out"], "not a sealed file: 0 bytes"),
            (["decrypt", "--key", "k.json", "flipped", "-o", "out"], "authentication failed"),
            (["decrypt", "--key", "other.json", "c", "-o", "out"], "authentication failed"),
            (["decrypt", "--key", "k.json", "flipped", "-o", "-"], "authentication failed"),
            (["decrypt", "--key", "k.json", "missing", "-o", "out"], "cannot open missing"),
            (["decrypt", "--key", "k.json", "c", "-o", "nodir/out"], "does not exist"),
            (["decrypt", "--key", "k.json", "c", "-o", "c"], "is the input file"),
            (["decrypt", "--key", "k.json", "c", "-o", "p"], "already exists"),
            (["decrypt", "--key", "k.json", "c", "-o", "."], "is a directory"),
            (["decrypt", "c", "-o", "out"], "no key file"),
            (["encrypt", "--to", "not-base64", "p", "-o", "out"], "public key is not valid base64"),
            (["encrypt", "--to", String(publicKey.dropLast(4)) + "AA==", "p", "-o", "out"], "public key must be 32 bytes, got 31"),
            (["encrypt", "--to", publicKey, "p", "-o", "p"], "is the input file"),
            (["encrypt", "--to", publicKey], "missing expected argument"),
            (["frobnicate"], "unexpected argument"),
            (["keygen", "-o", "-"], "not to standard output"),
        ] {
            expectFailure(try nbkey(args, in: dir), in: dir, before: before, contains: fragment)
        }
        #expect(read("c", in: dir) == sealed)
    }

    @Test func malformedKeyFiles() throws {
        write(Array(repeating: 7, count: 100), "p", in: dir)
        try nbkey(["encrypt", "--to", publicKey, "p", "-o", "c"], in: dir)
        let good = String(decoding: read("k.json", in: dir)!, as: UTF8.self)
        let other = String(decoding: try {
            try nbkey(["keygen", "-o", "o.json"], in: dir)
            return read("o.json", in: dir)!
        }(), as: UTF8.self)
        let privateKey = String(good.split(separator: "\"")[7])
        let otherPublic = String(other.split(separator: "\"")[3])
        let cases: [([UInt8], String)] = [
            (Array("{\"public_key\":\"\(publicKey)\"}".utf8), "no \"private_key\" field"),
            (Array("{\"private_key\":\"\(privateKey)\"}".utf8), "no \"public_key\" field"),
            (Array("{\"public_key\":\"\(publicKey)\",\"private_key\":\"!!!\"}".utf8), "private_key is not valid base64"),
            (Array("{\"public_key\":\"\(publicKey)\",\"private_key\":\"\(Data(count: 31).base64EncodedString())\"}".utf8),
             "private_key must be 32 bytes, got 31"),
            (Array("{\"public_key\":\"\(publicKey)\",\"private_key\":\"\(Data(count: 33).base64EncodedString())\"}".utf8),
             "private_key must be 32 bytes, got 33"),
            (Array("{\"public_key\":\"\(otherPublic)\",\"private_key\":\"\(privateKey)\"}".utf8), "does not belong"),
            (Array("not json".utf8), "not valid JSON"),
            ([0x7b, 0xff, 0xfe, 0x7d], "not UTF-8"),
        ]
        for (i, (bytes, fragment)) in cases.enumerated() {
            write(bytes, "bad\(i).json", in: dir)
            let before = listing(dir)
            let r = try nbkey(["decrypt", "--key", "bad\(i).json", "c", "-o", "out"], in: dir)
            expectFailure(r, in: dir, before: before, contains: fragment)
            #expect(!r.stderr.contains(privateKey), "a secret reached stderr")
            expectFailure(try nbkey(["key", "show", "bad\(i).json"], in: dir), in: dir, before: before, contains: fragment)
        }
        // Any valid JSON with the fields is accepted.
        write(Array("{ \"private_key\" : \"\(privateKey)\",\n \"x\": [1], \"public_key\": \"\(publicKey)\" }\n".utf8), "loose.json", in: dir)
        #expect(try nbkey(["key", "show", "loose.json"], in: dir).out == publicKey + "\n")
    }

    @Test func progressBarOnlyOnATerminal() throws {
        write(Array(repeating: 0, count: 64 << 20), "big", in: dir)
        // `script` gives the command a terminal; its output is what the terminal showed.
        let shell = "\(nbkeyPath) encrypt --to \(publicKey) big -o big.c"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qec", shell, "/dev/null"]
        p.currentDirectoryURL = dir
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let shown = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(shown.contains("64.0 MiB [") && shown.contains("/s  eta "), "terminal showed: \(shown.prefix(200))")
        let quiet = try nbkey(["encrypt", "--to", publicKey, "big", "-o", "big2.c"], in: dir)
        #expect(quiet.stderr.isEmpty)
    }
}
