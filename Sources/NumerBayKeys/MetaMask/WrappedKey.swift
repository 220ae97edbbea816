
/// Scheme v1 (legacy, profile field `encrypted_private_key`): the NumerBay private key written as
/// `Uint8Array.prototype.toString()` prints it (`7,181,0,…`), in an eth-sig-util envelope to the
/// wallet's encryption public key.
public enum WrappedKeyV1 {
    /// eth_getEncryptionPublicKey, then the envelope. The wallet's answer cannot be verified, so the
    /// wallet must then eth_decrypt the new envelope and give back the key before it is returned.
    /// - Throws: `WrapError.v1CheckFailed` when the round trip fails; the wallet's own errors.
    public static func wrap(_ key: KeyPair, with wallet: some EthereumWallet) throws -> [UInt8] {
        let recipient = try wallet.encryptionPublicKey(purpose: .lockV1)
        let plaintext = decimalList(key.secretKey)
        let envelope = try EthEnvelope.encrypt(plaintext, to: recipient, padding: .none)
        let back: SecretBytes
        do {
            back = try wallet.decrypt(envelope: envelope, purpose: .confirmV1)
        } catch EnvelopeError.authenticationFailed {
            throw WrapError.v1CheckFailed
        }
        guard back.constantTimeEquals(plaintext) else { throw WrapError.v1CheckFailed }
        return envelope
    }

    /// eth_decrypt of the stored envelope (JSON or 0x-hex), then the decimal list.
    /// - Throws: `WrapError.wrongWallet` or `.badV1Plaintext`; `EnvelopeError` for a malformed
    ///   envelope; the wallet's own errors.
    public static func unwrap(_ stored: [UInt8], with wallet: some EthereumWallet) throws -> KeyPair {
        let plaintext: SecretBytes
        do {
            plaintext = try wallet.decrypt(envelope: EthEnvelope.jsonForm(stored), purpose: .unlockV1)
        } catch EnvelopeError.authenticationFailed {
            throw WrapError.wrongWallet
        }
        return try KeyPair(secretKey: parseDecimalList(plaintext))
    }

    package static func decimalList(_ secret: SecretBytes) -> SecretBytes {
        var text = [UInt8]()
        defer { Sodium.wipe(&text) }
        secret.withUnsafeBytes { raw in
            for (i, b) in raw.enumerated() {
                if i > 0 { text.append(UInt8(ascii: ",")) }
                text.append(contentsOf: String(b).utf8)
            }
        }
        return SecretBytes(copying: text)
    }

