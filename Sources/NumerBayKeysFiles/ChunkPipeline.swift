import CSodium
import NumerBayKeys
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Streams an input through three threads and a small ring of fixed buffers: a reader thread
/// reads each chunk and runs `first` on it; the calling thread runs `second`; a writer thread
/// hands the chunk to `sink`. Chunks reach each stage in order, so an order-dependent step
/// (Poly1305) can sit in either compute stage while the other (the seekable XSalsa20 XOR)
/// overlaps with it, and the writes (which block on the disk with direct I/O) overlap with both.
/// Memory stays at `depth × chunkSize` whatever the input size.
final class ChunkPipeline: @unchecked Sendable {
    static let chunkSize = 1 << 20
    static let depth = 6

    private let depth: Int
    private let buffers: [UnsafeMutableRawBufferPointer]
    /// Bytes in each buffer: 0 marks the end of the input, -1 a read error. Raw memory, not an
    /// Array, because the three threads touch different slots at once.
    private let lengths: UnsafeMutableBufferPointer<Int>
    // All start at zero: libdispatch traps when a semaphore is released below its initial value.
    private let free = DispatchSemaphore(value: 0)
    private let filled = DispatchSemaphore(value: 0)
    private let processed = DispatchSemaphore(value: 0)
    private let cancelled = Atomic<Bool>(false)
    private var readError: Error?
    private var writeError: Error?

    init(depth: Int = ChunkPipeline.depth) {
        precondition(depth >= 2)
        self.depth = depth
        buffers = (0..<depth).map { _ in .allocate(byteCount: Self.chunkSize, alignment: AtomicOutput.directIOAlignment) }
        lengths = .allocate(capacity: depth)
        lengths.initialize(repeating: 0)
        for _ in 0..<depth { free.signal() }
    }

    deinit {
        for b in buffers {
            sodium_memzero(b.baseAddress, b.count)
            b.deallocate()
        }
        lengths.deallocate()
    }

    typealias Stage = @Sendable (UnsafeMutableRawBufferPointer, Int64) -> Void
    typealias Sink = @Sendable (UnsafeRawBufferPointer) throws -> Void

    /// Returns the number of bytes streamed. Read and `sink` errors stop every stage and are
    /// rethrown once all three threads are done with the buffers.
    func run(input: InputFile, first: @escaping Stage, second: (UnsafeMutableRawBufferPointer, Int64) -> Void,
             sink: @escaping Sink, progress: (Int64) -> Void) throws -> Int64 {
        let reader = try WorkerThread { self.readLoop(input, first) }
        let writer: WorkerThread
        do {
            writer = try WorkerThread { self.writeLoop(sink) }
        } catch {
            cancel()
            reader.join()
            throw error
        }
        var index = 0
        var offset: Int64 = 0
        while true {
            filled.wait()
            if cancelled.load(ordering: .sequentiallyConsistent) { break }
            let n = lengths[index]
            if n > 0 { second(UnsafeMutableRawBufferPointer(rebasing: buffers[index][0..<n]), offset) }
            // Passes the end (or read error) marker on too, so that the writer stops.
            processed.signal()
            if n <= 0 { break }
            offset += Int64(n)
            progress(offset)
            index = (index + 1) % depth
        }
        reader.join()
        writer.join()
        if let writeError { throw writeError }
        if let readError { throw readError }
        return offset
    }

    /// Stops every stage: each wakes, sees the flag and leaves its loop.
    private func cancel() {
        cancelled.store(true, ordering: .sequentiallyConsistent)
        for _ in 0...depth {
            free.signal()
            filled.signal()
            processed.signal()
        }
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
            index = (index + 1) % depth
        }
    }

    private func writeLoop(_ sink: Sink) {
        var index = 0
        while true {
            processed.wait()
            if cancelled.load(ordering: .sequentiallyConsistent) { return }
            let n = lengths[index]
            if n <= 0 { return }
            do {
                try sink(UnsafeRawBufferPointer(rebasing: buffers[index][0..<n]))
            } catch {
                writeError = error
                cancel()
                return
            }
            free.signal()
            index = (index + 1) % depth
        }
    }
}

/// A plain POSIX thread running one closure; `join` waits for it to finish. The pipeline's reader
/// and writer spend much of their time blocked in system calls, so they get threads of their own
/// rather than places in libdispatch's pool (which is sized to the cores and would hold back
/// `concurrentPerform` work).
final class WorkerThread {
    private var thread = pthread_t()
    private var joined = false

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    init(_ body: @escaping @Sendable () -> Void) throws {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        let rc = pthread_create(&thread, nil, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw FileError.cannotStartThread(reason: String(cString: strerror(rc)))
        }
    }

    func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    deinit { join() }
}
