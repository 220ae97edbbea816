import CSodium
import Foundation
import Testing
@testable import NumerBayKeys
@testable import NumerBayKeysFiles
import TestSupport

/// The streaming sealed file against libsodium's one-shot crypto_box_seal / crypto_box_seal_open,
/// at every chunk boundary of the stream.
struct SealedFileTests {
    static let chunk = SealedFile.chunkSize
    static let sizes = [0, 1, 31, 32, 33, 63, 64, 65, 4095, chunk - 33, chunk - 32, chunk - 1, chunk, chunk + 1, chunk + 31,
                        2 * chunk + 7]

    static func randomBytes(_ n: Int) -> [UInt8] { Sodium.randomBytes(n) }

    /// What crypto_box_seal makes with this ephemeral key: the ephemeral public key, then
    /// crypto_box_easy with the BLAKE2b nonce.
    static func oneShotSeal(_ plaintext: [UInt8], to recipient: KeyPair, ephemeral: KeyPair) -> [UInt8] {
        let nonce = SealedFile.nonce(ephemeral: ephemeral.publicKey, recipient: recipient.publicKey)
        var box = [UInt8](repeating: 0, count: plaintext.count + 16)
        let rc = ephemeral.secretKey.withUnsafeBytes { esk in
            crypto_box_easy(&box, plaintext, UInt64(plaintext.count), nonce, recipient.publicKey.bytes,
                            esk.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        precondition(rc == 0, "crypto_box_easy failed")
        return ephemeral.publicKey.bytes + box
    }

    @Test(arguments: sizes)
    func sealMatchesOneShotBoxByteForByte(size: Int) throws {
        let recipient = KeyPair.generate()
        let ephemeral = KeyPair.generate()
        let plaintext = Self.randomBytes(size)
        let streamed = try sealThroughFiles(plaintext, to: recipient.publicKey, ephemeral: ephemeral)
        #expect(streamed == Self.oneShotSeal(plaintext, to: recipient, ephemeral: ephemeral))
    }

    @Test(arguments: sizes)
    func oneShotSealOpensInStreamAndBack(size: Int) throws {
        let recipient = KeyPair.generate()
        let plaintext = Self.randomBytes(size)
        var sealed = [UInt8](repeating: 0, count: size + 48)
        #expect(crypto_box_seal(&sealed, plaintext, UInt64(size), recipient.publicKey.bytes) == 0)
        #expect(try openThroughFiles(sealed, with: recipient) == plaintext)

        let ours = try sealThroughFiles(plaintext, to: recipient.publicKey)
        #expect((try? SealedBox.open(ours, with: recipient)) == plaintext)
    }

    @Test(arguments: [0, 1, 47, 48, 100, 200])
    func everyFlippedBitFailsAuthentication(bytePosition: Int) throws {
        let recipient = KeyPair.generate()
        var sealed = try sealThroughFiles(Self.randomBytes(160), to: recipient.publicKey)
        for bit in 0..<8 {
            sealed[bytePosition] ^= UInt8(1 << bit)
            #expect(throws: SealedBoxError.self) { try openThroughFiles(sealed, with: recipient) }
            sealed[bytePosition] ^= UInt8(1 << bit)
        }
    }

    @Test func wrongKeyFailsAuthentication() throws {
        let sealed = try sealThroughFiles(Self.randomBytes(1000), to: KeyPair.generate().publicKey)
        #expect(throws: SealedBoxError.authenticationFailed) { try openThroughFiles(sealed, with: KeyPair.generate()) }
    }

    @Test(arguments: [0, 1, 31, 47])
    func tooShortIsNotASealedFile(size: Int) {
        #expect(throws: SealedBoxError.tooShort(length: Int64(size))) {
            try openThroughFiles(Self.randomBytes(size), with: KeyPair.generate())
        }
    }

    @Test func sealingToALowOrderPointIsRefused() {
        #expect(throws: SealedBoxError.invalidPublicKey) {
            try sealThroughFiles([1, 2, 3], to: try PublicKey(bytes: [UInt8](repeating: 0, count: 32)))
        }
    }

    /// Above the direct-I/O threshold, with a tail that direct I/O cannot take and one that it can.
    @Test(arguments: [Int(SealedFile.directIOThreshold) + 5, Int(SealedFile.directIOThreshold) + (1 << 20)])
    func largeFilesRoundTripThroughDirectIO(size: Int) throws {
        let recipient = KeyPair.generate()
        let plaintext = Self.randomBytes(size)
        var sealed = [UInt8](repeating: 0, count: size + 48)
        #expect(crypto_box_seal(&sealed, plaintext, UInt64(size), recipient.publicKey.bytes) == 0)
        #expect(try openThroughFiles(sealed, with: recipient) == plaintext)
        sealed[size / 2] ^= 4
        #expect(throws: SealedBoxError.authenticationFailed) { try openThroughFiles(sealed, with: recipient) }
    }

