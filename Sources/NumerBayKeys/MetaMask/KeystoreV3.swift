
/// Keystore V3 files (geth, MyEtherWallet, eth-account, Foundry): scrypt or PBKDF2-HMAC-SHA256,
/// AES-128-CTR, and a Keccak-256 MAC checked in constant time before anything is decrypted.
public enum KeystoreV3 {
    /// KDF work we refuse before starting. Memory: more would swap a laptop to death. Work:
    /// geth's and eth-account's scrypt keystores have n·r·p = 2^18·8·1 = 2^21 (about a second)
    /// and eth-account's pbkdf2 ones c = 2^18; 2^24 leaves them a margin of 8 and 64 and stops
    /// a file from asking for hours (n = 16384, r = 8, p = 2^20 would take about seven).
    public static let maxScryptMemory = 2 << 30
    /// The most scrypt work accepted, n·r·p (see `maxScryptMemory`).
    public static let maxScryptWork = 1 << 24
    /// The most PBKDF2 iterations accepted (see `maxScryptMemory`).
    public static let maxPBKDF2Iterations = 1 << 24

    package enum KDF: Sendable {
        case scrypt(n: UInt64, r: UInt32, p: UInt32)
        case pbkdf2(iterations: Int)
    }

    /// A keystore whose structure and KDF costs have been checked: parse it before asking for
    /// the password, so that a file nbkey refuses never costs the user a prompt.
    public struct Parsed: Sendable {
        package let kdf: KDF
        let salt: [UInt8]
        let iv: [UInt8]
        let ciphertext: [UInt8]
        let mac: [UInt8]

        package init(kdf: KDF, salt: [UInt8], iv: [UInt8], ciphertext: [UInt8], mac: [UInt8]) {
            self.kdf = kdf
            self.salt = salt
            self.iv = iv
            self.ciphertext = ciphertext
            self.mac = mac
        }
    }

    /// The account's private key. `name` only labels errors.
    /// - Throws: `KeystoreError`.
    public static func decrypt(_ file: [UInt8], password: SecretBytes, name: String) throws -> EthAccount {
        try decrypt(parse(file), password: password, name: name)
    }

