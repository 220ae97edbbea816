
/// A NumerBay key file at rest under a passphrase: Argon2id (libsodium's crypto_pwhash) derives
/// a secretbox key; the plain key file's export form is sealed with crypto_secretbox_easy.
/// `{"format":"nbkey-protected-key/1","public_key":…,"kdf":"argon2id","opslimit":…,
/// "memlimit":…,"salt":…,"nonce":…,"ciphertext":…}` (docs/CLI.md).
public enum ProtectedKeyFile {
    /// The `format` member's value: what tells a protected key file from a plain one.
    public static let format = "nbkey-protected-key/1"
    /// Argon2id's passes when none is given: between libsodium's interactive (2, 64 MiB) and
    /// moderate (3, 256 MiB) limits.
    public static let defaultOpsLimit = 3
    /// 64 MiB: Argon2id's memory cost when none is given.
    public static let defaultMemLimit = 64 << 20
    package static let opsLimitRange = 1...16
    package static let memLimitRange = 8192...(1 << 30)

    /// True when `file` is a JSON object whose "format" is ours (it may still be malformed).
    public static func isProtected(_ file: SecretBytes) -> Bool {
        file.withUnsafeBytes { raw in
            JSONObject(parsing: raw)?.contains("format") ?? false
        }
    }

    /// The protected file's JSON text, with a fresh salt and nonce.
    /// - Throws: `ProtectedKeyError.kdfLimits` for costs outside 1-16 passes, 8 KiB-1 GiB.
    public static func protect(_ pair: KeyPair, passphrase: SecretBytes,
                               opsLimit: Int = defaultOpsLimit, memLimit: Int = defaultMemLimit) throws -> [UInt8] {
        try protect(pair, passphrase: passphrase, salt: Sodium.randomBytes(Argon2id.saltLength),
                    nonce: Sodium.randomBytes(Sizes.secretboxNonce), opsLimit: opsLimit, memLimit: memLimit)
    }

    package static func protect(_ pair: KeyPair, passphrase: SecretBytes, salt: [UInt8], nonce: [UInt8], opsLimit: Int, memLimit: Int) throws -> [UInt8] {
        let key = try deriveKey(passphrase, salt: salt, opsLimit: opsLimit, memLimit: memLimit)
        let box = SecretBox.seal(KeyFile.serialize(pair), nonce: nonce, key: key)
        var w = JSONWriter()
        w.add("format", format)
        w.add("public_key", pair.publicKey.base64)
        w.add("kdf", "argon2id")
        w.add("opslimit", opsLimit)
        w.add("memlimit", memLimit)
        w.add("salt", Base64.encode(salt))
        w.add("nonce", Base64.encode(nonce))
        w.add("ciphertext", Base64.encode(box))
        return w.bytes
    }

    /// The key pair inside, once the file's costs are checked and its box opens.
    /// - Throws: `ProtectedKeyError`, or `KeyError.mismatch` when the file's public key is not the
    ///   one inside.
    public static func unprotect(_ file: SecretBytes, passphrase: SecretBytes) throws -> KeyPair {
        let (publicKey, salt, nonce, box, ops, mem) = try file.withUnsafeBytes { raw in
            let notOurs = ProtectedKeyError.format("format is not \(format)")
            let object = try JSONObject(parsing: raw, invalid: { _ in ProtectedKeyError.format("not JSON") }, notAnObject: notOurs)
            guard object.string("format") == format else { throw notOurs }
            guard object.string("kdf") == "argon2id" else { throw ProtectedKeyError.format("kdf is not argon2id") }
            func b64(_ name: String, _ length: Int?) throws -> [UInt8] {
                guard let s = object.string(name), let v = Base64.decode(s), length == nil || v.count == length else {
                    throw ProtectedKeyError.format("\(name) is not valid base64\(length.map { " of \($0) bytes" } ?? "")")
                }
                return v
            }
            let noLimits = ProtectedKeyError.format("no opslimit or memlimit")
            let ops = try object.int("opslimit", orThrow: noLimits), mem = try object.int("memlimit", orThrow: noLimits)
            return (try PublicKey(bytes: b64("public_key", 32)), try b64("salt", Argon2id.saltLength),
                    try b64("nonce", Sizes.secretboxNonce), try b64("ciphertext", nil), ops, mem)
        }
        guard box.count >= Sizes.secretboxTag else { throw ProtectedKeyError.format("ciphertext is shorter than its tag") }
        let key = try deriveKey(passphrase, salt: salt, opsLimit: ops, memLimit: mem)
        guard let inner = SecretBox.open(box, nonce: nonce, key: key) else { throw ProtectedKeyError.wrongPassphrase }
        let pair: KeyPair
        do {
            pair = try KeyFile.parse(inner)
        } catch KeyError.mismatch {
            throw KeyError.mismatch
        } catch {
            throw ProtectedKeyError.format("the protected content is not a key file")
        }
        guard pair.publicKey == publicKey else { throw KeyError.mismatch }
        return pair
    }

    package static func deriveKey(_ passphrase: SecretBytes, salt: [UInt8], opsLimit: Int, memLimit: Int) throws -> SecretBytes {
        guard opsLimitRange.contains(opsLimit), memLimitRange.contains(memLimit) else {
            throw ProtectedKeyError.kdfLimits(opsLimit: opsLimit, memLimit: memLimit)
        }
        return try Argon2id.deriveKey(passphrase, salt: salt, opsLimit: opsLimit, memLimit: memLimit, length: Sizes.secretboxKey,
                                      orThrow: ProtectedKeyError.kdfLimits(opsLimit: opsLimit, memLimit: memLimit))
    }
}

/// A protected key file that cannot be opened or made: thrown by `ProtectedKeyFile`.
public enum ProtectedKeyError: NBKeyError, Equatable {
    /// The box did not open: a wrong passphrase, or a changed file.
    case wrongPassphrase
    /// The file is not a protected key file; the text says what is wrong.
    case format(String)
    /// Argon2id costs outside what nbkey accepts (or that libsodium could not meet).
    case kdfLimits(opsLimit: Int, memLimit: Int)

    public var message: String {
        switch self {
        case .wrongPassphrase: return "wrong passphrase for the protected key file (or the file was changed)"
        case .format(let why): return "protected key file is malformed: \(why)"
        case .kdfLimits(let o, let m): return "protected key file asks for argon2id opslimit \(o), memlimit \(m): outside 1-16 and 8 KiB-1 GiB; refused"
        }
    }
}
