internal import CSodium

/// A NumerBay sealed box, as the web app, the Python client and libsodium's `crypto_box_seal`
/// make it: `ephemeral public key (32) || Poly1305 tag (16) || XSalsa20 ciphertext`, sealed to
/// the recipient's X25519 public key with a key pair made for this box alone.
///
/// These seal and open bytes in memory, with libsodium's one-shot calls. For files of any size,
/// `NumerBayKeysFiles.SealedFile` streams the same format.
public enum SealedBox {
    /// Bytes a sealed box adds to its plaintext: the ephemeral public key and the tag (48).
    public static let overhead = Sizes.sealOverhead

    /// Seals `plaintext` to `recipient`.
    /// - Throws: `SealedBoxError.invalidPublicKey` for a low-order public key, whose shared
    ///   secret would be all zero.
    public static func seal(_ plaintext: [UInt8], to recipient: PublicKey) throws(SealedBoxError) -> [UInt8] {
        Sodium.initialize()
        var sealed = [UInt8](repeating: 0, count: plaintext.count + overhead)
        let rc = crypto_box_seal(&sealed, plaintext, UInt64(plaintext.count), recipient.bytes)
        guard rc == 0 else { throw .invalidPublicKey }
        return sealed
    }

    /// Opens `sealed` with `recipient`'s key pair. Nothing is returned unless the tag checks.
    /// - Throws: `SealedBoxError.tooShort` below 48 bytes; `SealedBoxError.authenticationFailed`
    ///   when the box was changed or sealed to another key.
    public static func open(_ sealed: [UInt8], with recipient: KeyPair) throws(SealedBoxError) -> [UInt8] {
        guard sealed.count >= overhead else { throw .tooShort(length: Int64(sealed.count)) }
        Sodium.initialize()
        var opened = [UInt8](repeating: 0, count: sealed.count - overhead)
        let rc = recipient.secretKey.withUnsafeBytes { sk in
            crypto_box_seal_open(&opened, sealed, UInt64(sealed.count), recipient.publicKey.bytes,
                                 sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard rc == 0 else { throw .authenticationFailed }
        return opened
    }
}