    /// Above the threshold sealing stages the unaligned stream (48-byte header first) for direct
    /// I/O and patches the tag in at commit: still byte-identical to the one-shot box.
    @Test(arguments: [Int(SealedFile.directIOThreshold), Int(SealedFile.directIOThreshold) + 4133])
    func largeSealThroughDirectIOMatchesOneShot(size: Int) throws {
        let recipient = KeyPair.generate()
        let ephemeral = KeyPair.generate()
        let plaintext = Self.randomBytes(size)
        let streamed = try sealThroughFiles(plaintext, to: recipient.publicKey, ephemeral: ephemeral)
        #expect(streamed.count == size + 48)
        #expect(streamed == Self.oneShotSeal(plaintext, to: recipient, ephemeral: ephemeral))
    }

    /// The sealed size is checked, not trapped on: a sparse file near 2^63 bytes is refused.
    @Test func sealedSizeNearTheLargestFileSize() throws {
        #expect(try SealedFile.sealedSize(ofPlaintext: Int64.max - 48) == Int64.max)
        #expect(throws: SealedBoxError.tooLarge(length: Int64.max - 47)) { try SealedFile.sealedSize(ofPlaintext: Int64.max - 47) }
        #expect(throws: SealedBoxError.tooLarge(length: Int64.max)) { try SealedFile.sealedSize(ofPlaintext: Int64.max) }
    }

    static let multiSizes = [0, 1, 47, 48, 4095 - 48, 4096 - 48, 4096, 4097, chunk - 48, chunk - 1, chunk, chunk + 1,
                             2 * chunk + 7, Int(SealedFile.directIOThreshold) + chunk - 48, Int(SealedFile.directIOThreshold) + 4133]

    /// Seals `plaintext` to every recipient in one read; returns each one's result and sealed bytes
    /// (nil when it failed). `breakOutput` may sabotage an output before sealing starts.
    static func multiSeal(_ plaintext: [UInt8], to recipients: [KeyPair],
                          breakOutput: (Int, AtomicOutput) -> Void = { _, _ in }) throws -> [(Error?, [UInt8]?)] {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inPath = dir.appendingPathComponent("in").path
        FileManager.default.createFile(atPath: inPath, contents: Data(plaintext))
        let outputs = try recipients.indices.map { try AtomicOutput(.path(dir.appendingPathComponent("o\($0)").path, overwrite: false), mode: 0o600) }
        for (i, out) in outputs.enumerated() { breakOutput(i, out) }
        let results = try SealedFile.seal(try InputFile(path: inPath), toEach: recipients.map(\.publicKey), into: outputs)
        return try outputs.enumerated().map { i, out in
            guard results[i] == nil else { return (results[i], nil) }
            try out.commit()
            return (nil, Array(try Data(contentsOf: dir.appendingPathComponent("o\(i)"))))
        }
    }

    /// Multi-recipient frames carry the ciphertext across the 4 KiB grid: every size around a
    /// carry, a chunk and the direct-I/O threshold opens with libsodium's one-shot, for each
    /// recipient with its own key only.
    @Test(arguments: multiSizes)
    func multiRecipientSealOpensWithOneShot(size: Int) throws {
        let recipients = (0..<3).map { _ in KeyPair.generate() }
        let plaintext = Self.randomBytes(size)
        let sealed = try Self.multiSeal(plaintext, to: recipients)
        for (i, (error, bytes)) in sealed.enumerated() {
            #expect(error == nil)
            #expect(bytes?.count == size + 48)
            // Compared as a Bool: a failure should not print megabytes of plaintext.
            #expect((try? SealedBox.open(bytes ?? [], with: recipients[i])).map { $0 == plaintext } == true)
            #expect((try? SealedBox.open(bytes ?? [], with: recipients[(i + 1) % 3])) == nil)
        }
    }

    /// A recipient whose file cannot be written gets the error and no file; the others complete.
    @Test(arguments: [4096, 3 * chunk + 5, Int(SealedFile.directIOThreshold) + 4133])
    func aRecipientWhoseWritesFailDoesNotStopTheOthers(size: Int) throws {
        let recipients = (0..<3).map { _ in KeyPair.generate() }
        let plaintext = Self.randomBytes(size)
        let readOnly = open("/dev/null", O_RDONLY)
        defer { close(readOnly) }
        let sealed = try Self.multiSeal(plaintext, to: recipients) { i, out in
            if i == 1 { dup2(readOnly, out.fd) }  // every write to it now fails (EBADF)
        }
        #expect(sealed[1].0 is FileError)
        #expect(sealed[1].1 == nil)
        for i in [0, 2] {
            #expect(sealed[i].0 == nil)
            #expect((try? SealedBox.open(sealed[i].1 ?? [], with: recipients[i])).map { $0 == plaintext } == true)
        }
    }
}
