import CSodium
import CFileIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where a result goes: a path, written atomically, or standard output.
public enum OutputTarget: Equatable, Sendable {
    case path(String, overwrite: Bool)
    case standardOutput

    public init(_ argument: String, overwrite: Bool) {
        self = argument == "-" ? .standardOutput : .path(argument, overwrite: overwrite)
    }
}

/// An output that appears all at once or not at all. Bytes go to a temporary file; `commit`
/// fsyncs it and renames it into place. Without `commit` (an error, a thrown tag check) the
/// temporary file is removed and the destination is untouched. For standard output the temporary
/// file is anonymous (unlinked at once) and copied out only on `commit`, so nothing unverified is
/// ever released to a pipe. Not thread-safe: one thread at a time uses it (the chunk pipeline's
/// writer thread while a file streams, then the caller), hence `@unchecked Sendable`.
public final class AtomicOutput: @unchecked Sendable {
    public let name: String
    private let destination: String?
    private let directory: String
    private let overwrite: Bool
    private let mode: mode_t
    private var tempPath: String?
    let fd: Int32
    private var finished = false

    /// 0666 less the process umask: the mode an ordinary new file (not a key file) gets.
    public static let ordinaryFileMode: mode_t = {
        let mask = umask(0o022)
        umask(mask)
        return 0o666 & ~mask
    }()

    /// - Parameters:
    ///   - mode: permission bits of the final file (key files: 0o600).
    ///   - input: when given, refuse a destination that is this same file.
    public init(_ target: OutputTarget, mode: mode_t, input: InputFile? = nil, allowSameFile: Bool = false) throws {
        self.mode = mode
        switch target {
        case .standardOutput:
            name = "standard output"
            destination = nil
            overwrite = true
            let tmp = getenv("TMPDIR").map { String(cString: $0) } ?? ""
            directory = tmp.isEmpty ? "/tmp" : tmp
        case .path(let path, let ow):
            name = path
            destination = path
            overwrite = ow
            directory = Self.directoryName(of: path)
            var st = stat()
            guard stat(directory, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
                throw FileError.noDirectory(path: directory)
            }
            var lst = stat()
            if lstat(path, &lst) == 0 {
                if (lst.st_mode & S_IFMT) == S_IFDIR { throw FileError.isDirectory(path: path) }
                var target = stat()
                if stat(path, &target) == 0, let id = input?.identity,
                   UInt64(target.st_dev) == id.dev, UInt64(target.st_ino) == id.ino, !allowSameFile {
                    throw FileError.sameFile(path: path)
                }
                if !ow { throw FileError.exists(path: path) }
            }
        }
        let base = destination.map { Self.baseName(of: $0) } ?? "stdout"
        var opened: Int32 = -1
        var path = ""
        for _ in 0..<16 {
            path = directory + "/." + base + ".nbkey-" + Hex.encode(Sodium.randomBytes(6)) + ".tmp"
            opened = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if opened >= 0 || errno != EEXIST { break }
        }
        guard opened >= 0 else { throw FileError.cannotWrite(path: name, reason: errnoText()) }
        fd = opened
        if destination == nil {
            unlink(path)
            tempPath = nil
        } else {
            tempPath = path
        }
    }

    deinit {
        if !finished { abort() }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if let staging {
            try writeDirect(bytes, staging)
            return
        }
        try writeFully(fd, bytes, name: name)
        written += Int64(bytes.count)
        // Start writeback as we go, so the fsync at commit has little left to wait for.
        if destination != nil, written - writebackStart >= Self.writebackStep {
            _ = nbkey_start_writeback(fd, off_t(writebackStart), off_t(written - writebackStart))
            writebackStart = written
        }
    }

    /// Large outputs are written with O_DIRECT: no page-cache copy and no fresh page per 4 KiB,
    /// which on a VM that returns freed memory to its host costs more than the copy itself.
    /// Aligned writes go straight to the file; anything else (a 48-byte header, a tail) collects
    /// in an aligned staging buffer that is written when full. The last partial block and any
    /// patch of bytes already written (the sealed file's tag) go through the page cache at
    /// commit. Off where the file system refuses O_DIRECT (tmpfs) or with NBKEY_DIRECT_IO=0.
    private var staging: UnsafeMutableRawBufferPointer?
    private var staged = 0
    private var patches: [(offset: Int64, bytes: [UInt8])] = []
    static let directIOAlignment = 4096
    static let stagingSize = 1 << 20

