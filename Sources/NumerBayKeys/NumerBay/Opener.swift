/// Opens a sealed box a chunk at a time, in two passes, and releases no plaintext before the
/// tag checks.
///
/// A sealed box has one Poly1305 tag, in its header, over all of the ciphertext: nothing can be
/// known to be authentic until the last byte has been read. So the caller reads the ciphertext
/// twice. Pass 1 (`authenticate`, then `finishAuthentication`) checks the tag and keeps a
/// fingerprint of every chunk; pass 2 (`decrypt`) gives each chunk's plaintext, but only after
/// the tag checked and only for a chunk whose bytes are the ones pass 1 saw. A file that is
/// changed between the passes (by another process, or a hostile file system) fails with
/// `SealedBoxError.inputChanged` instead of releasing bytes that were never authenticated.
///
/// The fingerprints are BLAKE2b-128 keyed with a random key made for this opener: whoever
/// controls the input cannot compute them, so cannot make a different chunk with the same
/// fingerprint. They cost 16 bytes per chunk; the chunks themselves are not kept.
///
/// Pass 2 must cut the ciphertext where pass 1 did: chunk `index` has the bytes and the length
/// of the `index`-th chunk given to `authenticate` (counting from 0). The chunks of pass 2 may
/// come in any order.
///
/// ```swift
/// let opener = try Opener(header: Array(sealed[..<SealedBox.overhead]), with: keyPair)
/// let sealedChunks = stride(from: SealedBox.overhead, to: sealed.count, by: 4096).map {
///     Array(sealed[$0..<min($0 + 4096, sealed.count)])
/// }
/// for chunk in sealedChunks { opener.authenticate(chunk) }
/// try opener.finishAuthentication()
/// var plaintext: [UInt8] = []
/// for (index, chunk) in sealedChunks.enumerated() { plaintext += try opener.decrypt(chunk, index: index) }
/// ```
public final class Opener {
    private enum State { case authenticating, authenticated, failed }

    private let stream: SecretboxStream
    private let expectedTag: [UInt8]
    private let fingerprintKey = SecretBytes.random(count: Blake2b.keyLength)
    private static let fingerprintLength = Blake2b.minimumOutputLength
    /// Per chunk of pass 1: where it starts in the ciphertext, its length, its fingerprint.
    private var chunks: [(offset: Int64, count: Int, fingerprint: [UInt8])] = []
    private var offset: Int64 = 0
    private var state = State.authenticating

    /// An opener for the sealed box whose first 48 bytes (`SealedBox.overhead`) are `header`:
    /// the ephemeral public key, then the tag. Passing more than those 48 bytes is a programming
    /// error.
    /// - Throws: `SealedBoxError.tooShort` when `header` has fewer than 48 bytes (the box is
    ///   shorter than any sealed box); `SealedBoxError.authenticationFailed` for an ephemeral key
    ///   of low order, which no sealer makes.
    public init(header: [UInt8], with recipient: KeyPair) throws(SealedBoxError) {
        guard header.count >= SealedBox.overhead else { throw .tooShort(length: Int64(header.count)) }
        precondition(header.count == SealedBox.overhead, "Opener's header is the first \(SealedBox.overhead) bytes alone")
        let ephemeral = try! PublicKey(bytes: Array(header[0..<Sizes.publicKey]))
        let key: SecretBytes
        // As crypto_box_seal_open: a box that names a low-order key fails to authenticate.
        do { key = try X25519.sharedKey(ourSecret: recipient.secretKey, theirPublic: ephemeral) } catch { throw .authenticationFailed }
        expectedTag = Array(header[Sizes.publicKey...])
        stream = SecretboxStream(key: key, nonce: BoxSeal.nonce(ephemeral: ephemeral, recipient: recipient.publicKey))
    }

    /// Pass 1: the next chunk of ciphertext, in order. Its fingerprint is kept for pass 2.
    /// Calling this after `finishAuthentication()` is a programming error.
    public func authenticate(_ chunk: [UInt8]) {
        precondition(state == .authenticating, "Opener.authenticate after finishAuthentication()")
        chunk.withUnsafeBytes { stream.authenticate($0) }
        chunks.append((offset, chunk.count, Blake2b.hash(chunk, key: fingerprintKey, outputLength: Self.fingerprintLength)))
        offset += Int64(chunk.count)
    }

    /// Ends pass 1: checks the tag over every chunk authenticated. Calling it again gives the
    /// same answer.
    /// - Throws: `SealedBoxError.authenticationFailed` when the ciphertext or the header was
    ///   changed, or the box was sealed to another key.
    public func finishAuthentication() throws(SealedBoxError) {
        if state == .authenticating { state = stream.verify(expectedTag) ? .authenticated : .failed }
        guard state == .authenticated else { throw .authenticationFailed }
    }

    /// Pass 2: the plaintext of chunk `index` (0 for the first chunk given to `authenticate`),
    /// whose bytes must be the ones authenticated.
    /// - Throws: `SealedBoxError.notAuthenticated` unless `finishAuthentication()` succeeded;
    ///   `SealedBoxError.inputChanged` when `chunk` differs from the `index`-th chunk of pass 1
    ///   in a byte or in length, or pass 1 had no such chunk.
    public func decrypt(_ chunk: [UInt8], index: Int) throws(SealedBoxError) -> [UInt8] {
        guard state == .authenticated else { throw .notAuthenticated }
        guard chunks.indices.contains(index), chunks[index].count == chunk.count,
              Sodium.constantTimeEqual(Blake2b.hash(chunk, key: fingerprintKey, outputLength: Self.fingerprintLength),
                                       chunks[index].fingerprint)
        else { throw .inputChanged(chunk: index) }
        var plaintext = chunk
        plaintext.withUnsafeMutableBytes { stream.xor($0, at: chunks[index].offset) }
        return plaintext
    }
}
