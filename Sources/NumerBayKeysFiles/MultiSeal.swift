import CSodium
import NumerBayKeys
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension SealedFile {
    /// Seals one read of `input` to every recipient, each into its own output, on every core.
    /// A recipient whose key or output fails gets its error in the result (its output aborted);
    /// the others complete. The caller commits the outputs whose result is nil.
    public static func seal(_ input: InputFile, toEach recipients: [PublicKey], into outputs: [AtomicOutput],
                            progress: ((Int64) -> Void)? = nil) throws -> [Error?] {
        precondition(recipients.count == outputs.count)
        if let size = input.regularFileSize { _ = try sealedSize(ofPlaintext: size) }
        let results = ResultSlots(count: recipients.count)
        var lanes: [MultiSeal.Lane?] = []
        for (i, recipient) in recipients.enumerated() {
            let ephemeral = KeyPair.generate()
            do {
                if (input.regularFileSize ?? 0) >= directIOThreshold { outputs[i].preferDirectIO() }
                let key = try X25519.sharedKey(ourSecret: ephemeral.secretKey, theirPublic: recipient)
                let stream = SecretboxStream(key: key, nonce: nonce(ephemeral: ephemeral.publicKey, recipient: recipient))
                lanes.append(MultiSeal.Lane(stream: stream, output: outputs[i],
                                            header: ephemeral.publicKey.bytes + [UInt8](repeating: 0, count: Sizes.boxTag)))
            } catch {
                results[i] = error
                lanes.append(nil)
            }
        }
        try MultiSeal(lanes: lanes, results: results).run(input: input, progress: { progress?($0 + Int64(overhead)) })
        for i in 0..<outputs.count where results[i] != nil { outputs[i].abort() }
        return (0..<outputs.count).map { results[$0] }
    }
}

extension SealedFile {
    /// At most this many outputs are open at once, whatever the descriptor limit allows.
    static let maxRecipientsPerRead = 1024
    /// Descriptors left for the run itself besides its outputs: the input, the standard streams,
    /// the directory opened to fsync it at commit, whatever the runtime holds.
    static let descriptorReserve = 16

    /// How many recipients one read of the input serves. Each output holds a descriptor until its
    /// commit: as many as the soft RLIMIT_NOFILE leaves free now, less a reserve, and at least one.
    public static func recipientsPerRead() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1 }
        let soft = Int(min(limit.rlim_cur, rlim_t(Int32.max)))
        var open = 0
        for fd in 0..<Int32(min(soft, 1 << 16)) where fcntl(fd, F_GETFD) != -1 { open += 1 }
        return max(1, min(maxRecipientsPerRead, soft - open - descriptorReserve))
    }
}

/// Multi-recipient sealing. Each recipient (a lane) has its own keystream, Poly1305 and file; only
/// the read of the input is shared. Per chunk, the lanes run side by side on the cores: each XORs
/// the plaintext straight into a frame buffer from a shared pool, behind the ciphertext bytes its
/// previous frame left over, runs Poly1305 over it and queues the frame's aligned part for the
/// writer threads, which place frames with `pwrite` (direct I/O for large files) at offsets the
/// lane chose, so the disk stays busy while the cores compute. The rest of a frame (the 48-byte
/// sealed-box header shifts the ciphertext off the 4 KiB grid) carries over to the next one; the
/// last carry and the tag go through the page cache at the end. Memory: the input ring, the
/// frame pool and a small carry per lane, whatever the size and number of recipients.
final class MultiSeal: @unchecked Sendable {
    static let alignment = AtomicOutput.directIOAlignment
    static let poolSize = 5
    static let writerCount = 2
    static let inputDepth = 3
    /// A frame holds a carry (less than one alignment unit) and then a whole chunk.
    static let frameCapacity = ChunkPipeline.chunkSize + alignment

    final class Lane: @unchecked Sendable {
        let stream: SecretboxStream
        let output: AtomicOutput
        /// Ciphertext (the header at first) not yet placed in a frame that was written.
        let carry: UnsafeMutableRawBufferPointer
        var carried: Int
        /// File offset of this lane's next frame: always a multiple of `alignment`.
        var nextOffset: Int64 = 0

        init(stream: SecretboxStream, output: AtomicOutput, header: [UInt8]) {
            self.stream = stream
            self.output = output
            carry = .allocate(byteCount: MultiSeal.alignment, alignment: 64)
            carry.copyBytes(from: header)
            carried = header.count
        }

        deinit { carry.deallocate() }
    }

    private struct Job {
        let lane: Int
        let frame: Int
        let length: Int
        let offset: Int64
    }

