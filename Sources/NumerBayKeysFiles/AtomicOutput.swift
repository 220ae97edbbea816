import CSodium
import NumerBayKeys
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

/// An output that appears all at once or not at all. Bytes go to a temporary file in the
/// destination's directory (`TemporaryFile`: on Linux one with no name); `commit` fsyncs it and
/// gives it the destination's name. Without `commit` (an error, a failed tag check) the temporary
/// file is removed and the destination is untouched.
///
/// A stream (standard output, a FIFO, a character device such as /dev/null) cannot be replaced
/// atomically: its bytes wait in an unnamed temporary file in TMPDIR and are copied out only on
/// `commit`, so nothing unverified is ever released to a pipe. Key files, complete before their
/// first byte is written and with nothing to authenticate, go to a stream directly
/// (`buffered: false`), never through TMPDIR.
/// Not thread-safe: one thread at a time uses it (the chunk pipeline's writer thread while a file
/// streams, then the caller), hence `@unchecked Sendable`.
public final class AtomicOutput: @unchecked Sendable {
    public let name: String
    private let destination: String?
    private let overwrite: Bool
    private let mode: mode_t
    private var temporary: TemporaryFile?
    /// Where a stream's bytes go at commit (or at once, unbuffered); nil for a file.
    private let stream: Int32?
    package let fd: Int32
    private var finished = false

    /// Off: outputs never use O_TMPFILE but the named fallback, as on file systems that refuse
    /// it (the executable's NBKEY_TMPFILE=0, for tests).
    nonisolated(unsafe) public static var usesUnnamedFiles = true

    /// TMPDIR, else /tmp: where the bytes for a stream wait.
    public static var temporaryDirectory: String {
        let tmp = getenv("TMPDIR").map { String(cString: $0) } ?? ""
        return tmp.isEmpty ? "/tmp" : tmp
    }

    /// 0666 less the process umask: the mode an ordinary new file (not a key file) gets.
    public static let ordinaryFileMode: mode_t = {
        let mask = umask(0o022)
        umask(mask)
        return 0o666 & ~mask
    }()

    /// - Parameters:
    ///   - mode: permission bits of the final file (key files: 0o600).
    ///   - input: when given, refuse a destination that is this same file.
    ///   - buffered: for a stream, hold the bytes until `commit` (false: write them at once).
    ///   - unnamed: try O_TMPFILE first (tests take the fallback with false).
    public init(_ target: OutputTarget, mode: mode_t, input: InputFile? = nil, allowSameFile: Bool = false,
                buffered: Bool = true, unnamed: Bool = AtomicOutput.usesUnnamedFiles) throws {
        self.mode = mode
        var streamFD: Int32?
        switch target {
        case .standardOutput:
            name = "standard output"
            destination = nil
            overwrite = true
            streamFD = 1
        case .path(let path, let ow):
            name = path
            overwrite = ow
            streamFD = try Self.openStream(path)
            if streamFD == nil {
                destination = path
                try Self.checkDestination(path, overwrite: ow, input: input, allowSameFile: allowSameFile)
            } else {
                destination = nil
            }
        }
        stream = streamFD
        if let destination {
            let file = try TemporaryFile(in: Self.directoryName(of: destination), for: Self.baseName(of: destination),
                                         name: name, unnamed: unnamed)
            temporary = file
            fd = file.fd
        } else if buffered {
            do {
                var file = try TemporaryFile(in: Self.temporaryDirectory, for: "stdout", name: name, unnamed: unnamed)
                file.forgetName()
                temporary = file
                fd = file.fd
            } catch {
                if let streamFD, streamFD != 1 { close(streamFD) }
                throw error
            }
        } else {
            fd = streamFD!
        }
    }

