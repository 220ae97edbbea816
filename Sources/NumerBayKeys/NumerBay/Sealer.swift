/// Seals a message a chunk at a time, byte-identical to `SealedBox.seal` (libsodium's
/// `crypto_box_seal`) for the same ephemeral key pair.
///
/// A sealed box is `header || ciphertext`, the header being the ephemeral public key (32) and
/// the Poly1305 tag (16). The tag is known only once every chunk is sealed, so the caller
/// reserves `SealedBox.overhead` bytes at the front of its output and writes the header there
/// after `finish()`, or holds the ciphertext back until then:
///
/// ```swift
/// let sealer = try Sealer(to: recipient)
/// var ciphertext: [UInt8] = []
/// for chunk in chunks { ciphertext += sealer.seal(chunk) }
/// let sealed = sealer.finish() + ciphertext
/// ```
///
/// Chunks may have any length, empty included: the ciphertext of each has the same length as
/// its plaintext, and the keystream follows the bytes, not the chunks.
public final class Sealer {
    private let ephemeralPublicKey: PublicKey
    private let stream: SecretboxStream
    private var offset: Int64 = 0
    private var finished = false

    /// A sealer to `recipient`, with an ephemeral key pair made for this box alone.
    /// - Throws: `SealedBoxError.invalidPublicKey` for a low-order public key, whose shared
    ///   secret would be all zero.
    public convenience init(to recipient: PublicKey) throws(SealedBoxError) {
        try self.init(to: recipient, ephemeral: KeyPair.generate())
    }

    /// With a given ephemeral key pair: only known-answer tests need this. Never reuse one: two
    /// boxes to the same recipient would share a keystream.
    package init(to recipient: PublicKey, ephemeral: KeyPair) throws(SealedBoxError) {
        let key = try X25519.sharedKey(ourSecret: ephemeral.secretKey, theirPublic: recipient)
        ephemeralPublicKey = ephemeral.publicKey
        stream = SecretboxStream(key: key, nonce: BoxSeal.nonce(ephemeral: ephemeral.publicKey, recipient: recipient))
    }

    /// The ciphertext of the next `chunk` of plaintext, as long as it. Chunks go in order.
    /// Calling this after `finish()` is a programming error.
    public func seal(_ chunk: [UInt8]) -> [UInt8] {
        precondition(!finished, "Sealer.seal after finish()")
        var ciphertext = chunk
        ciphertext.withUnsafeMutableBytes { c in
            stream.xor(c, at: offset)
            stream.authenticate(UnsafeRawBufferPointer(c))
        }
        offset += Int64(chunk.count)
        return ciphertext
    }

    /// The 48-byte header, ephemeral public key || tag, that goes before the first ciphertext
    /// chunk. Call once, after the last chunk.
    public func finish() -> [UInt8] {
        precondition(!finished, "Sealer.finish called twice")
        finished = true
        return ephemeralPublicKey.bytes + stream.tag()
    }
}
