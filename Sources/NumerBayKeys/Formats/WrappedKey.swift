import CSodium

/// Scheme v1 (legacy, profile field `encrypted_private_key`): the NumerBay private key written as
/// `Uint8Array.prototype.toString()` prints it (`7,181,0,…`), in an eth-sig-util envelope to the
/// wallet's encryption public key.
public enum WrappedKeyV1 {
    public static func wrap(_ key: KeyPair, for account: EthAccount) throws -> [UInt8] {
        try EthEnvelope.encrypt(decimalList(key.secretKey), to: account.encryptionKeyPair.publicKey, safe: false)
    }

    public static func unwrap(_ stored: [UInt8], with account: EthAccount) throws -> KeyPair {
        let plaintext: SecretBytes
        do {
            plaintext = try EthEnvelope.decrypt(stored, with: account.encryptionKeyPair, safe: false)
        } catch EnvelopeError.authenticationFailed {
            throw WrapError.wrongWallet
        }
        return try KeyPair(secretKey: parseDecimalList(plaintext))
    }

    static func decimalList(_ secret: SecretBytes) -> SecretBytes {
        var text = [UInt8]()
        defer { sodium_memzero(&text, text.count) }
        secret.withUnsafeBytes { raw in
            for (i, b) in raw.enumerated() {
                if i > 0 { text.append(UInt8(ascii: ",")) }
                text.append(contentsOf: String(b).utf8)
            }
        }
        return SecretBytes(copying: text)
    }

    /// Exactly 32 items, each `0` or a decimal without leading zeros, at most 255.
    static func parseDecimalList(_ text: SecretBytes) throws -> SecretBytes {
        let key = SecretBytes(count: 32)
        try text.withUnsafeBytes { raw in
            try key.withUnsafeMutableBytes { out in
                var index = 0, value = 0, digits = 0
                func finish() throws {
                    guard digits > 0, index < 32 else { throw WrapError.badV1Plaintext }
                    out[index] = UInt8(value)
                    index += 1
                    value = 0
                    digits = 0
                }
                for c in raw {
                    if c == UInt8(ascii: ",") { try finish(); continue }
                    guard (0x30...0x39).contains(c), !(digits == 1 && value == 0) else { throw WrapError.badV1Plaintext }
                    value = value * 10 + Int(c - 0x30)
                    digits += 1
                    guard value <= 255 else { throw WrapError.badV1Plaintext }
                }
                try finish()
                guard index == 32 else { throw WrapError.badV1Plaintext }
            }
        }
        return key
    }
}

/// Scheme v2 (profile field `encrypted_private_key_v2`): the storage key is keccak256 of the
/// wallet's personal_sign signature of a salt message; the key is kept in a secretbox.
public enum WrappedKeyV2 {
    public static let saltPrefix = "Sign this to retrieve your encryption key.\n\nSalt:"

    public static func wrap(_ key: KeyPair, for account: EthAccount) -> [UInt8] {
        wrap(key, for: account, salt: Sodium.randomBytes(32), nonce: Sodium.randomBytes(Sizes.secretboxNonce), zeroBasedV: false)
    }

    static func wrap(_ key: KeyPair, for account: EthAccount, salt: [UInt8], nonce: [UInt8], zeroBasedV: Bool) -> [UInt8] {
        let message = saltPrefix + Base64.encode(salt)
        let keys = storageKeys(for: message, account: account)
        let inner = innerJSON(key.secretKey)
        let box = SecretBox.seal(inner, nonce: nonce, key: zeroBasedV ? keys.zeroBasedV : keys.standard)
        return JSONWriter.object([("data", Base64.encode(nonce + box)), ("salt", message)])
    }

    /// keccak256 of the 65 signature bytes.
    static func storageKey(_ signature: PersonalSignature) -> SecretBytes {
        storageKey(signatureBytes: signature.bytes)
    }

    private static func storageKey(signatureBytes: [UInt8]) -> SecretBytes {
        var digest = Keccak256.hash(signatureBytes)
        defer { sodium_memzero(&digest, digest.count) }
        return SecretBytes(copying: digest)
    }

    /// The storage keys from the wallet's signature of `message`, with v as 27/28 and as 0/1.
    /// Here the signature is as secret as the key it unlocks: it is wiped once hashed.
    static func storageKeys(for message: String, account: EthAccount) -> (standard: SecretBytes, zeroBasedV: SecretBytes) {
        var signature = account.signPersonalMessage(Array(message.utf8)).bytes
        defer { sodium_memzero(&signature, signature.count) }
        let standard = storageKey(signatureBytes: signature)
        signature[64] -= 27
        return (standard, storageKey(signatureBytes: signature))
    }