    private let lanes: [Lane?]
    private let results: ResultSlots
    private let frames: [UnsafeMutableRawBufferPointer]
    private let freeFrames: Mutex<[Int]>
    private let framesAvailable = DispatchSemaphore(value: 0)
    private let jobs = Mutex<[Job?]>([])
    private let jobsQueued = DispatchSemaphore(value: 0)

    init(lanes: [Lane?], results: ResultSlots) {
        self.lanes = lanes
        self.results = results
        frames = (0..<Self.poolSize).map { _ in .allocate(byteCount: Self.frameCapacity, alignment: Self.alignment) }
        freeFrames = Mutex(Array(0..<Self.poolSize))
        for _ in 0..<Self.poolSize { framesAvailable.signal() }
    }

    deinit {
        for f in frames {
            sodium_memzero(f.baseAddress, f.count)
            f.deallocate()
        }
    }

    func run(input: InputFile, progress: (Int64) -> Void) throws {
        var writers: [WorkerThread] = []
        // One stop marker per writer, queued after every frame: a writer leaves at the first
        // marker it takes (any of them), so all markers go in before any join.
        func stopWriters() {
            for _ in writers { enqueue(nil) }
            for w in writers { w.join() }
            writers = []
        }
        defer { stopWriters() }
        for _ in 0..<Self.writerCount { writers.append(try WorkerThread { self.writeLoop() }) }
        let count = lanes.count
        _ = try ChunkPipeline(depth: Self.inputDepth).run(input: input, first: { _, _ in }, second: { chunk, offset in
            let view = ChunkView(bytes: UnsafeRawBufferPointer(chunk))
            DispatchQueue.concurrentPerform(iterations: count) { self.process(lane: $0, chunk: view.bytes, offset: offset) }
        }, sink: { _ in }, progress: progress)
        stopWriters()
        for (i, lane) in lanes.enumerated() where results[i] == nil {
            guard let lane else { continue }
            do {
                try lane.output.resume(at: lane.nextOffset)
                try lane.output.write(UnsafeRawBufferPointer(rebasing: lane.carry[0..<lane.carried]))
                try lane.stream.tag().withUnsafeBytes { try lane.output.write($0, at: Int64(Sizes.publicKey)) }
            } catch {
                results[i] = error
            }
        }
    }

    private func process(lane i: Int, chunk: UnsafeRawBufferPointer, offset: Int64) {
        guard results[i] == nil, let lane = lanes[i] else { return }
        let frame = acquireFrame()
        let buffer = frames[frame]
        let carried = lane.carried
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: lane.carry[0..<carried]))
        let body = UnsafeMutableRawBufferPointer(rebasing: buffer[carried..<(carried + chunk.count)])
        lane.stream.xor(chunk, into: body, at: offset)
        lane.stream.authenticate(UnsafeRawBufferPointer(body))
        let total = carried + chunk.count
        let aligned = total & ~(Self.alignment - 1)
        lane.carried = total - aligned
        lane.carry.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[aligned..<total]))
        if aligned == 0 {
            releaseFrame(frame)
        } else {
            enqueue(Job(lane: i, frame: frame, length: aligned, offset: lane.nextOffset))
            lane.nextOffset += Int64(aligned)
        }
    }

    private func writeLoop() {
        while true {
            jobsQueued.wait()
            guard let job = jobs.withLock({ $0.removeFirst() }) else { return }
            if results[job.lane] == nil, let lane = lanes[job.lane] {
                do {
                    try lane.output.writeFrame(UnsafeRawBufferPointer(rebasing: frames[job.frame][0..<job.length]), at: job.offset)
                } catch {
                    results[job.lane] = error
                }
            }
            releaseFrame(job.frame)
        }
    }

    private func enqueue(_ job: Job?) {
        jobs.withLock { $0.append(job) }
        jobsQueued.signal()
    }

    private func acquireFrame() -> Int {
        framesAvailable.wait()
        return freeFrames.withLock { $0.removeLast() }
    }

    private func releaseFrame(_ frame: Int) {
        freeFrames.withLock { $0.append(frame) }
        framesAvailable.signal()
    }
}

/// A chunk the pipeline lends out for the duration of one stage; only read meanwhile.
struct ChunkView: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
}

/// One error slot per recipient.
final class ResultSlots: Sendable {
    private let slots: Mutex<[Error?]>
    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
    subscript(i: Int) -> Error? {
        get { slots.withLock { $0[i] } }
        set { slots.withLock { $0[i] = newValue } }
    }
}
