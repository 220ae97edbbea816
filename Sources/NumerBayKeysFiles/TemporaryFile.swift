import NumerBayKeys
import CFileIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where an output's bytes wait for their commit. On Linux, a file with no name (O_TMPFILE) in
/// the destination's directory, given its name at commit: until then nothing, not even kill -9,
/// can leave it behind. Elsewhere, and where the file system refuses O_TMPFILE, a named file
/// `.NAME.nbkey-HEX.tmp` beside the destination that nbkey's handlers for SIGINT, SIGTERM, SIGHUP
/// and SIGPIPE remove; only what cannot be caught (kill -9, a crash, a power cut) leaves it.
struct TemporaryFile {
    package let fd: Int32
    /// The name while it has one: the fallback's file, registered for removal on a signal.
    private var path: String?
    private let directory: String

    /// A file in `directory` for the output `name` (which names errors); `unnamed` false takes
    /// the fallback at once.
    init(in directory: String, for base: String, name: String, unnamed: Bool) throws {
        self.directory = directory
        if unnamed, let fd = Self.openUnnamed(in: directory) {
            self.fd = fd
            path = nil
            return
        }
        for _ in 0..<16 {
            let candidate = directory + "/" + Self.temporaryName(for: base)
            let fd = nbkey_temp_create(candidate, O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if fd >= 0 {
                self.fd = fd
                path = candidate
                return
            }
            if errno != EEXIST { break }
        }
        throw FileError.cannotWrite(path: name, reason: errnoText())
    }

    /// Removes the name, if any: for a file that is only ever read back through its descriptor.
    mutating func forgetName() {
        if let path { nbkey_temp_unlink(path) }
        path = nil
    }

    /// Gives the file the name `destination`. Without `replacing`, any existing entry there (even
    /// a dangling symlink) fails with EEXIST. With it, rename replaces a file or symlink at
    /// `destination` itself, never what a symlink points to. Returns 0 or an errno value.
    mutating func publish(as destination: String, replacing: Bool) -> Int32 {
        if let path {
            if replacing {
                guard nbkey_temp_rename(path, destination) == 0 else { return errno }
            } else {
                guard link(path, destination) == 0 else { return errno }
                nbkey_temp_unlink(path)
            }
            self.path = nil
            return 0
        }
        if !replacing { return Self.linkUnnamed(fd, as: destination) ? 0 : errno }
        // linkat cannot replace: a name of our own first, then rename. The bytes have been
        // checked by now, and the name is registered for removal on a signal.
        for _ in 0..<16 {
            let name = directory + "/" + Self.temporaryName(for: AtomicOutput.baseName(of: destination))
            guard nbkey_temp_link_unnamed(fd, name) == 0 else {
                if errno == EEXIST { continue }
                return errno
            }
            guard nbkey_temp_rename(name, destination) == 0 else {
                let code = errno
                nbkey_temp_unlink(name)
                return code
            }
            return 0
        }
        return EEXIST
    }

    /// Removes the file (its name, if it has one) and closes it.
    mutating func discard() {
        forgetName()
        close(fd)
    }

    /// `.NAME.nbkey-HEX.tmp`, with NAME shortened so that the whole fits in NAME_MAX (255 bytes).
    static func temporaryName(for base: String) -> String {
        let suffix = ".nbkey-" + Hex.encode(Sodium.randomBytes(6)) + ".tmp"
        var name = Substring(base)
        while 1 + name.utf8.count + suffix.utf8.count > 255 { name = name.dropLast() }
        return "." + name + suffix
    }

    // The one platform seam: O_TMPFILE and its linkat.
    #if os(Linux)
    private static func openUnnamed(in directory: String) -> Int32? {
        let fd = nbkey_open_unnamed(directory, 0o600)
        return fd >= 0 ? fd : nil
    }

    private static func linkUnnamed(_ fd: Int32, as path: String) -> Bool {
        nbkey_link_unnamed(fd, path) == 0
    }
    #else
    private static func openUnnamed(in directory: String) -> Int32? { nil }

    private static func linkUnnamed(_ fd: Int32, as path: String) -> Bool {
        errno = EOPNOTSUPP
        return false
    }
    #endif
}
