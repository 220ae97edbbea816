import CSodium

/// Sealed files (libsodium `crypto_box_seal`) of any size, in one pass with a fixed buffer:
/// `ephemeral_public_key (32) || tag (16) || XSalsa20 ciphertext`. The output is byte-identical
/// to the one-shot `crypto_box_seal` / `crypto_box_seal_open`.
public enum SealedFile {
    public static let overhead = 48
    static let chunkSize = 1 << 20

    /// nonce = BLAKE2b-192(ephemeral public key || recipient public key), as libsodium does.
    static func nonce(ephemeral: PublicKey, recipient: PublicKey) -> [UInt8] {
        Blake2b.hash(ephemeral.bytes + recipient.bytes, outputLength: Sizes.boxNonce)
    }

    /// Seals `input` to `recipient` into `output` (not committed: the caller commits).
    public static func seal(_ input: InputFile, to recipient: PublicKey, into output: AtomicOutput,
                            progress: ((Int64) -> Void)? = nil) throws {
        try seal(input, to: recipient, into: output, ephemeral: KeyPair.generate(), progress: progress)
    }

    /// With a given ephemeral key pair: only tests need this, to reproduce known answers.
    static func seal(_ input: InputFile, to recipient: PublicKey, into output: AtomicOutput,
                     ephemeral: KeyPair, progress: ((Int64) -> Void)?) throws {
        let key = try X25519.sharedKey(ourSecret: ephemeral.secretKey, theirPublic: recipient)
        let stream = SecretboxStream(key: key, nonce: nonce(ephemeral: ephemeral.publicKey, recipient: recipient))
        // The tag precedes the ciphertext but is known only at the end: reserve its place.
        try output.write(ephemeral.publicKey.bytes + [UInt8](repeating: 0, count: Sizes.boxTag))
        let total = try ChunkLoop.run(input: input, output: output) { chunk, offset in
            stream.xor(chunk, at: offset)
            stream.authenticate(UnsafeRawBufferPointer(chunk))
        } progress: { progress?($0) }
        _ = total
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
        _ = try ChunkLoop.run(input: input, output: output) { chunk, offset in
            stream.authenticate(UnsafeRawBufferPointer(chunk))
            stream.xor(chunk, at: offset)
        } progress: { progress?($0 + Int64(overhead)) }
        guard stream.verify(expectedTag) else { throw SealedBoxError.authenticationFailed }
    }
}

/// Reads `input` chunk by chunk into one fixed buffer, lets `transform` work on each chunk in
/// place, writes it out. Returns the byte count.
enum ChunkLoop {
    static func run(input: InputFile, output: AtomicOutput,
                    transform: (UnsafeMutableRawBufferPointer, Int64) -> Void,
                    progress: (Int64) -> Void) throws -> Int64 {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: SealedFile.chunkSize, alignment: 64)
        defer {
            sodium_memzero(buffer.baseAddress, buffer.count)
            buffer.deallocate()
        }
        var offset: Int64 = 0
        while true {
            let n = try input.readFully(buffer)
            if n == 0 { break }
            let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n])
            transform(chunk, offset)
            try output.write(UnsafeRawBufferPointer(chunk))
            offset += Int64(n)
            progress(offset)
            if n < buffer.count { break }
        }
        return offset
    }
}
