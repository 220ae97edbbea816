internal import CSodium

/// Keystore V3 files (geth, MyEtherWallet, eth-account, Foundry): scrypt or PBKDF2-HMAC-SHA256,
/// AES-128-CTR, and a Keccak-256 MAC checked in constant time before anything is decrypted.
public enum KeystoreV3 {
    /// KDF work we refuse before starting. Memory: more would swap a laptop to death. Work:
    /// geth's and eth-account's scrypt keystores have n·r·p = 2^18·8·1 = 2^21 (about a second)
    /// and eth-account's pbkdf2 ones c = 2^18; 2^24 leaves them a margin of 8 and 64 and stops
    /// a file from asking for hours (n = 16384, r = 8, p = 2^20 would take about seven).
    public static let maxScryptMemory = 2 << 30
    public static let maxScryptWork = 1 << 24
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
    public static func decrypt(_ file: [UInt8], password: SecretBytes, name: String) throws -> EthAccount {
        try decrypt(parse(file), password: password, name: name)
    }

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

    public static func parse(_ file: [UInt8]) throws -> Parsed {
        try file.withUnsafeBytes { raw in
            let doc: JSONDocument
            do { doc = try JSONDocument(parsing: raw) } catch { throw KeystoreError.format("not JSON") }
            guard case .object = doc.root else { throw KeystoreError.format("not a JSON object") }
            guard doc.int(member(doc.root, "version")) == 3 else { throw KeystoreError.format("version is not 3") }
            guard let crypto = member(doc.root, "crypto"), case .object = crypto else { throw KeystoreError.format("no crypto object") }
            guard let cipher = doc.string(member(crypto, "cipher")) else { throw KeystoreError.format("no cipher") }
            guard cipher.lowercased() == "aes-128-ctr" else { throw KeystoreError.unsupported("cipher \(cipher)") }
            func hex(_ value: JSONValue?, _ what: String) throws -> [UInt8] {
                guard var s = doc.string(value) else { throw KeystoreError.format("no \(what)") }
                if s.hasPrefix("0x") { s.removeFirst(2) }
                guard let bytes = Hex.decode(s) else { throw KeystoreError.format("\(what) is not hex") }
                return bytes
            }
            let iv = try hex(member(member(crypto, "cipherparams"), "iv"), "iv")
            guard iv.count == 16 else { throw KeystoreError.format("iv must be 16 bytes, got \(iv.count)") }
            let ciphertext = try hex(member(crypto, "ciphertext"), "ciphertext")
            let mac = try hex(member(crypto, "mac"), "mac")
            guard mac.count == 32 else { throw KeystoreError.format("mac must be 32 bytes") }
            guard let kdfName = doc.string(member(crypto, "kdf")) else { throw KeystoreError.format("no kdf") }
            guard let params = member(crypto, "kdfparams"), case .object = params else { throw KeystoreError.format("no kdfparams") }
            let salt = try hex(member(params, "salt"), "salt")
            guard let dklen = doc.int(member(params, "dklen")) else { throw KeystoreError.format("no dklen") }
            guard dklen == 32 else { throw KeystoreError.unsupported("dklen \(dklen) (only 32)") }
            let kdf: KDF
            switch kdfName.lowercased() {
            case "scrypt":
                let n = try integer(doc, params, "scrypt", "n"), r = try integer(doc, params, "scrypt", "r")
                let p = try integer(doc, params, "scrypt", "p")
                try checkScrypt(n: n, r: r, p: p)
                kdf = .scrypt(n: UInt64(n), r: UInt32(r), p: UInt32(p))
            case "pbkdf2":
                let c = try integer(doc, params, "pbkdf2", "c")
                guard let prf = doc.string(member(params, "prf")), prf.lowercased() == "hmac-sha256" else {
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
    private static func integer(_ doc: JSONDocument, _ params: JSONValue, _ kdf: String, _ name: String) throws -> Int {
        let value = member(params, name)
        if let n = doc.int(value) { return n }
        if doc.isIntegerLiteral(value) { throw KeystoreError.kdfLimits("\(kdf) \(name) is out of range; refused") }
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

    /// Real files differ in case (`Crypto` in geth's, `crypto` in the spec's): match names
    /// case-insensitively.
    private static func member(_ value: JSONValue?, _ key: String) -> JSONValue? {
        guard let value else { return nil }
        if let exact = value.member(key) { return exact }
        guard case .object(let members) = value else { return nil }
        let wanted = key.lowercased()
        return members.first { String(decoding: $0.key, as: UTF8.self).lowercased() == wanted }?.value
    }
}

public enum KeystoreError: NBKeyError, Equatable {
    case wrongPassword(String)
    case format(String)
    case unsupported(String)
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
