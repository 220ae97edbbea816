import Testing
@testable import NumerBayKeys
import TestSupport

func secret(_ s: String?) -> SecretBytes { SecretBytes(copying: Array(s!.utf8)) }

/// bip39 (published BIP-39 vectors, python-mnemonic), mnemonic_account (eth-account),
/// keystore_v3 (eth-account, Web3 Secret Storage) and protected_key_file (PyNaCl) vectors.
struct SourceVectorTests {
    @Test(arguments: Vectors.load("bip39", fields: ["mnemonic", "passphrase", "seed_hex", "entropy_hex", "bad_word"]))
    func bip39(_ c: VectorCase) throws {
        let run = { try BIP39.seed(mnemonic: secret(c["mnemonic"]), passphrase: secret(c["passphrase"])) }
        switch c.expect {
        case "ok":
            #expect(Hex.encode(try run().exposedBytes()) == c["seed_hex"])
        case "format":
            let error = #expect(throws: MnemonicError.self, performing: { _ = try run() })
            if c["bad_word"] != nil, case .unknownWord? = error {} else if c["bad_word"] != nil {
                Issue.record("\(c.id): expected an unknown-word error, got \(String(describing: error))")
            }
            if c.id.hasPrefix("checksum") { #expect(error == .checksum) }
        default:
            Issue.record("unknown expect \(c.expect)")
        }
    }

    @Test(arguments: Vectors.load("mnemonic_account", fields: ["mnemonic", "passphrase", "derivation_path", "eth_private_key", "address"]))
    func mnemonicAccount(_ c: VectorCase) throws {
        let seed = try BIP39.seed(mnemonic: secret(c["mnemonic"]), passphrase: secret(c["passphrase"]))
        let key = try BIP32.derive(seed: seed, path: BIP32.parsePath(c["derivation_path"]!))
        #expect(Hex.encode(key.exposedBytes()) == c["eth_private_key"])
        #expect(try EthAccount(privateKey: key).address.checksummed == c["address"])
    }

    @Test(arguments: Vectors.load("keystore_v3", fields: ["keystore", "password", "eth_private_key", "address"]))
    func keystore(_ c: VectorCase) throws {
        let run = { try KeystoreV3.decrypt(Array(c["keystore"]!.utf8), password: secret(c["password"]), name: "k.json") }
        switch c.expect {
        case "ok":
            let account = try run()
            #expect(Hex.encode(account.privateKey.exposedBytes()) == c["eth_private_key"])
            #expect(account.address.checksummed == c["address"])
        case "wrong_password":
            #expect(throws: KeystoreError.wrongPassword("k.json"), performing: { _ = try run() })
        case "unsupported", "format", "kdf_limits":
            let error = #expect(throws: KeystoreError.self, performing: { _ = try run() })
            switch (c.expect, error) {
            case ("unsupported", .unsupported?), ("format", .format?), ("kdf_limits", .kdfLimits?): break
            default: Issue.record("\(c.id): expected \(c.expect), got \(String(describing: error))")
            }
        default:
            Issue.record("unknown expect \(c.expect)")
        }
    }

    @Test(arguments: Vectors.load("protected_key_file", fields: ["file", "passphrase", "public_key", "private_key"]))
    func protectedKeyFile(_ c: VectorCase) throws {
        let file = secret(c["file"])
        #expect(ProtectedKeyFile.isProtected(file) || c.expect == "format")
        let run = { try ProtectedKeyFile.unprotect(file, passphrase: secret(c["passphrase"])) }
        switch c.expect {
        case "ok":
            let pair = try run()
            #expect(pair.publicKey.base64 == c["public_key"])
            #expect(pair.secretKey.exposedBytes() == b64(c["private_key"]))
        case "wrong_passphrase":
            #expect(throws: ProtectedKeyError.wrongPassphrase, performing: { _ = try run() })
        case "key_mismatch":
            #expect(throws: KeyError.mismatch, performing: { _ = try run() })
        case "format", "kdf_limits":
            let error = #expect(throws: ProtectedKeyError.self, performing: { _ = try run() })
            switch (c.expect, error) {
            case ("format", .format?), ("kdf_limits", .kdfLimits?): break
            default: Issue.record("\(c.id): expected \(c.expect), got \(String(describing: error))")
            }
        default:
            Issue.record("unknown expect \(c.expect)")
        }
    }

    @Test func protectRoundTripsAndIsByteExact() throws {
        let pair = KeyPair.generate()
        let salt = [UInt8](repeating: 7, count: 16), nonce = [UInt8](repeating: 9, count: 24)
        let file = try ProtectedKeyFile.protect(pair, passphrase: secret("pw"), salt: salt, nonce: nonce, opsLimit: 1, memLimit: 8192)
        let text = String(decoding: file, as: UTF8.self)
        #expect(text.hasPrefix("{\"format\":\"nbkey-protected-key/1\",\"public_key\":\"\(pair.publicKey.base64)\",\"kdf\":\"argon2id\",\"opslimit\":1,\"memlimit\":8192,\"salt\":\"BwcHBwcHBwcHBwcHBwcHBw==\",\"nonce\":\"CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJ\",\"ciphertext\":\""))
        #expect(try ProtectedKeyFile.unprotect(SecretBytes(copying: file), passphrase: secret("pw")).secretKey.constantTimeEquals(pair.secretKey))
    }

    @Test(arguments: ["m/44'/60'/0'/0/0", "m/0H/1h/2", "m"])
    func validPaths(_ path: String) throws { _ = try BIP32.parsePath(path) }

    @Test(arguments: ["", "44'/60'", "m/", "m//1", "m/01", "m/2147483648", "m/1''", "m/-1", "m/x", "M/1"])
    func invalidPaths(_ path: String) {
        #expect(throws: MnemonicError.path(path)) { try BIP32.parsePath(path) }
    }
}