    static func isDirectIOAligned(_ bytes: UnsafeRawBufferPointer, at offset: Int64) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return Int(bitPattern: base) % directIOAlignment == 0 && bytes.count % directIOAlignment == 0
            && offset % Int64(directIOAlignment) == 0
    }

    /// Asks for direct I/O on the temporary file; a no-op when unsupported.
    public func preferDirectIO() {
        guard destination != nil, written == 0, staging == nil,
              getenv("NBKEY_DIRECT_IO").map({ String(cString: $0) }) != "0",
              nbkey_set_direct_io(fd, 1) == 0 else { return }
        staging = .allocate(byteCount: Self.stagingSize, alignment: Self.directIOAlignment)
    }

    private func writeDirect(_ bytes: UnsafeRawBufferPointer, _ staging: UnsafeMutableRawBufferPointer) throws {
        if staged == 0 && Self.isDirectIOAligned(bytes, at: written) {
            try writeFully(fd, bytes, name: name)
            written += Int64(bytes.count)
            return
        }
        var rest = bytes
        while !rest.isEmpty {
            let n = min(rest.count, staging.count - staged)
            UnsafeMutableRawBufferPointer(rebasing: staging[staged..<(staged + n)]).copyMemory(from: UnsafeRawBufferPointer(rebasing: rest[0..<n]))
            staged += n
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            if staged == staging.count {
                try writeFully(fd, UnsafeRawBufferPointer(staging), name: name)
                written += Int64(staged)
                staged = 0
            }
        }
    }

    /// Leaves direct I/O: the staged tail and the patches are written through the page cache.
    private func finishDirect() throws {
        guard let staging else { return }
        defer { releaseStaging() }
        guard nbkey_set_direct_io(fd, 0) == 0 else { throw FileError.cannotWrite(path: name, reason: errnoText()) }
        try writeFully(fd, UnsafeRawBufferPointer(rebasing: staging[0..<staged]), name: name)
        written += Int64(staged)
        staged = 0
        for patch in patches {
            try patch.bytes.withUnsafeBytes { try pwriteFully(fd, $0, at: patch.offset, name: name) }
        }
        patches = []
    }

    private func releaseStaging() {
        guard let staging else { return }
        sodium_memzero(staging.baseAddress, staging.count)
        staging.deallocate()
        self.staging = nil
    }

    /// Writes a frame at `offset`, from any thread, for a writer that places the file's frames
    /// itself (multi-recipient sealing). While direct I/O is on, the offset and the length must be
    /// multiples of `directIOAlignment`. Sequential writes must wait until `resume(at:)`.
    func writeFrame(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        try pwriteFully(fd, bytes, at: offset, name: name)
    }

    /// After frames cover `0 ..< end`: sequential writes carry on from `end`.
    func resume(at end: Int64) throws {
        precondition(written == 0 && staged == 0)
        guard end > 0 else { return }
        guard lseek(fd, off_t(end), SEEK_SET) == end else { throw FileError.cannotWrite(path: name, reason: errnoText()) }
        written = end
        writebackStart = end
    }

    private static let writebackStep: Int64 = 8 << 20
    private var written: Int64 = 0
    private var writebackStart: Int64 = 0

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ secret: SecretBytes) throws {
        try secret.withUnsafeBytes { try write($0) }
    }

    /// Overwrites bytes already written (the tag of a sealed file, known only at the end).
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        precondition(offset + Int64(bytes.count) <= written + Int64(staged))
        if let staging {
            if offset >= written {
                let start = Int(offset - written)
                UnsafeMutableRawBufferPointer(rebasing: staging[start..<(start + bytes.count)]).copyMemory(from: bytes)
            } else {
                patches.append((offset, Array(bytes)))
            }
            return
        }
        try pwriteFully(fd, bytes, at: offset, name: name)
    }

    /// Makes the output visible: fsync, then rename into place (or copy to standard output).
    public func commit() throws {
        precondition(!finished)
        do {
            try finishDirect()
            if let destination, let tempPath {
                guard fchmod(fd, mode) == 0, fsync(fd) == 0 else { throw FileError.cannotWrite(path: name, reason: errnoText()) }
                if overwrite {
                    // rename replaces a symlink at the destination itself, never the file it points to.
                    guard rename(tempPath, destination) == 0 else { throw FileError.cannotWrite(path: name, reason: errnoText()) }
                } else {
                    // link fails if anything (even a dangling symlink) appeared at the destination meanwhile.
                    guard link(tempPath, destination) == 0 else {
                        if errno == EEXIST { throw FileError.exists(path: destination) }
                        throw FileError.cannotWrite(path: name, reason: errnoText())
                    }
                    unlink(tempPath)
                }
                self.tempPath = nil
                close(fd)
                finished = true
                let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if dfd >= 0 { _ = fsync(dfd); close(dfd) }
            } else {
                try copyToStandardOutput()
                close(fd)
                finished = true
            }
        } catch {
            abort()
            throw error
        }
    }

    private func copyToStandardOutput() throws {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw FileError.cannotWrite(path: name, reason: errnoText()) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { sodium_memzero(buffer.baseAddress, buffer.count); buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress!, buffer.count)
            if n < 0 { if errno == EINTR { continue }; throw FileError.cannotRead(path: "temporary file", reason: errnoText()) }
            if n == 0 { return }
            try writeFully(1, UnsafeRawBufferPointer(rebasing: buffer[0..<n]), name: name)
        }
    }

    /// Discards everything written; the destination is left as it was.
    public func abort() {
        releaseStaging()
        guard !finished else { return }
        finished = true
        if let tempPath { unlink(tempPath) }
        close(fd)
    }

    static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    public static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
