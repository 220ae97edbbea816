import CSodium
import NumerBayKeys
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

package func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code)).lowercased()
}

/// A file opened for reading: a path, or standard input for `-`.
public final class InputFile: @unchecked Sendable {
    public let name: String
    package let fd: Int32
    private let ownsDescriptor: Bool
    /// Device and inode, to tell when an output path names this same file.
    let identity: (dev: UInt64, ino: UInt64)?
    /// Size in bytes when this is a regular file.
    public let regularFileSize: Int64?

    public init(path: String) throws {
        if path == "-" {
            name = "standard input"
            fd = 0
            ownsDescriptor = false
        } else {
            name = path
            let d = open(path, O_RDONLY | O_CLOEXEC)
            guard d >= 0 else { throw FileError.cannotOpen(path: path, reason: errnoText()) }
            fd = d
            ownsDescriptor = true
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let reason = errnoText()
            if ownsDescriptor { close(fd) }
            throw FileError.cannotOpen(path: name, reason: reason)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            if ownsDescriptor { close(fd) }
            throw FileError.isDirectory(path: name)
        }
        identity = (UInt64(st.st_dev), UInt64(st.st_ino))
        regularFileSize = (st.st_mode & S_IFMT) == S_IFREG ? Int64(st.st_size) : nil
        mode = st.st_mode
        start = regularFileSize == nil ? nil : Int64(lseek(fd, 0, SEEK_CUR))
    }

    /// An open descriptor of ours, read from its current offset (a spooled copy).
    private init(descriptor: Int32, name: String) {
        self.name = name
        fd = descriptor
        ownsDescriptor = true
        identity = nil
        var st = stat()
        regularFileSize = fstat(descriptor, &st) == 0 ? Int64(st.st_size) : nil
        mode = 0o600
        start = 0
    }

    let mode: mode_t
    /// Where the input begins: a regular file on standard input may start past its first byte.
    private let start: Int64?

    /// Whether `rewind` can go back to the first byte (a regular file, not a pipe).
    public var isRereadable: Bool { start != nil && start! >= 0 }

    /// Back to the first byte, to read the whole input again.
    public func rewind() throws {
        guard let start, start >= 0, lseek(fd, off_t(start), SEEK_SET) == start else {
            throw FileError.cannotRead(path: name, reason: "cannot read it again: \(errnoText())")
        }
    }

    /// This input if it can be read again, else a copy of it (a pipe, a FIFO) in an unnamed
    /// temporary file in `directory`, gone with the process.
    public func rereadable(temporaryDirectory directory: String = AtomicOutput.temporaryDirectory) throws -> InputFile {
        if isRereadable { return self }
        var copy = try TemporaryFile(in: directory, for: "input", name: "temporary copy of \(name)",
                                     unnamed: AtomicOutput.usesUnnamedFiles)
        copy.forgetName()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { sodium_memzero(buffer.baseAddress, buffer.count); buffer.deallocate() }
        do {
            while true {
                let n = try readFully(buffer)
                try writeFully(copy.fd, UnsafeRawBufferPointer(rebasing: buffer[0..<n]), name: "temporary copy of \(name)")
                if n < buffer.count { break }
            }
            guard lseek(copy.fd, 0, SEEK_SET) == 0 else { throw FileError.cannotRead(path: name, reason: errnoText()) }
        } catch {
            copy.discard()
            throw error
        }
        return InputFile(descriptor: copy.fd, name: name)
    }

    /// The input's permission bits, kept when a file is replaced in place.
    public var permissionBits: mode_t { mode & 0o7777 }

    deinit { if ownsDescriptor { close(fd) } }

    /// Fills `buffer` as far as the input allows; returns the count (less only at end of input).
    func readFully(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = read(fd, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError.cannotRead(path: name, reason: errnoText())
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// The whole input; for small inputs (key files, envelopes) only.
    public func readAll(limit: Int = 64 << 20) throws -> [UInt8] {
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try readFully($0) }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw FileError.cannotRead(path: name, reason: "larger than \(limit) bytes") }
            if n < chunk.count { return out }
        }
    }

    /// The whole input in wiped memory (key files, wallet secrets, passwords).
    public func readSecret(limit: Int = 1 << 20) throws -> SecretBytes {
        var capacity = 4096
        var buffer = SecretBytes(count: capacity)
        var length = 0
        while true {
            let n = try buffer.withUnsafeMutableBytes { try readFully(UnsafeMutableRawBufferPointer(rebasing: $0[length...])) }
            length += n
            if length < capacity { return buffer.slice(0..<length) }
            guard capacity < limit else { throw FileError.cannotRead(path: name, reason: "larger than \(limit) bytes") }
            capacity *= 2
            let bigger = SecretBytes(count: capacity)
            bigger.withUnsafeMutableBytes { b in buffer.withUnsafeBytes { b.copyBytes(from: $0) } }
            buffer = bigger
        }
    }

    /// True when group or others may read this file (a key file should be 0600).
    public var isGroupOrWorldReadable: Bool {
        regularFileSize != nil && (mode & (S_IRGRP | S_IROTH)) != 0
    }
}

/// Writes every byte or throws: `write` may return a short count before a full disk fails it.
package func writeFully(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, name: String) throws {
    var done = 0
    while done < buffer.count {
        let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
        if n < 0 {
            if errno == EINTR { continue }
            throw FileError.cannotWrite(path: name, reason: errnoText())
        }
        done += n
    }
}

package func pwriteFully(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int64, name: String) throws {
    var done = 0
    while done < buffer.count {
        let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
        if n < 0 {
            if errno == EINTR { continue }
            throw FileError.cannotWrite(path: name, reason: errnoText())
        }
        done += n
    }
}