    /// Exactly 32 items, each `0` or a decimal without leading zeros, at most 255.
    package static func parseDecimalList(_ text: SecretBytes) throws -> SecretBytes {
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
    /// What the salt message starts with; base64 of 32 random bytes follows.
    public static let saltPrefix = "Sign this to retrieve your encryption key.\n\nSalt:"

    /// A fresh salt message, signed by the wallet (and checked), keys the secretbox.
    /// - Throws: `WalletError` when the signature is not the wallet's account's; the wallet's own
    ///   errors.
    public static func wrap(_ key: KeyPair, with wallet: some EthereumWallet) throws -> [UInt8] {
        let message = saltPrefix + Base64.encode(Sodium.randomBytes(32))
        let signature = try wallet.verifiedPersonalSign(Array(message.utf8), purpose: .lockV2)
        return seal(key, message: message, storageKey: storageKey(signature), nonce: Sodium.randomBytes(Sizes.secretboxNonce))
    }

    /// A fixed salt and nonce, for tests and fuzzing.
    package static func wrap(_ key: KeyPair, for account: EthAccount, salt: [UInt8], nonce: [UInt8], zeroBasedV: Bool) -> [UInt8] {
        let message = saltPrefix + Base64.encode(salt)
        let signature = account.signPersonalMessage(Array(message.utf8))
        return seal(key, message: message, storageKey: storageKey(zeroBasedV ? signature.withZeroBasedV : signature), nonce: nonce)
    }

    private static func seal(_ key: KeyPair, message: String, storageKey: SecretBytes, nonce: [UInt8]) -> [UInt8] {
        let box = SecretBox.seal(innerJSON(key.secretKey), nonce: nonce, key: storageKey)
        var w = JSONWriter()
        w.add("data", Base64.encode(nonce + box))
        w.add("salt", message)
        return w.bytes
    }

    /// keccak256 of the 65 signature bytes. Here the signature is as secret as the key it
    /// unlocks: the copy hashed is wiped.
    package static func storageKey(_ signature: PersonalSignature) -> SecretBytes {
        var bytes = signature.bytes
        var digest = Keccak256.hash(bytes)
        defer {
            Sodium.wipe(&bytes)
            Sodium.wipe(&digest)
        }
        return SecretBytes(copying: digest)
    }

    /// `{"data":"<base64 private key>"}`.
    package static func innerJSON(_ secret: SecretBytes) -> SecretBytes {
        var w = JSONWriter()
        w.add("data", secret: Base64.encodeSecret(secret))
        return w.secretBytes
    }

    /// What `unwrap` found.
    public struct Unwrapped {
        /// The NumerBay key pair.
        public let key: KeyPair
        /// The box opened with the 0/1 form of the signature (some hardware wallets).
        public let usedZeroBasedV: Bool
    }

    /// The salt message a stored string asks the wallet to sign.
    /// - Throws: `WrapError.v2Format`.
    public static func saltMessage(of stored: [UInt8]) throws -> String {
        try parse(stored).message
    }

    /// Signs the stored salt message with the wallet and opens the box with either form of `v`.
    /// - Throws: `WrapError.v2Format` or `.wrongWallet`; `WalletError` for a signature not by the
    ///   wallet's account; the wallet's own errors.
    public static func unwrap(_ stored: [UInt8], with wallet: some EthereumWallet) throws -> Unwrapped {
        let (message, nonce, box) = try parse(stored)
        let signature = try wallet.verifiedPersonalSign(Array(message.utf8), purpose: .unlockV2)
        // The web app keys the box with the signature as its wallet returned it: v = 27/28 from
        // MetaMask's own accounts, 0/1 from some hardware wallets. Either may have wrapped it.
        var opened: (inner: SecretBytes, v: UInt8)?
        for form in [signature, signature.withOtherV] where opened == nil {
            if let inner = SecretBox.open(box, nonce: nonce, key: storageKey(form)) { opened = (inner, form.bytes[64]) }
        }
        guard let (inner, v) = opened else { throw WrapError.wrongWallet }
        let secret: SecretBytes = try inner.withUnsafeBytes { raw in
            let noData = WrapError.v2Format("inner plaintext has no \"data\" string")
            let inner = try JSONObject(parsing: raw, invalid: { _ in WrapError.v2Format("inner plaintext is not JSON") }, notAnObject: noData)
            let b64 = try inner.secretString("data", orThrow: noData)
            guard let key = b64.withUnsafeBytes({ Base64.decodeSecret(bytes: $0) }), key.count == Sizes.secretKey else {
                throw WrapError.v2Format("inner private key is not base64 of 32 bytes")
            }
            return key
        }
        return Unwrapped(key: try KeyPair(secretKey: secret), usedZeroBasedV: v < 27)
    }

    private static func parse(_ stored: [UInt8]) throws -> (message: String, nonce: [UInt8], box: [UInt8]) {
        try stored.withUnsafeBytes { raw in
            let object = try JSONObject(parsing: raw, invalid: { _ in WrapError.v2Format("not JSON") },
                                        notAnObject: WrapError.v2Format("not a JSON object"))
            let data = try object.string("data", orThrow: WrapError.v2Format("no \"data\" string"))
            let salt = try object.string("salt", orThrow: WrapError.v2Format("no \"salt\" string"))
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
    }
}

private extension String {
    var replacingNewlines: String { split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\\n") }
}

/// What `nbkey unwrap` is given: the stored string itself, or a profile JSON object holding it.
public struct WrappedKeyInput {
    /// Which wrapping a stored string uses.
    public enum Scheme: String, Sendable {
        /// `WrappedKeyV1`: the profile's `encrypted_private_key`.
        case v1
        /// `WrappedKeyV2`: the profile's `encrypted_private_key_v2`.
        case v2
    }

    /// One wrapped form of the key.
    public struct Candidate {
        /// The scheme that opens `stored`.
        public let scheme: Scheme
        /// The stored string's bytes, as NumerBay keeps them.
        public let stored: [UInt8]
        /// The profile's public key for this scheme, when it was given.
        public let expectedPublicKey: PublicKey?
    }

    /// What to try, in order: a profile with both schemes' fields gives v2 (the current one),
    /// then v1.
    public let candidates: [Candidate]

    /// The first candidate's scheme.
    public var scheme: Scheme { candidates[0].scheme }
    /// The first candidate's stored string.
    public var stored: [UInt8] { candidates[0].stored }
    /// The first candidate's public key from the profile, if given.
    public var expectedPublicKey: PublicKey? { candidates[0].expectedPublicKey }

    /// Detects the scheme.
    /// - Throws: `WrapError.inputFormat`.
    public init(_ text: [UInt8]) throws {
        let trimmed = text.drop { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if trimmed.starts(with: Array("0x".utf8)) || trimmed.starts(with: Array("0X".utf8)) {
            candidates = [Candidate(scheme: .v1, stored: text, expectedPublicKey: nil)]
            return
        }
        candidates = try text.withUnsafeBytes { raw -> [Candidate] in
            let object = try JSONObject(parsing: raw, invalid: { WrapError.inputFormat($0.message) },
                                        notAnObject: WrapError.inputFormat("not a JSON object"))
            func publicKey(_ field: String) throws -> PublicKey? {
                let notAKey = WrapError.inputFormat("\(field) is not base64 of 32 bytes")
                guard let s = try object.optionalString(field, orThrow: notAKey) else { return nil }
                guard let pk = try? PublicKey(base64: s) else { throw notAKey }
                return pk
            }
            var found: [Candidate] = []
            for (field, pkField, scheme) in [("encrypted_private_key_v2", "public_key_v2", Scheme.v2),
                                             ("encrypted_private_key", "public_key", Scheme.v1)] {
                guard let s = try object.optionalStringBytes(field, orThrow: WrapError.inputFormat("\(field) is not a string")) else { continue }
                found.append(Candidate(scheme: scheme, stored: s, expectedPublicKey: try publicKey(pkField)))
            }
            if !found.isEmpty { return found }
            if object.contains("version") { return [Candidate(scheme: .v1, stored: text, expectedPublicKey: nil)] }
            if object.contains("salt") || object.contains("data") {
                return [Candidate(scheme: .v2, stored: text, expectedPublicKey: nil)]
            }
            throw WrapError.inputFormat("no encrypted_private_key or encrypted_private_key_v2, and not a wrapped key")
        }
    }

    /// The key, from the first candidate the wallet opens; a later candidate is tried only when
    /// the wallet did not wrap an earlier one.
    /// - Throws: `WrapError.wrongWallet` when no candidate opens, `.publicKeyMismatch` when the
    ///   profile's public key is not the unwrapped key's; otherwise what `WrappedKeyV1.unwrap` or
    ///   `WrappedKeyV2.unwrap` throws.
    public func unwrap(with wallet: some EthereumWallet) throws -> Unwrapped {
        for (i, candidate) in candidates.enumerated() {
            do {
                let opened: Unwrapped
                switch candidate.scheme {
                case .v1:
                    opened = Unwrapped(key: try WrappedKeyV1.unwrap(candidate.stored, with: wallet), scheme: .v1, usedZeroBasedV: false)
                case .v2:
                    let result = try WrappedKeyV2.unwrap(candidate.stored, with: wallet)
                    opened = Unwrapped(key: result.key, scheme: .v2, usedZeroBasedV: result.usedZeroBasedV)
                }
                if let expected = candidate.expectedPublicKey, expected != opened.key.publicKey {
                    throw WrapError.publicKeyMismatch(field: candidate.scheme == .v1 ? "public_key" : "public_key_v2")
                }
                return opened
            } catch WrapError.wrongWallet where i + 1 < candidates.count {
                continue
            }
        }
        throw WrapError.wrongWallet
    }

    /// What `unwrap` found, and how.
    public struct Unwrapped {
        /// The NumerBay key pair.
        public let key: KeyPair
        /// The scheme that opened.
        public let scheme: Scheme
        /// v2 opened with the 0/1 form of the signature (some hardware wallets).
        public let usedZeroBasedV: Bool
    }
}

/// A wrapped key that cannot be made or opened: thrown by `WrappedKeyV1`, `WrappedKeyV2` and
/// `WrappedKeyInput`.
public enum WrapError: NBKeyError, Equatable {
    /// The wallet's decryption or signature does not open the stored key.
    case wrongWallet
    /// A v1 plaintext that is not 32 comma-separated numbers 0-255.
    case badV1Plaintext
    /// A v2 stored string that is not `{"data":…,"salt":…}` as the web app writes it.
    case v2Format(String)
    /// The input is neither a stored string nor a profile holding one.
    case inputFormat(String)
    /// The profile's public key in this field is not the unwrapped key's.
    case publicKeyMismatch(field: String)
    /// The wallet could not open the v1 envelope just made to its encryption public key.
    case v1CheckFailed

    public var message: String {
        switch self {
        case .wrongWallet: return "this wallet did not wrap this key"
        case .badV1Plaintext: return "v1 wrapped key is not 32 comma-separated numbers 0-255"
        case .v2Format(let why): return "v2 wrapped key is malformed: \(why)"
        case .inputFormat(let why): return "wrapped key input is malformed: \(why)"
        case .publicKeyMismatch(let field): return "the profile's \(field) does not belong to the unwrapped private key"
        case .v1CheckFailed: return "the wallet could not open the v1 wrapped key it was just given: its encryption public key is wrong"
        }
    }
}
