internal import CSodium

/// Somebody's X25519 public key (a NumerBay public key or a MetaMask encryption public key).
public struct PublicKey: Equatable, Sendable {
    /// The 32 bytes.
    public let bytes: [UInt8]

    /// A key of 32 bytes. Any 32 bytes are taken; a low-order point fails later, when a box is
    /// sealed to it or opened with it.
    /// - Throws: `KeyError.badLength` unless there are 32 bytes.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == Sizes.publicKey else {
            throw KeyError.badLength(what: "public key", expected: Sizes.publicKey, got: bytes.count)
        }
        self.bytes = bytes
    }

    /// A key in standard base64 (how NumerBay and MetaMask show it).
    /// - Throws: `KeyError.hexNotBase64` for 64 hex digits, `KeyError.badEncoding` for text
    ///   that is not canonical base64, `KeyError.badLength` unless it decodes to 32 bytes.
    public init(base64: String) throws {
        // 64 hex digits are also valid base64 (of 48 bytes): say what they really are.
        let digits = base64.hasPrefix("0x") ? base64.dropFirst(2) : Substring(base64)
        if digits.count == 64, Hex.decode(String(digits)) != nil { throw KeyError.hexNotBase64(what: "public key") }
        guard let raw = Base64.decode(base64) else { throw KeyError.badEncoding(what: "public key") }
        try self.init(bytes: raw)
    }

    /// Standard base64 with padding (44 characters).
    public var base64: String { Base64.encode(bytes) }
}

/// An X25519 key pair as `nacl.box.keyPair()` makes it: the secret is stored unclamped.
public final class KeyPair: Sendable {
    /// The public half, derived from `secretKey`.
    public let publicKey: PublicKey
    /// The 32-byte X25519 secret, as stored (unclamped).
    public let secretKey: SecretBytes

    /// Derives the public key from `secretKey` (any 32 bytes; X25519 clamps internally).
    /// - Throws: `KeyError.badLength` unless `secretKey` has 32 bytes.
    public init(secretKey: SecretBytes) throws {
        guard secretKey.count == Sizes.secretKey else {
            throw KeyError.badLength(what: "private key", expected: Sizes.secretKey, got: secretKey.count)
        }
        self.secretKey = secretKey
        var pk = [UInt8](repeating: 0, count: Sizes.publicKey)
        secretKey.withUnsafeBytes { sk in
            // crypto_scalarmult_base only fails for a secret that clamps to zero, which X25519
            // clamping makes impossible.
            Sodium.mustSucceed(crypto_scalarmult_base(&pk, sk.baseAddress!.assumingMemoryBound(to: UInt8.self)),
                               "crypto_scalarmult_base")
        }
        publicKey = try PublicKey(bytes: pk)
    }

    /// A new key pair, its secret from libsodium's CSPRNG.
    public static func generate() -> KeyPair {
        Sodium.initialize()
        // The secret goes straight into wiped memory.
        return try! KeyPair(secretKey: SecretBytes.random(count: Sizes.secretKey))
    }
}

package enum X25519 {
    /// crypto_box_beforenm: HSalsa20 of the X25519 shared secret. Fails for low-order points,
    /// whose shared secret would be all zero.
    package static func sharedKey(ourSecret: SecretBytes, theirPublic: PublicKey) throws(SealedBoxError) -> SecretBytes {
        let k = SecretBytes(count: Sizes.sharedKey)
        let rc: Int32 = k.withUnsafeMutableBytes { kp in
            ourSecret.withUnsafeBytes { sk in
                crypto_box_beforenm(kp.baseAddress!.assumingMemoryBound(to: UInt8.self), theirPublic.bytes,
                                    sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        try Sodium.check(rc, orThrow: SealedBoxError.invalidPublicKey)
        return k
    }
}