    /// The account's private key from a keystore already parsed. `name` only labels errors.
    /// - Throws: `KeystoreError.wrongPassword` when the MAC does not match, or another
    ///   `KeystoreError`.
    public static func decrypt(_ parsed: Parsed, password: SecretBytes, name: String) throws -> EthAccount {
        let derived = try deriveKey(parsed, password: password)
        // mac = keccak256(derived key bytes 16..31 || ciphertext), built in wiped memory.
        let macInput = SecretBytes(count: 16 + parsed.ciphertext.count)
        macInput.withUnsafeMutableBytes { m in
            derived.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: m[0..<16]).copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[16..<32])) }
            UnsafeMutableRawBufferPointer(rebasing: m[16...]).copyBytes(from: parsed.ciphertext)
        }
        var mac = macInput.withUnsafeBytes { Keccak256.hash($0) }
        defer { Sodium.wipe(&mac) }
        guard Sodium.constantTimeEqual(mac, parsed.mac) else { throw KeystoreError.wrongPassword(name) }
        let key = Libcrypto.aes128CTR(key: derived.slice(0..<16), iv: parsed.iv, parsed.ciphertext)
        guard key.count == 32 else { throw KeystoreError.format("ciphertext must be 32 bytes") }
        return try EthAccount(privateKey: key)
    }

    package static func deriveKey(_ p: Parsed, password: SecretBytes) throws -> SecretBytes {
        switch p.kdf {
        case .pbkdf2(let c):
            return Libcrypto.pbkdf2(password: password, salt: SecretBytes(copying: p.salt), iterations: c, digest: .sha256, length: 32)
        case .scrypt(let n, let r, let pp):
            // libsodium's low-level scrypt computes parameters that break RFC 7914's n < 2^(16r),
            // which the published test vector (n = 2^18, r = 1) does; OpenSSL refuses them.
            return try Scrypt.deriveKey(password, salt: p.salt, n: n, r: r, p: pp, length: 32,
                                        orThrow: KeystoreError.kdfLimits("scrypt failed for n=\(n), r=\(r), p=\(pp) (out of memory?)"))
        }
    }

    /// Checks the keystore's structure and KDF costs, without the password.
    /// - Throws: `KeystoreError.format`, `.unsupported` or `.kdfLimits`.
    public static func parse(_ file: [UInt8]) throws -> Parsed {
        try file.withUnsafeBytes { raw in
            // Real files differ in case (`Crypto` in geth's, `crypto` in the spec's).
            let root = try JSONObject(parsing: raw, invalid: { _ in KeystoreError.format("not JSON") },
                                      notAnObject: KeystoreError.format("not a JSON object")).ignoringKeyCase
            guard root.int("version") == 3 else { throw KeystoreError.format("version is not 3") }
            let crypto = try root.object("crypto", orThrow: KeystoreError.format("no crypto object"))
            let cipher = try crypto.string("cipher", orThrow: KeystoreError.format("no cipher"))
            guard cipher.lowercased() == "aes-128-ctr" else { throw KeystoreError.unsupported("cipher \(cipher)") }
            func hex(_ object: JSONObject?, _ what: String) throws -> [UInt8] {
                guard var s = object?.string(what) else { throw KeystoreError.format("no \(what)") }
                if s.hasPrefix("0x") { s.removeFirst(2) }
                guard let bytes = Hex.decode(s) else { throw KeystoreError.format("\(what) is not hex") }
                return bytes
            }
            let iv = try hex(crypto.object("cipherparams"), "iv")
            guard iv.count == 16 else { throw KeystoreError.format("iv must be 16 bytes, got \(iv.count)") }
            let ciphertext = try hex(crypto, "ciphertext")
            let mac = try hex(crypto, "mac")
            guard mac.count == 32 else { throw KeystoreError.format("mac must be 32 bytes") }
            let kdfName = try crypto.string("kdf", orThrow: KeystoreError.format("no kdf"))
            let params = try crypto.object("kdfparams", orThrow: KeystoreError.format("no kdfparams"))
            let salt = try hex(params, "salt")
            let dklen = try params.int("dklen", orThrow: KeystoreError.format("no dklen"))
            guard dklen == 32 else { throw KeystoreError.unsupported("dklen \(dklen) (only 32)") }
            let kdf: KDF
            switch kdfName.lowercased() {
            case "scrypt":
                let n = try integer(params, "scrypt", "n"), r = try integer(params, "scrypt", "r")
                let p = try integer(params, "scrypt", "p")
                try checkScrypt(n: n, r: r, p: p)
                kdf = .scrypt(n: UInt64(n), r: UInt32(r), p: UInt32(p))
            case "pbkdf2":
                let c = try integer(params, "pbkdf2", "c")
                guard let prf = params.string("prf"), prf.lowercased() == "hmac-sha256" else {
                    throw KeystoreError.unsupported("pbkdf2 prf (only hmac-sha256)")
                }
                guard c >= 1, c <= maxPBKDF2Iterations else {
                    throw KeystoreError.kdfLimits("pbkdf2 c=\(c) is outside 1 to 2^24; refused")
                }
                kdf = .pbkdf2(iterations: c)
            default:
                throw KeystoreError.unsupported("kdf \(kdfName)")
            }
            return Parsed(kdf: kdf, salt: salt, iv: iv, ciphertext: ciphertext, mac: mac)
        }
    }

    /// A KDF parameter: a JSON integer. One too large for an Int is refused as a cost, not as
    /// a malformed file.
    private static func integer(_ params: JSONObject, _ kdf: String, _ name: String) throws -> Int {
        if let n = params.int(name) { return n }
        if params.isIntegerLiteral(name) { throw KeystoreError.kdfLimits("\(kdf) \(name) is out of range; refused") }
        throw KeystoreError.format("\(kdf) needs an integer \(name)")
    }

    /// Every bound computed without overflow: the products are checked step by step.
    static func checkScrypt(n: Int, r: Int, p: Int) throws {
        guard n > 1, n & (n - 1) == 0 else { throw KeystoreError.kdfLimits("scrypt n=\(n) is not a power of two above 1") }
        guard r >= 1 else { throw KeystoreError.kdfLimits("scrypt r=\(r) is below 1") }
        guard p >= 1 else { throw KeystoreError.kdfLimits("scrypt p=\(p) is below 1") }
        let parameters = "n=\(n), r=\(r), p=\(p)"
        // libsodium's scrypt holds 128·r·n bytes for V and 128·r·p for B.
        let memory = n.addingReportingOverflow(p).overflow ? nil : product(128, r, n + p)
        guard let memory, memory <= maxScryptMemory else {
            throw KeystoreError.kdfLimits("scrypt memory 128·r·(n+p) is above 2 GiB (\(parameters)); refused")
        }
        guard let work = product(n, r, p), work <= maxScryptWork else {
            throw KeystoreError.kdfLimits("scrypt work n·r·p is above 2^24, 8 times a geth keystore's (\(parameters)); refused")
        }
    }

    /// The product of positive factors, nil when it does not fit in an Int.
    private static func product(_ factors: Int...) -> Int? {
        var result = 1
        for factor in factors {
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }
}

/// A keystore that cannot be opened: thrown by `KeystoreV3`.
public enum KeystoreError: NBKeyError, Equatable {
    /// The MAC did not match: a wrong password for the keystore of this name.
    case wrongPassword(String)
    /// The file is not a V3 keystore; the text says what is wrong.
    case format(String)
    /// A cipher, KDF, PRF or key length nbkey does not implement.
    case unsupported(String)
    /// KDF costs refused before any work; the text gives them.
    case kdfLimits(String)

    public var message: String {
        switch self {
        case .wrongPassword(let name): return "wrong password for keystore \(name)"
        case .format(let why): return "keystore is malformed: \(why)"
        case .unsupported(let what): return "keystore uses an unsupported \(what)"
        case .kdfLimits(let why): return "keystore KDF parameters are unreasonable: \(why)"
        }
    }
}
