import CSodium
import NumerBayKeys
import Testing
import TestSupport

/// `Sealer` and `Opener` against libsodium's one-shot sealed box, vectors/sealed_box.json and
/// each misuse the two-pass design exists to catch.
struct SealerOpenerTests {
    static let recipient = KeyPair.generate()

    /// crypto_box_seal written out with a known ephemeral key: epk || crypto_box_easy(m, nonce,
    /// recipient, ephemeral secret), nonce = BLAKE2b-192(epk || recipient).
    static func referenceSeal(_ plaintext: [UInt8], to recipient: PublicKey, ephemeral: KeyPair) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: Int(crypto_box_noncebytes()))
        let keys = ephemeral.publicKey.bytes + recipient.bytes
        #expect(crypto_generichash(&nonce, nonce.count, keys, UInt64(keys.count), nil, 0) == 0)
        var box = [UInt8](repeating: 0, count: plaintext.count + Int(crypto_box_macbytes()))
        let rc = ephemeral.secretKey.exposedBytes().withUnsafeBufferPointer { sk in
            crypto_box_easy(&box, plaintext, UInt64(plaintext.count), nonce, recipient.bytes, sk.baseAddress!)
        }
        #expect(rc == 0)
        return ephemeral.publicKey.bytes + box
    }

    /// `bytes` cut into chunks of `size` (the last one shorter); no chunk for empty input.
    static func chunks(_ bytes: [UInt8], size: Int) -> [[UInt8]] {
        stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
    }

    /// Irregular chunks, empty ones included, from a fixed pseudo-random sequence.
    static func irregularChunks(_ bytes: [UInt8], seed: UInt64) -> [[UInt8]] {
        var state = seed, start = 0, out: [[UInt8]] = []
        while start < bytes.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let size = min(Int(state >> 33) % 300, bytes.count - start)
            out.append(Array(bytes[start..<start + size]))
            start += size
        }
        return out + [[]]
    }

    static func seal(_ chunks: [[UInt8]], with sealer: Sealer) -> [UInt8] {
        var ciphertext: [UInt8] = []
        for chunk in chunks {
            let sealed = sealer.seal(chunk)
            #expect(sealed.count == chunk.count)
            ciphertext += sealed
        }
        let header = sealer.finish()
        #expect(header.count == SealedBox.overhead)
        return header + ciphertext
    }

    static func open(_ sealed: [UInt8], chunks chunkOf: ([UInt8]) -> [[UInt8]], with recipient: KeyPair) throws -> [UInt8] {
        let opener = try Opener(header: Array(sealed.prefix(SealedBox.overhead)), with: recipient)
        let chunks = chunkOf(Array(sealed.dropFirst(SealedBox.overhead)))
        for chunk in chunks { opener.authenticate(chunk) }
        try opener.finishAuthentication()
        var plaintext: [UInt8] = []
        // Pass 2 in reverse: chunks may be decrypted in any order.
        for (index, chunk) in chunks.enumerated().reversed() { plaintext = try opener.decrypt(chunk, index: index) + plaintext }
        return plaintext
    }

    static let lengths = [0, 1, 31, 63, 64, 65, 127, 1000, 4161, 70_001]
    static let chunkSizes = [1, 3, 17, 63, 64, 65, 100, 4097, 1 << 20]

    @Test(arguments: lengths)
    func sealerIsCryptoBoxSealForAnyChunking(length: Int) throws {
        let plaintext = Sodium.randomBytes(length)
        let ephemeral = KeyPair.generate()
        let expected = Self.referenceSeal(plaintext, to: Self.recipient.publicKey, ephemeral: ephemeral)
        #expect(try SealedBox.open(expected, with: Self.recipient) == plaintext, "the reference is what libsodium opens")
        let chunkings = Self.chunkSizes.map { Self.chunks(plaintext, size: $0) } + [[plaintext], Self.irregularChunks(plaintext, seed: UInt64(length))]
        for (i, chunks) in chunkings.enumerated() {
            let sealed = Self.seal(chunks, with: try Sealer(to: Self.recipient.publicKey, ephemeral: ephemeral))
            #expect(sealed == expected, "chunking \(i)")
        }
        // With its own ephemeral key: libsodium opens it.
        let fresh = Self.seal(Self.chunks(plaintext, size: 100), with: try Sealer(to: Self.recipient.publicKey))
        #expect(try SealedBox.open(fresh, with: Self.recipient) == plaintext)
    }

    @Test(arguments: lengths)
    func openerOpensLibsodiumsBoxesForAnyChunking(length: Int) throws {
        let plaintext = Sodium.randomBytes(length)
        let sealed = try SealedBox.seal(plaintext, to: Self.recipient.publicKey)
        for size in Self.chunkSizes {
            #expect(try Self.open(sealed, chunks: { Self.chunks($0, size: size) }, with: Self.recipient) == plaintext, "chunks of \(size)")
        }
        #expect(try Self.open(sealed, chunks: { Self.irregularChunks($0, seed: 7) }, with: Self.recipient) == plaintext)
        #expect(try Self.open(sealed, chunks: { [$0] }, with: Self.recipient) == plaintext)
    }

    static let vectorCases = Vectors.load("sealed_box", fields: [
        "recipient_public_key", "recipient_secret_key", "ephemeral_secret_key", "plaintext_b64",
        "plaintext_pattern_length", "plaintext_sha256", "sealed_b64", "sealed_sha256",
    ])

    @Test(arguments: vectorCases)
    func vector(_ c: VectorCase) throws {
        let recipient = keyPair(secretBase64: c["recipient_secret_key"])
        let chunkSize = c.ints["plaintext_pattern_length"] == nil ? 7 : 65_537
        var sealed = c["sealed_b64"].map { b64($0) }
        if let eph = c["ephemeral_secret_key"] {
            let plaintext = c.ints["plaintext_pattern_length"].map(patternBytes) ?? b64(c["plaintext_b64"])
            let made = Self.seal(Self.chunks(plaintext, size: chunkSize),
                                 with: try Sealer(to: recipient.publicKey, ephemeral: keyPair(secretBase64: eph)))
            if let sealed { #expect(made == sealed) } else { #expect(sha256Hex(made) == c["sealed_sha256"]) }
            sealed = made
        }
        let outcome = Result { try Self.open(sealed!, chunks: { Self.chunks($0, size: chunkSize) }, with: recipient) }
        switch c.expect {
        case "ok": #expect(try sha256Hex(outcome.get()) == c["plaintext_sha256"])
        case "format": #expect(throws: SealedBoxError.tooShort(length: Int64(sealed!.count))) { try outcome.get() }
        default: #expect(throws: SealedBoxError.authenticationFailed, "\(c.id)") { try outcome.get() }
        }
    }

    @Test func aChangedTagOrCiphertextFailsAndReleasesNothing() throws {
        let sealed = try SealedBox.seal(Sodium.randomBytes(300), to: Self.recipient.publicKey)
        for position in [0, 31, 32, 47, 48, 200, sealed.count - 1] {
            var changed = sealed
            changed[position] ^= 0x01
            let opener = try Opener(header: Array(changed.prefix(48)), with: Self.recipient)
            let chunks = Self.chunks(Array(changed.dropFirst(48)), size: 100)
            for chunk in chunks { opener.authenticate(chunk) }
            #expect(throws: SealedBoxError.authenticationFailed, "byte \(position)") { try opener.finishAuthentication() }
            #expect(throws: SealedBoxError.authenticationFailed, "asked again") { try opener.finishAuthentication() }
            #expect(throws: SealedBoxError.notAuthenticated) { try opener.decrypt(chunks[0], index: 0) }
        }
    }

    @Test func aChunkChangedBetweenThePassesIsRefused() throws {
        let plaintext = Sodium.randomBytes(1000)
        let sealed = try SealedBox.seal(plaintext, to: Self.recipient.publicKey)
        let opener = try Opener(header: Array(sealed.prefix(48)), with: Self.recipient)
        let chunks = Self.chunks(Array(sealed.dropFirst(48)), size: 256)
        for chunk in chunks { opener.authenticate(chunk) }
        try opener.finishAuthentication()
        for index in chunks.indices {
            for position in [0, chunks[index].count - 1] {
                var changed = chunks[index]
                changed[position] ^= 0x80
                #expect(throws: SealedBoxError.inputChanged(chunk: index)) { try opener.decrypt(changed, index: index) }
            }
        }
        // The authentic chunks still open: a refusal spends nothing.
        #expect(try chunks.enumerated().flatMap { try opener.decrypt($1, index: $0) } == plaintext)
        #expect(try opener.decrypt(chunks[1], index: 1) == Array(plaintext[256..<512]), "a chunk may be decrypted again")
    }

    @Test func pass2MustCutWherePass1Did() throws {
        let plaintext = Sodium.randomBytes(1000)
        let sealed = try SealedBox.seal(plaintext, to: Self.recipient.publicKey)
        let ciphertext = Array(sealed.dropFirst(48))
        let opener = try Opener(header: Array(sealed.prefix(48)), with: Self.recipient)
        let chunks = Self.chunks(ciphertext, size: 256)
        for chunk in chunks { opener.authenticate(chunk) }
        try opener.finishAuthentication()
        // Other boundaries, a chunk at another index, an index pass 1 never had.
        #expect(throws: SealedBoxError.inputChanged(chunk: 0)) { try opener.decrypt(Array(ciphertext[0..<255]), index: 0) }
        #expect(throws: SealedBoxError.inputChanged(chunk: 0)) { try opener.decrypt(Array(ciphertext[0..<257]), index: 0) }
        #expect(throws: SealedBoxError.inputChanged(chunk: 1)) { try opener.decrypt(Array(ciphertext[250..<506]), index: 1) }
        #expect(throws: SealedBoxError.inputChanged(chunk: 2)) { try opener.decrypt(chunks[1], index: 2) }
        #expect(throws: SealedBoxError.inputChanged(chunk: 3)) { try opener.decrypt([], index: 3) }
        #expect(throws: SealedBoxError.inputChanged(chunk: 4)) { try opener.decrypt([], index: 4) }
        #expect(throws: SealedBoxError.inputChanged(chunk: -1)) { try opener.decrypt(chunks[0], index: -1) }
        #expect(try opener.decrypt(chunks[3], index: 3) == Array(plaintext[768...]))
    }

    @Test func nothingIsDecryptedBeforeTheTagChecks() throws {
        let sealed = try SealedBox.seal(Sodium.randomBytes(100), to: Self.recipient.publicKey)
        let opener = try Opener(header: Array(sealed.prefix(48)), with: Self.recipient)
        let ciphertext = Array(sealed.dropFirst(48))
        #expect(throws: SealedBoxError.notAuthenticated) { try opener.decrypt(ciphertext, index: 0) }
        opener.authenticate(ciphertext)
        #expect(throws: SealedBoxError.notAuthenticated) { try opener.decrypt(ciphertext, index: 0) }
        try opener.finishAuthentication()
        try opener.finishAuthentication()
        #expect(try opener.decrypt(ciphertext, index: 0).count == 100)
    }

    @Test func headersAndKeysThatCannotOpen() throws {
        let sealed = try SealedBox.seal([1, 2, 3], to: Self.recipient.publicKey)
        for length in [0, 1, 47] {
            #expect(throws: SealedBoxError.tooShort(length: Int64(length))) {
                try Opener(header: Array(sealed.prefix(length)), with: Self.recipient)
            }
        }
        // Another recipient's key pair: the tag does not check.
        let other = try Opener(header: Array(sealed.prefix(48)), with: KeyPair.generate())
        other.authenticate(Array(sealed.dropFirst(48)))
        #expect(throws: SealedBoxError.authenticationFailed) { try other.finishAuthentication() }
        // A low-order point (zero) as the ephemeral key, as libsodium's open refuses it.
        let zero = [UInt8](repeating: 0, count: 32)
        #expect(throws: SealedBoxError.authenticationFailed) { try Opener(header: zero + Array(sealed[32..<48]), with: Self.recipient) }
        #expect(throws: SealedBoxError.authenticationFailed) { try SealedBox.open(zero + Array(sealed[32...]), with: Self.recipient) }
        #expect(throws: SealedBoxError.invalidPublicKey) { try Sealer(to: PublicKey(bytes: zero)) }
    }

    /// The usage example of `Sealer`'s and `Opener`'s documentation, as written there.
    @Test func documentationExample() throws {
        let keyPair = KeyPair.generate()
        let recipient = keyPair.publicKey
        let message = Array("a file of any size, a chunk at a time".utf8)
        let chunks = stride(from: 0, to: message.count, by: 5).map { Array(message[$0..<min($0 + 5, message.count)]) }

        let sealer = try Sealer(to: recipient)
        var ciphertext: [UInt8] = []
        for chunk in chunks { ciphertext += sealer.seal(chunk) }
        let sealed = sealer.finish() + ciphertext

        let opener = try Opener(header: Array(sealed[..<SealedBox.overhead]), with: keyPair)
        let sealedChunks = stride(from: SealedBox.overhead, to: sealed.count, by: 4096).map {
            Array(sealed[$0..<min($0 + 4096, sealed.count)])
        }
        for chunk in sealedChunks { opener.authenticate(chunk) }
        try opener.finishAuthentication()
        var plaintext: [UInt8] = []
        for (index, chunk) in sealedChunks.enumerated() { plaintext += try opener.decrypt(chunk, index: index) }

        #expect(plaintext == message)
        #expect(try SealedBox.open(sealed, with: keyPair) == message)
    }
}