    /// `{"data":"<base64 private key>"}`.
    static func innerJSON(_ secret: SecretBytes) -> SecretBytes {
        let b64 = Base64.encodeSecret(secret)
        let prefix = Array("{\"data\":\"".utf8), suffix = Array("\"}".utf8)
        let out = SecretBytes(count: prefix.count + b64.count + suffix.count)
        out.withUnsafeMutableBytes { o in
            o.copyBytes(from: prefix)
            b64.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: o[prefix.count...]).copyBytes(from: $0) }
            UnsafeMutableRawBufferPointer(rebasing: o[(prefix.count + b64.count)...]).copyBytes(from: suffix)
        }
        return out
    }

    public struct Unwrapped {
        public let key: KeyPair
        /// The box opened only with the 0/1 form of the signature (some hardware wallets).
        public let usedZeroBasedV: Bool
    }

    public static func unwrap(_ stored: [UInt8], with account: EthAccount) throws -> Unwrapped {
        let (message, nonce, box) = try stored.withUnsafeBytes { raw -> (String, [UInt8], [UInt8]) in
            let doc: JSONDocument
            do { doc = try JSONDocument(parsing: raw) } catch { throw WrapError.v2Format("not JSON") }
            guard case .object = doc.root else { throw WrapError.v2Format("not a JSON object") }
            guard let data = doc.string(doc.root.member("data")) else { throw WrapError.v2Format("no \"data\" string") }
            guard let salt = doc.string(doc.root.member("salt")) else { throw WrapError.v2Format("no \"salt\" string") }
            guard salt.hasPrefix(saltPrefix), let saltBytes = Base64.decode(String(salt.dropFirst(saltPrefix.count))),
                  saltBytes.count == 32 else {
                throw WrapError.v2Format("salt is not \"\(saltPrefix.replacingNewlines)\" + base64 of 32 bytes")
            }
            guard let raw = Base64.decode(data) else { throw WrapError.v2Format("data is not valid base64") }
            guard raw.count >= Sizes.secretboxNonce + Sizes.secretboxTag else {
                throw WrapError.v2Format("data is \(raw.count) bytes, shorter than nonce and tag")
            }
            return (salt, Array(raw[0..<Sizes.secretboxNonce]), Array(raw[Sizes.secretboxNonce...]))
        }
        let keys = storageKeys(for: message, account: account)
        var usedZeroBasedV = false
        var inner = SecretBox.open(box, nonce: nonce, key: keys.standard)
        if inner == nil {
            inner = SecretBox.open(box, nonce: nonce, key: keys.zeroBasedV)
            usedZeroBasedV = inner != nil
        }
        guard let inner else { throw WrapError.wrongWallet }
        let secret: SecretBytes = try inner.withUnsafeBytes { raw in
            let doc: JSONDocument
            do { doc = try JSONDocument(parsing: raw) } catch { throw WrapError.v2Format("inner plaintext is not JSON") }
            guard let b64 = doc.secretStringBytes(doc.root.member("data")) else {
                throw WrapError.v2Format("inner plaintext has no \"data\" string")
            }
            guard let key = b64.withUnsafeBytes({ Base64.decodeSecret(bytes: $0) }), key.count == Sizes.secretKey else {
                throw WrapError.v2Format("inner private key is not base64 of 32 bytes")
            }
            return key
        }
        return Unwrapped(key: try KeyPair(secretKey: secret), usedZeroBasedV: usedZeroBasedV)
    }
}

private extension String {
    var replacingNewlines: String { split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\\n") }
}

/// What `nbkey unwrap` is given: the stored string itself, or a profile JSON object holding it.
public struct WrappedKeyInput {
    public enum Scheme: String, Sendable { case v1, v2 }
    public let scheme: Scheme
    public let stored: [UInt8]
    /// The profile's public key for this scheme, when it was given.
    public let expectedPublicKey: PublicKey?

    /// Detects the scheme. A profile with both schemes' fields uses v2, the current one.
    public init(_ text: [UInt8]) throws {
        let trimmed = text.drop { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if trimmed.starts(with: Array("0x".utf8)) || trimmed.starts(with: Array("0X".utf8)) {
            (scheme, stored, expectedPublicKey) = (.v1, text, nil)
            return
        }
        let found = try text.withUnsafeBytes { raw -> (Scheme, [UInt8], PublicKey?) in
            let doc: JSONDocument
            do { doc = try JSONDocument(parsing: raw) } catch let e as JSONError { throw WrapError.inputFormat(e.message) }
            guard case .object = doc.root else { throw WrapError.inputFormat("not a JSON object") }
            func publicKey(_ field: String) throws -> PublicKey? {
                guard let v = doc.root.member(field) else { return nil }
                if case .null = v { return nil }
                guard let s = doc.string(v), let pk = try? PublicKey(base64: s) else {
                    throw WrapError.inputFormat("\(field) is not base64 of 32 bytes")
                }
                return pk
            }
            for (field, pkField, scheme) in [("encrypted_private_key_v2", "public_key_v2", Scheme.v2),
                                             ("encrypted_private_key", "public_key", Scheme.v1)] {
                guard let v = doc.root.member(field) else { continue }
                if case .null = v { continue }
                guard let s = doc.stringBytes(v) else { throw WrapError.inputFormat("\(field) is not a string") }
                return (scheme, s, try publicKey(pkField))
            }
            if doc.root.member("version") != nil { return (.v1, text, nil) }
            if doc.root.member("salt") != nil || doc.root.member("data") != nil { return (.v2, text, nil) }
            throw WrapError.inputFormat("no encrypted_private_key or encrypted_private_key_v2, and not a wrapped key")
        }
        (scheme, stored, expectedPublicKey) = found
    }
}

public enum WrapError: NBKeyError, Equatable {
    case wrongWallet
    case badV1Plaintext
    case v2Format(String)
    case inputFormat(String)
    case publicKeyMismatch(field: String)

    public var message: String {
        switch self {
        case .wrongWallet: return "this wallet did not wrap this key"
        case .badV1Plaintext: return "v1 wrapped key is not 32 comma-separated numbers 0-255"
        case .v2Format(let why): return "v2 wrapped key is malformed: \(why)"
        case .inputFormat(let why): return "wrapped key input is malformed: \(why)"
        case .publicKeyMismatch(let field): return "the profile's \(field) does not belong to the unwrapped private key"
        }
    }

    public var hint: String? {
        self == .wrongWallet ? "check that the wallet source is the account registered on NumerBay ('nbkey wallet address')" : nil
    }
}
