/// A NumerBay sealed box, as the web app, the Python client and libsodium's `crypto_box_seal`
/// make it: `ephemeral public key (32) || Poly1305 tag (16) || XSalsa20 ciphertext`, sealed to
/// the recipient's X25519 public key with a key pair made for this box alone.
///
/// These seal and open bytes in memory, with libsodium's one-shot calls. `Sealer` and `Opener`
/// make and open the same bytes a chunk at a time; `NumerBayKeysFiles.SealedFile` streams files
/// of any size.
public enum SealedBox {
    /// Bytes a sealed box adds to its plaintext: the ephemeral public key and the tag (48).
    public static let overhead = Sizes.sealOverhead

    /// Seals `plaintext` to `recipient`.
    /// - Throws: `SealedBoxError.invalidPublicKey` for a low-order public key, whose shared
    ///   secret would be all zero.
    public static func seal(_ plaintext: [UInt8], to recipient: PublicKey) throws(SealedBoxError) -> [UInt8] {
        try BoxSeal.seal(plaintext, to: recipient)
    }

    /// Opens `sealed` with `recipient`'s key pair. Nothing is returned unless the tag checks.
    /// - Throws: `SealedBoxError.tooShort` below 48 bytes; `SealedBoxError.authenticationFailed`
    ///   when the box was changed or sealed to another key.
    public static func open(_ sealed: [UInt8], with recipient: KeyPair) throws(SealedBoxError) -> [UInt8] {
        guard sealed.count >= overhead else { throw .tooShort(length: Int64(sealed.count)) }
        guard let opened = BoxSeal.open(sealed, with: recipient) else { throw .authenticationFailed }
        return opened
    }
}
