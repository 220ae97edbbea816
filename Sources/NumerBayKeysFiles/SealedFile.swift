import CSodium
import NumerBayKeys
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Sealed files (libsodium `crypto_box_seal`) of any size, in one pass with a fixed buffer:
/// `ephemeral_public_key (32) || tag (16) || XSalsa20 ciphertext`. The output is byte-identical
/// to the one-shot `crypto_box_seal` / `crypto_box_seal_open`.
public enum SealedFile {
    public static let overhead = 48
    static let chunkSize = ChunkPipeline.chunkSize

    /// nonce = BLAKE2b-192(ephemeral public key || recipient public key), as libsodium does.
    static func nonce(ephemeral: PublicKey, recipient: PublicKey) -> [UInt8] {
        Blake2b.hash(ephemeral.bytes + recipient.bytes, outputLength: Sizes.boxNonce)
    }

    /// The size of `plaintextSize` bytes sealed, when a file can be that large.
    public static func sealedSize(ofPlaintext plaintextSize: Int64) throws -> Int64 {
        let (sum, overflow) = plaintextSize.addingReportingOverflow(Int64(overhead))
        guard !overflow else { throw SealedBoxError.tooLarge(length: plaintextSize) }
        return sum
    }

    /// Seals `input` to `recipient` into `output` (not committed: the caller commits).
    public static func seal(_ input: InputFile, to recipient: PublicKey, into output: AtomicOutput,
                            progress: ((Int64) -> Void)? = nil) throws {
        try seal(input, to: recipient, into: output, ephemeral: KeyPair.generate(), progress: progress)
    }

    /// With a given ephemeral key pair: only tests need this, to reproduce known answers.
    package static func seal(_ input: InputFile, to recipient: PublicKey, into output: AtomicOutput,
                     ephemeral: KeyPair, progress: ((Int64) -> Void)?) throws {
        if let size = input.regularFileSize { _ = try sealedSize(ofPlaintext: size) }
        let key = try X25519.sharedKey(ourSecret: ephemeral.secretKey, theirPublic: recipient)
        let stream = SecretboxStream(key: key, nonce: nonce(ephemeral: ephemeral.publicKey, recipient: recipient))
        if (input.regularFileSize ?? 0) >= directIOThreshold { output.preferDirectIO() }
        // The tag precedes the ciphertext but is known only at the end: reserve its place.
        try output.write(ephemeral.publicKey.bytes + [UInt8](repeating: 0, count: Sizes.boxTag))
        // Reader thread: the XOR of the chunk's first half (any order would do); this thread: the
        // XOR of the rest, then Poly1305 over the ciphertext, in order; writer thread: the write.
        _ = try ChunkPipeline().run(input: input, first: { chunk, offset in
            let split = encryptSplit(chunk.count)
            stream.xor(UnsafeMutableRawBufferPointer(rebasing: chunk[0..<split]), at: offset)
        }, second: { chunk, offset in
            let split = encryptSplit(chunk.count)
            stream.xor(UnsafeMutableRawBufferPointer(rebasing: chunk[split...]), at: offset + Int64(split))
            stream.authenticate(UnsafeRawBufferPointer(chunk))
        },
                                    sink: { try output.write($0) }, progress: { progress?($0 + Int64(overhead)) })
        try stream.tag().withUnsafeBytes { try output.write($0, at: Int64(Sizes.publicKey)) }
    }

    /// Opens `input` with `recipient` into `output`. The tag is checked at the end; on failure
    /// this throws and the caller's uncommitted output is discarded, so no unauthenticated
    /// plaintext is ever released.
    public static func open(_ input: InputFile, with recipient: KeyPair, into output: AtomicOutput,
                            progress: ((Int64) -> Void)? = nil) throws {
        var header = [UInt8](repeating: 0, count: overhead)
        let got = try header.withUnsafeMutableBytes { try input.readFully($0) }
        guard got == overhead else { throw SealedBoxError.tooShort(length: Int64(got)) }
        let ephemeral = try PublicKey(bytes: Array(header[0..<Sizes.publicKey]))
        let expectedTag = Array(header[Sizes.publicKey...])
        let key = try X25519.sharedKey(ourSecret: recipient.secretKey, theirPublic: ephemeral)
        let stream = SecretboxStream(key: key, nonce: nonce(ephemeral: ephemeral, recipient: recipient.publicKey))
        // Plaintext chunks land at multiples of the chunk size: they go to disk without a copy.
        if (input.regularFileSize ?? 0) >= directIOThreshold { output.preferDirectIO() }
        // Reader thread: Poly1305 over the ciphertext as it arrives, then the keystream XOR of the
        // chunk's first part; this thread: the XOR of the rest; writer thread: the write to the
        // temporary output, which is released only after the tag below checks out.
        _ = try ChunkPipeline().run(input: input, first: { chunk, offset in
            stream.authenticate(UnsafeRawBufferPointer(chunk))
            let split = decryptSplit(chunk.count)
            stream.xor(UnsafeMutableRawBufferPointer(rebasing: chunk[0..<split]), at: offset)
        }, second: { chunk, offset in
            let split = decryptSplit(chunk.count)
            stream.xor(UnsafeMutableRawBufferPointer(rebasing: chunk[split...]), at: offset + Int64(split))
        }, sink: { try output.write($0) }, progress: { progress?($0 + Int64(overhead)) })
        guard stream.verify(expectedTag) else { throw SealedBoxError.authenticationFailed }
    }

    /// Outputs smaller than this go through the page cache as usual.
    static let directIOThreshold: Int64 = 16 << 20

    /// Bytes of a chunk whose XOR the reader thread does when decrypting (a multiple of 64):
    /// 55%, measured best on 2 cores with the writes on their own thread (the reader also reads
    /// and runs Poly1305; this thread only XORs, but shares the cores with the writer).
    static func decryptSplit(_ count: Int) -> Int { (count * 11 / 20) & ~63 }

    /// Bytes of a chunk whose XOR the reader thread does when encrypting: half (this thread XORs
    /// the rest and then runs Poly1305 over the whole chunk). Against the reader doing all of the
    /// XOR: 1 GiB to disk in 0.71 s instead of 0.80 s (median of 7, interleaved).
    static func encryptSplit(_ count: Int) -> Int { (count / 2) & ~63 }
}
