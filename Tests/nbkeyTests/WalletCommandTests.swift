import Foundation
import TestSupport
import Testing

/// A vector file's case, read with Foundation (the CLI tests only need a few fields).
func vectorCase(_ file: String, _ id: String) -> [String: Any] {
    let data = try! Data(contentsOf: repositoryRoot.appendingPathComponent("vectors/\(file).json"))
    let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    return (root["cases"] as! [[String: Any]]).first { $0["id"] as? String == id }!
}

/// wallet, wrap and unwrap commands against the vectors made by eth-account and PyNaCl.
@Suite final class WalletCommandTests {
    let dir = makeTemporaryDirectory()
    deinit { try? FileManager.default.removeItem(at: dir) }

    /// The eth-account documentation key, in a private-key file the way users keep it.
    let docsKey = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"

    init() {
        write(Array(("0x" + docsKey + "\n").utf8), "wallet.key", in: dir)
        chmod(dir.appendingPathComponent("wallet.key").path, 0o600)
    }

    @Test func addressAndEncryptionKeyAreExact() throws {
        let r = try nbkey(["wallet", "address", "--private-key-file", "wallet.key"], in: dir)
        #expect(r.out == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23\n")
        #expect(r.stderr.isEmpty)
        let c = vectorCase("encryption_public_key", "random-1")
        write(Array((c["eth_private_key"] as! String).utf8), "k2", in: dir)
        let e = try nbkey(["wallet", "encryption-public-key", "--private-key-file", "k2"], in: dir)
        #expect(e.out == (c["encryption_public_key"] as! String) + "\n")
    }

    @Test(arguments: ["docs-i-love-sf", "empty", "unicode", "binary", "ten-kb", "v2-salt-message"])
    func signMessageMatchesEthAccount(id: String) throws {
        let c = vectorCase("personal_sign", id)
        write(Array((c["eth_private_key"] as! String).utf8), "k", in: dir)
        let message = Array(Data(hexString: c["message_hex"] as! String))
        write(message, "m", in: dir)
        #expect(try nbkey(["wallet", "sign-message", "--private-key-file", "k", "m"], in: dir).out == (c["signature"] as! String) + "\n")
        #expect(try nbkey(["wallet", "sign-message", "--private-key-file", "k"], in: dir, stdin: message).out == (c["signature"] as! String) + "\n")
    }

    @Test(arguments: [("ascii", false), ("unicode", false), ("safe-small", true)])
    func walletDecryptPrintsThePlaintextExactly(id: String, safe: Bool) throws {
        let c = vectorCase("eth_envelope", id)
        write(Array((c["recipient_eth_private_key"] as! String).utf8), "k", in: dir)
        write(Array((c["envelope"] as! String).utf8), "env", in: dir)
        let r = try nbkey(["wallet", "decrypt", "--private-key-file", "k"] + (safe ? ["--safe"] : []) + ["env"], in: dir)
        #expect(r.status == 0)
        #expect(r.stdout == Array((c["plaintext"] as! String).utf8))
    }

    @Test(arguments: [[], ["--safe"], ["--hex"], ["--safe", "--hex"]])
    func walletEncryptRoundTrips(flags: [String]) throws {
        let pub = try nbkey(["wallet", "encryption-public-key", "--private-key-file", "wallet.key"], in: dir).out.dropLast()
        let text = Array("grüße, numerai 🚀".utf8)
        let e = try nbkey(["wallet", "encrypt", "--to", String(pub)] + flags, in: dir, stdin: text)
        #expect(e.status == 0)
        let env = e.out
        #expect(flags.contains("--hex") ? env.hasPrefix("0x7b2276657273696f6e22") : env.hasPrefix("{\"version\":\"x25519-xsalsa20-poly1305\",\"nonce\":\""))
        write(Array(env.utf8), "env", in: dir)
        let d = try nbkey(["wallet", "decrypt", "--private-key-file", "wallet.key"] + flags.filter { $0 == "--safe" } + ["env"], in: dir)
        #expect(d.stdout == text)
    }

    @Test(arguments: ["v1", "v2"])
    func wrapThenUnwrapGivesTheSameKeyFile(scheme: String) throws {
        let publicKey = try nbkey(["keygen", "-o", "nb.json"], in: dir).out
        let w = try nbkey(["wrap", "--key", "nb.json", "--scheme", scheme, "--private-key-file", "wallet.key"], in: dir)
        #expect(w.status == 0)
        #expect(w.out.hasPrefix(scheme == "v1" ? "{\"version\":\"x25519-xsalsa20-poly1305\"" : "{\"data\":\""))
        write(Array(w.out.utf8), "stored", in: dir)
        let u = try nbkey(["unwrap", "--private-key-file", "wallet.key", "stored", "-o", "back.json"], in: dir)
        #expect(u.status == 0 && u.out == publicKey)
        #expect(u.stderr == "note: unwrapped with scheme \(scheme)\n")
        #expect(read("back.json", in: dir) == read("nb.json", in: dir))
        #expect(mode("back.json", in: dir) == 0o600)
    }