    /// A destination that is written to as it is rather than replaced: standard output under
    /// another name (/dev/stdout, /dev/fd/N), a character device or a FIFO. Returns a descriptor
    /// to write to, or nil for a path to be replaced atomically.
    private static func openStream(_ path: String) throws -> Int32? {
        if let n = descriptorNumber(path) {
            let fd = n == 1 ? 1 : fcntl(n, F_DUPFD_CLOEXEC, 3)
            guard fd >= 0 else { throw FileError.cannotWrite(path: path, reason: errnoText()) }
            return fd
        }
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let kind = st.st_mode & S_IFMT
        guard kind == S_IFCHR || kind == S_IFIFO else { return nil }
        // No O_CREAT, no O_TRUNC: the device or FIFO itself, as a shell's `>` opens it.
        let fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.cannotWrite(path: path, reason: errnoText()) }
        return fd
    }

    /// N for /dev/fd/N, /proc/self/fd/N or a symlink that leads to one (/dev/stdout).
    private static func descriptorNumber(_ path: String) -> Int32? {
        var current = path
        for _ in 0..<8 {
            for prefix in ["/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/"] where current.hasPrefix(prefix) {
                return Int32(current.dropFirst(prefix.count))
            }
            var buffer = [CChar](repeating: 0, count: 4097)
            let n = readlink(current, &buffer, 4096)
            guard n > 0 else { return nil }
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : directoryName(of: current) + "/" + target
        }
        return nil
    }

    /// Refuses what must not be replaced: a directory, the input itself, anything that is not a
    /// regular file or a symlink, and (without --force) anything at all.
    private static func checkDestination(_ path: String, overwrite: Bool, input: InputFile?, allowSameFile: Bool) throws {
        let directory = directoryName(of: path)
        var st = stat()
        guard stat(directory, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw FileError.noDirectory(path: directory)
        }
        var lst = stat()
        guard lstat(path, &lst) == 0 else { return }
        let kind = lst.st_mode & S_IFMT
        if kind == S_IFDIR { throw FileError.isDirectory(path: path) }
        if kind != S_IFREG && kind != S_IFLNK { throw FileError.notReplaceable(path: path) }
        var target = stat()
        if stat(path, &target) == 0, let id = input?.identity,
           UInt64(target.st_dev) == id.dev, UInt64(target.st_ino) == id.ino, !allowSameFile {
            throw FileError.sameFile(path: path)
        }
        if !overwrite { throw FileError.exists(path: path) }
    }

    deinit {
        if !finished { abort() }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if direct {
            try writeDirect(bytes)
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
    private var direct = false
    /// Allocated at the first unaligned write: a multi-recipient output, whose frames are placed
    /// by `writeFrame`, never needs one while the input streams.
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
        guard destination != nil, written == 0, !direct,
              getenv("NBKEY_DIRECT_IO").map({ String(cString: $0) }) != "0",
              nbkey_set_direct_io(fd, 1) == 0 else { return }
        direct = true
    }

    private func writeDirect(_ bytes: UnsafeRawBufferPointer) throws {
        if staged == 0 && Self.isDirectIOAligned(bytes, at: written) {
            try writeFully(fd, bytes, name: name)
            written += Int64(bytes.count)
            return
        }
        let staging = self.staging ?? .allocate(byteCount: Self.stagingSize, alignment: Self.directIOAlignment)
        self.staging = staging
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
        guard direct else { return }
        direct = false
        defer { releaseStaging() }
        guard nbkey_set_direct_io(fd, 0) == 0 else { throw FileError.cannotWrite(path: name, reason: errnoText()) }
        if let staging {
            try writeFully(fd, UnsafeRawBufferPointer(rebasing: staging[0..<staged]), name: name)
            written += Int64(staged)
            staged = 0
        }
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

    /// After frames cover `0 ..< end`: sequential writes carry on from `end`, through the page
    /// cache (what is left is less than one block and the tag).
    func resume(at end: Int64) throws {
        precondition(written == 0 && staged == 0)
        try finishDirect()
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
        if direct {
            if offset >= written, let staging {
                let start = Int(offset - written)
                UnsafeMutableRawBufferPointer(rebasing: staging[start..<(start + bytes.count)]).copyMemory(from: bytes)
            } else {
                patches.append((offset, Array(bytes)))
            }
            return
        }
        try pwriteFully(fd, bytes, at: offset, name: name)
    }

    /// Makes the output visible: fsync, then the destination's name (or the copy to the stream).
    /// `beforePublishing` runs once the bytes are durable and before anyone can see them: a
    /// command that also prints something does it there, so that a failure to print leaves no
    /// output (and an existing file it would have replaced as it was). An unbuffered stream has
    /// had its bytes already.
    public func commit(beforePublishing: () throws -> Void = {}) throws {
        precondition(!finished)
        do {
            try finishDirect()
            if let destination {
                guard fchmod(fd, mode) == 0, fsync(fd) == 0 else { throw FileError.cannotWrite(path: name, reason: errnoText()) }
                try beforePublishing()
                let code = temporary!.publish(as: destination, replacing: overwrite)
                guard code == 0 else {
                    if code == EEXIST && !overwrite { throw FileError.exists(path: destination) }
                    throw FileError.cannotWrite(path: name, reason: errnoText(code))
                }
                temporary = nil
                close(fd)
                finished = true
                let dfd = open(Self.directoryName(of: destination), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if dfd >= 0 { _ = fsync(dfd); close(dfd) }
            } else {
                try beforePublishing()
                if temporary != nil { try copyToStream() }
                finish()
            }
        } catch {
            abort()
            throw error
        }
    }

    private func copyToStream() throws {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw FileError.cannotWrite(path: name, reason: errnoText()) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { sodium_memzero(buffer.baseAddress, buffer.count); buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress!, buffer.count)
            if n < 0 { if errno == EINTR { continue }; throw FileError.cannotRead(path: "temporary file", reason: errnoText()) }
            if n == 0 { return }
            try writeFully(stream!, UnsafeRawBufferPointer(rebasing: buffer[0..<n]), name: name)
        }
    }

    /// Discards everything written; the destination is left as it was.
    public func abort() {
        releaseStaging()
        guard !finished else { return }
        finish()
    }

    private func finish() {
        finished = true
        temporary?.discard()
        temporary = nil
        if let stream, stream != 1 { close(stream) }
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
