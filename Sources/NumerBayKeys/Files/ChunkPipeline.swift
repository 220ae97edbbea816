import CSodium
import Dispatch
import Synchronization

/// Streams an input through two stages on two threads, with a small ring of fixed buffers:
/// a reader thread reads each chunk and runs `first` on it; the calling thread runs `second`,
/// then hands the chunk to `sink`. Chunks reach each stage in order, so an order-dependent step
/// (Poly1305) can sit in either stage while the other (the seekable XSalsa20 XOR) overlaps with
/// it and with the I/O. Memory stays at `depth × chunkSize` whatever the input size.
final class ChunkPipeline: @unchecked Sendable {
    static let chunkSize = 1 << 20
    static let depth = 4

    private let buffers: [UnsafeMutableRawBufferPointer]
    private var lengths: [Int]
    // Both start at zero: libdispatch traps when a semaphore is released below its initial value.
    private let free = DispatchSemaphore(value: 0)
    private let filled = DispatchSemaphore(value: 0)
    private let cancelled = Atomic<Bool>(false)
    private var readError: Error?

    init() {
        buffers = (0..<Self.depth).map { _ in .allocate(byteCount: Self.chunkSize, alignment: AtomicOutput.directIOAlignment) }
        lengths = Array(repeating: 0, count: Self.depth)
        for _ in 0..<Self.depth { free.signal() }
    }

    deinit {
        for b in buffers {
            sodium_memzero(b.baseAddress, b.count)
            b.deallocate()
        }
    }

    typealias Stage = @Sendable (UnsafeMutableRawBufferPointer, Int64) -> Void

    /// Returns the number of bytes streamed. `sink` errors stop the reader and are rethrown.
    func run(input: InputFile, first: @escaping Stage, second: (UnsafeMutableRawBufferPointer, Int64) -> Void,
             sink: (UnsafeRawBufferPointer) throws -> Void, progress: (Int64) -> Void) throws -> Int64 {
        let reader = DispatchGroup()
        DispatchQueue.global(qos: .userInitiated).async(group: reader) { self.readLoop(input, first) }
        defer { reader.wait() }
        var index = 0
        var offset: Int64 = 0
        do {
            while true {
                filled.wait()
                let n = lengths[index]
                if n <= 0 { break }
                let chunk = UnsafeMutableRawBufferPointer(rebasing: buffers[index][0..<n])
                second(chunk, offset)
                try sink(UnsafeRawBufferPointer(chunk))
                offset += Int64(n)
                progress(offset)
                free.signal()
                index = (index + 1) % Self.depth
            }
        } catch {
            cancelled.store(true, ordering: .sequentiallyConsistent)
            // Let the reader out of its wait on a free buffer.
            for _ in 0..<Self.depth { free.signal() }
            throw error
        }
        reader.wait()
        if let readError { throw readError }
        return offset
    }

    private func readLoop(_ input: InputFile, _ first: Stage) {
        var index = 0
        var offset: Int64 = 0
        while true {
            free.wait()
            if cancelled.load(ordering: .sequentiallyConsistent) { return }
            let n: Int
            do {
                n = try input.readFully(buffers[index])
            } catch {
                readError = error
                lengths[index] = -1
                filled.signal()
                return
            }
            if n > 0 { first(UnsafeMutableRawBufferPointer(rebasing: buffers[index][0..<n]), offset) }
            lengths[index] = n
            filled.signal()
            if n == 0 { return }
            offset += Int64(n)
            index = (index + 1) % Self.depth
        }
    }
}
