import Foundation
import Synchronization
import Testing
@testable import NumerBayKeys
@testable import NumerBayKeysFiles
import TestSupport

/// The three-thread pipeline under sealed files: every chunk through every stage exactly once and
/// in order, and a failing read or write stops all three threads and comes back as the error.
struct ChunkPipelineTests {
    static let chunk = ChunkPipeline.chunkSize
    static let depth = ChunkPipeline.depth

    struct Boom: Error, Equatable { let at: Int }

    /// A file holding `bytes`, opened for reading.
    static func input(_ bytes: [UInt8]) throws -> (InputFile, URL) {
        let dir = temporaryDirectory()
        let path = dir.appendingPathComponent("in")
        try Data(bytes).write(to: path)
        return (try InputFile(path: path.path), dir)
    }

    @Test(arguments: [0, 1, Self.chunk - 1, Self.chunk, Self.chunk + 1, Self.depth * Self.chunk + 5, (Self.depth + 2) * Self.chunk])
    func everyChunkPassesEveryStageOnceInOrder(size: Int) throws {
        let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
        let (file, dir) = try Self.input(plaintext)
        defer { try? FileManager.default.removeItem(at: dir) }
        let firstOffsets = Mutex<[Int64]>([])
        let secondOffsets = Mutex<[Int64]>([])
        let sunk = Mutex<[UInt8]>([])
        var reported: [Int64] = []
        let total = try ChunkPipeline().run(input: file, first: { chunk, offset in
            firstOffsets.withLock { $0.append(offset) }
            for i in chunk.indices { chunk[i] &+= 1 }
        }, second: { chunk, offset in
            secondOffsets.withLock { $0.append(offset) }
            for i in chunk.indices { chunk[i] ^= 0x5a }
        }, sink: { chunk in
            sunk.withLock { $0.append(contentsOf: chunk) }
        }, progress: { reported.append($0) })
        let offsets = stride(from: 0, to: size, by: Self.chunk).map(Int64.init)
        #expect(total == Int64(size))
        #expect(firstOffsets.withLock { $0 } == offsets)
        #expect(secondOffsets.withLock { $0 } == offsets)
        #expect(reported == offsets.map { min($0 + Int64(Self.chunk), Int64(size)) })
        #expect(sunk.withLock { $0 } == plaintext.map { ($0 &+ 1) ^ 0x5a })
    }

    @Test(arguments: [0, 1, ChunkPipeline.depth - 1, ChunkPipeline.depth, ChunkPipeline.depth + 3])
    func aFailingSinkStopsTheReaderAndIsRethrown(failAt: Int) throws {
        let chunks = Self.depth + 8
        let (file, dir) = try Self.input([UInt8](repeating: 1, count: chunks * Self.chunk))
        defer { try? FileManager.default.removeItem(at: dir) }
        let read = Atomic<Int>(0)
        let written = Atomic<Int>(0)
        #expect(throws: Boom(at: failAt)) {
            _ = try ChunkPipeline().run(input: file, first: { _, _ in read.add(1, ordering: .relaxed) },
                                        second: { _, _ in }, sink: { _ in
                let n = written.add(1, ordering: .relaxed).oldValue
                if n == failAt { throw Boom(at: n) }
            }, progress: { _ in })
        }
        #expect(written.load(ordering: .relaxed) == failAt + 1)
        // The ring holds `depth` chunks: the reader cannot be more than that ahead of the writer.
        #expect(read.load(ordering: .relaxed) <= failAt + 1 + Self.depth)
    }

    @Test func aFailingReadIsRethrownAfterTheChunksBeforeIt() throws {
        // Reading /proc/self/mem at offset 0 fails with EIO: a regular file whose read fails.
        let file = try InputFile(path: "/proc/self/mem")
        let sunk = Atomic<Int>(0)
        #expect(throws: FileError.self) {
            _ = try ChunkPipeline().run(input: file, first: { _, _ in }, second: { _, _ in },
                                        sink: { _ in sunk.add(1, ordering: .relaxed) }, progress: { _ in })
        }
        #expect(sunk.load(ordering: .relaxed) == 0)
    }
}
