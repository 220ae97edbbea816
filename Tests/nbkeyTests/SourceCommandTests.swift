import Foundation
import Testing

/// Wallet sources (mnemonic, keystore) and protected key files through the command line.
@Suite final class SourceCommandTests {
    let dir = makeTemporaryDirectory()
    deinit { try? FileManager.default.removeItem(at: dir) }

    /// BIP-39's all-"abandon" test mnemonic; its MetaMask accounts are widely published.
    let mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about\n"

    @Test func mnemonicSourceFollowsMetaMasksPath() throws {
        write(Array(mnemonic.utf8), "srp.txt", in: dir)
        #expect(try nbkey(["wallet", "address", "--mnemonic-file", "srp.txt"], in: dir).out == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94\n")
        #expect(try nbkey(["wallet", "address", "--mnemonic-file", "srp.txt", "--account-index", "1"], in: dir).out
                == "0x6Fac4D18c912343BF86fa7049364Dd4E424Ab9C0\n")
        #expect(try nbkey(["wallet", "address", "--mnemonic-file", "srp.txt", "--derivation-path", "m/44'/60'/0'/0/1"], in: dir).out
                == "0x6Fac4D18c912343BF86fa7049364Dd4E424Ab9C0\n")
    }

    @Test func keystoreSourceWithPasswordFileAndEnvironment() throws {
        let c = vectorCase("keystore_v3", "eth-account-pbkdf2-c1000")
        write(Array((c["keystore"] as! String).utf8), "ks.json", in: dir)
        write(Array(((c["password"] as! String) + "\n").utf8), "pw.txt", in: dir)
        let expected = (c["address"] as! String) + "\n"
        #expect(try nbkey(["wallet", "address", "--keystore", "ks.json", "--password-file", "pw.txt"], in: dir).out == expected)
        #expect(try nbkey(["wallet", "address", "--keystore", "ks.json"], in: dir, env: ["NBKEY_PASSWORD": c["password"] as! String]).out == expected)
        let before = listing(dir)
        expectFailure(try nbkey(["wallet", "address", "--keystore", "ks.json"], in: dir, env: ["NBKEY_PASSWORD": "wrong"]),
                      in: dir, before: before, contains: "wrong password for keystore ks.json")
    }

    @Test func protectedKeyFilesWorkWhereverAKeyFileIsRead() throws {
        write(Array("correct horse\n".utf8), "pp.txt", in: dir)
        let pub = try nbkey(["keygen", "-o", "k.json", "--protect", "--passphrase-file", "pp.txt"], in: dir).out
        #expect(mode("k.json", in: dir) == 0o600)
        #expect(String(decoding: read("k.json", in: dir)!, as: UTF8.self).hasPrefix("{\"format\":\"nbkey-protected-key/1\""))
        #expect(try nbkey(["key", "show", "k.json", "--passphrase-file", "pp.txt"], in: dir).out == pub)
        #expect(try nbkey(["key", "show", "k.json"], in: dir, env: ["NBKEY_PASSPHRASE": "correct horse"]).out == pub)
        write(Array("secret".utf8), "p", in: dir)
        try nbkey(["encrypt", "--to", String(pub.dropLast()), "p", "-o", "c"], in: dir)
        #expect(try nbkey(["decrypt", "--key", "k.json", "--passphrase-file", "pp.txt", "c", "-o", "-"], in: dir).out == "secret")
        try nbkey(["key", "unprotect", "k.json", "-o", "plain.json", "--passphrase-file", "pp.txt"], in: dir)
        #expect(try nbkey(["key", "show", "plain.json"], in: dir).out == pub)
        try nbkey(["key", "protect", "plain.json", "-o", "again.json", "--passphrase-file", "pp.txt"], in: dir)
        #expect(try nbkey(["key", "show", "again.json", "--passphrase-file", "pp.txt"], in: dir).out == pub)
        let before = listing(dir)
        for args in [["decrypt", "--key", "k.json", "c", "-o", "out"], ["key", "unprotect", "k.json", "-o", "out.json"],
                     ["key", "show", "k.json"]] {
            expectFailure(try nbkey(args, in: dir, env: ["NBKEY_PASSPHRASE": "wrong horse"]), in: dir, before: before,
                          contains: "wrong passphrase")
        }
        // No terminal, no file, no environment: a clear error rather than a hang.
        expectFailure(try nbkey(["key", "show", "k.json"], in: dir, withoutTerminal: true), in: dir, before: before, contains: "no terminal")
    }

    @Test func unwrapProtectWritesAProtectedKey() throws {
        let c = vectorCase("wrapped_v2", "random-1")
        write(Array((c["eth_private_key"] as! String).utf8), "w.key", in: dir)
        write(Array((c["stored"] as! String).utf8), "stored", in: dir)
        write(Array("pp".utf8), "pp.txt", in: dir)
        let r = try nbkey(["unwrap", "--private-key-file", "w.key", "stored", "-o", "k.json", "--protect", "--passphrase-file", "pp.txt"], in: dir)
        #expect(r.status == 0)
        #expect(try nbkey(["key", "show", "k.json", "--passphrase-file", "pp.txt"], in: dir).out == (c["numerbay_public_key"] as! String) + "\n")
    }

    @Test func badSources() throws {
        write(Array(mnemonic.utf8), "srp.txt", in: dir)
        write(Array(mnemonic.replacingOccurrences(of: "about", with: "abandon").utf8), "checksum.txt", in: dir)
        write(Array(mnemonic.replacingOccurrences(of: "about", with: "aboot").utf8), "word.txt", in: dir)
        write(Array(String(repeating: "11", count: 32).utf8), "k.hex", in: dir)
        write(Array("{\"version\":3,\"crypto\":{\"cipher\":\"aes-128-ctr\",\"cipherparams\":{\"iv\":\"00000000000000000000000000000000\"},\"ciphertext\":\"00\",\"kdf\":\"scrypt\",\"kdfparams\":{\"dklen\":32,\"n\":1073741824,\"r\":8,\"p\":1,\"salt\":\"00\"},\"mac\":\"0000000000000000000000000000000000000000000000000000000000000000\"}}".utf8), "huge.json", in: dir)
        let before = listing(dir)
        for (args, fragment) in [
            (["wallet", "address", "--mnemonic-file", "srp.txt", "--private-key-file", "k.hex"], "exactly one wallet source"),
            (["wallet", "address", "--mnemonic-file", "checksum.txt"], "checksum is wrong"),
            (["wallet", "address", "--mnemonic-file", "word.txt"], "word 12 is not in the BIP-39 English word list"),
            (["wallet", "address", "--mnemonic-file", "srp.txt", "--account-index", "1", "--derivation-path", "m/0"], "not both"),
            (["wallet", "address", "--mnemonic-file", "srp.txt", "--derivation-path", "m/x"], "derivation path"),
            (["wallet", "address", "--keystore", "huge.json", "--password-file", "k.hex"], "memory"),
            (["wallet", "address", "--private-key-file", "k.hex", "--account-index", "1"], "go with --mnemonic-file"),
        ] {
            let r = try nbkey(args, in: dir)
            expectFailure(r, in: dir, before: before, contains: fragment)
            #expect(!r.stderr.contains("abandon"), "mnemonic words reached stderr")
        }
    }
}