    @Test(arguments: [("wrapped_v1", "random-1", "encrypted_private_key", "public_key"),
                      ("wrapped_v2", "random-1", "encrypted_private_key_v2", "public_key_v2"),
                      ("wrapped_v2", "v01-v27", "encrypted_private_key_v2", "public_key_v2")])
    func unwrapVectorsFromProfileJSON(file: String, id: String, field: String, pkField: String) throws {
        let c = vectorCase(file, id)
        write(Array((c["eth_private_key"] as! String).utf8), "k", in: dir)
        let profile = try JSONSerialization.data(withJSONObject: [field: c["stored"]!, pkField: c["numerbay_public_key"]!])
        write(Array(profile), "profile.json", in: dir)
        let r = try nbkey(["unwrap", "--private-key-file", "k", "profile.json", "-o", "nb.json"], in: dir)
        #expect(r.status == 0)
        let expected = "{\"public_key\":\"\(c["numerbay_public_key"]!)\",\"private_key\":\"\(c["numerbay_private_key"]!)\"}"
        #expect(read("nb.json", in: dir) == Array(expected.utf8))
        #expect(r.stderr.contains("v = 0/1") == (c["v01"] as? Bool == true))
    }

    @Test func badWalletInputs() throws {
        try nbkey(["keygen", "-o", "nb.json"], in: dir)
        let v1 = try nbkey(["wrap", "--key", "nb.json", "--scheme", "v1", "--private-key-file", "wallet.key"], in: dir).out
        let v2 = try nbkey(["wrap", "--key", "nb.json", "--scheme", "v2", "--private-key-file", "wallet.key"], in: dir).out
        write(Array(v1.utf8), "v1", in: dir)
        write(Array(v2.utf8), "v2", in: dir)
        write(Array(v2.replacingOccurrences(of: "\"salt\"", with: "\"salz\"").utf8), "v2-nosalt", in: dir)
        write(Array(v1.replacingOccurrences(of: "x25519-xsalsa20-poly1305", with: "x25519-chacha").utf8), "v1-version", in: dir)
        let n = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
        for (name, text) in [("zero", String(repeating: "0", count: 64)), ("n", n), ("short", String(docsKey.dropLast())),
                             ("long", docsKey + "0"), ("nonhex", "g" + docsKey.dropFirst())] {
            write(Array(text.utf8), name, in: dir)
        }
        write(Array(("0x" + String(repeating: "11", count: 32)).utf8), "other.key", in: dir)
        let profile = try JSONSerialization.data(withJSONObject: ["encrypted_private_key_v2": v2, "public_key_v2": String(repeating: "A", count: 43) + "="])
        write(Array(profile), "mismatch.json", in: dir)
        let before = listing(dir)
        let cases: [([String], String)] = [
            (["wallet", "address", "--private-key-file", "zero"], "out of range"),
            (["wallet", "address", "--private-key-file", "n"], "out of range"),
            (["wallet", "address", "--private-key-file", "short"], "64 hex digits, got 63"),
            (["wallet", "address", "--private-key-file", "long"], "64 hex digits, got 65"),
            (["wallet", "address", "--private-key-file", "nonhex"], "not hexadecimal"),
            (["wallet", "address"], "no wallet source"),
            (["unwrap", "--private-key-file", "other.key", "v2", "-o", "out.json"], "this wallet did not wrap this key"),
            (["unwrap", "--private-key-file", "other.key", "v1", "-o", "out.json"], "this wallet did not wrap this key"),
            (["unwrap", "--private-key-file", "wallet.key", "v2-nosalt", "-o", "out.json"], "no \"salt\""),
            (["unwrap", "--private-key-file", "wallet.key", "v1-version", "-o", "out.json"], "not supported"),
            (["unwrap", "--private-key-file", "wallet.key", "mismatch.json", "-o", "out.json"], "public_key_v2 does not belong"),
            (["unwrap", "--private-key-file", "wallet.key", "v2", "-o", "nb.json"], "already exists"),
            (["wallet", "decrypt", "--private-key-file", "other.key", "v1"], "authentication failed"),
        ]
        for (args, fragment) in cases {
            let r = try nbkey(args, in: dir)
            expectFailure(r, in: dir, before: before, contains: fragment)
            #expect(!r.stderr.lowercased().contains(docsKey), "the wallet key reached stderr")
        }
    }
}

extension Data {
    init(hexString: String) {
        self.init()
        var chars = Array(hexString.utf8)[...]
        while chars.count >= 2 {
            append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!)
            chars = chars.dropFirst(2)
        }
    }
}
