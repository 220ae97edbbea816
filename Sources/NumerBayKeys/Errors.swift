/// What every error of the NumerBay libraries is: a small enum, one per area, whose cases carry
/// the facts (a path, a field, a length) and never a secret. What to do about an error is the
/// program's to say: the libraries give no hints, and name no command or option.
public protocol NBKeyError: Error, CustomStringConvertible {
    /// One line for a person: lowercase, no final period, never a secret.
    var message: String { get }
}

extension NBKeyError {
    /// The `message`.
    public var description: String { message }
}

/// A sealed box that cannot be opened or made: thrown by `SealedBox`, by `X25519` for an unusable
/// public key, and by NumerBayKeysFiles' `SealedFile`.
public enum SealedBoxError: NBKeyError, Equatable {
    /// Shorter than ephemeral key + tag: not a sealed box at all.
    case tooShort(length: Int64)
    /// The Poly1305 tag did not match: damaged, or sealed to another key.
    case authenticationFailed
    /// A low-order or otherwise unusable X25519 public key (shared secret would be all zero).
    case invalidPublicKey
    /// The sealed file would be larger than the largest file size (2^63 - 1 bytes).
    case tooLarge(length: Int64)
    /// A chunk given to `Opener.decrypt` is not the one `Opener.authenticate` saw at that index:
    /// its bytes or its length changed, or no chunk had that index.
    case inputChanged(chunk: Int)
    /// `Opener.decrypt` before `Opener.finishAuthentication` succeeded.
    case notAuthenticated

    public var message: String {
        switch self {
        case .tooShort(let n): return "not a sealed file: \(n) bytes, a sealed file has at least 48"
        case .authenticationFailed: return "authentication failed: the file is damaged or was not sealed to this key"
        case .invalidPublicKey: return "invalid public key: a low-order X25519 point"
        case .tooLarge(let n): return "a file of \(n) bytes is too large to seal: the sealed file would exceed 2^63 - 1 bytes"
        case .inputChanged(let i): return "the sealed input changed after its tag was checked: chunk \(i) differs from the one authenticated"
        case .notAuthenticated: return "nothing is decrypted before the whole sealed input is authenticated"
        }
    }
}

/// A NumerBay key that cannot be read: thrown by `PublicKey` and `KeyPair` for bad bytes or
/// text, by `KeyFile.parse` for a bad key file, and by `ProtectedKeyFile.unprotect` (`mismatch`).
public enum KeyError: NBKeyError, Equatable {
    /// The key named `what` is not canonical base64.
    case badEncoding(what: String)
    /// The key named `what` is 64 hex digits: an Ethereum-style key where base64 is expected.
    case hexNotBase64(what: String)
    /// The key named `what` decodes to `got` bytes instead of `expected`.
    case badLength(what: String, expected: Int, got: Int)
    /// The key file is not JSON, or not a JSON object; `reason` says which.
    case notJSON(reason: String)
    /// The key file has no member of this name.
    case missingField(String)
    /// The key file's public key is not the one its private key gives.
    case mismatch
    /// The key file is not UTF-8 text.
    case notUTF8

    public var message: String {
        switch self {
        case .badEncoding(let what): return "\(what) is not valid base64"
        case .hexNotBase64(let what): return "\(what) is hex (64 digits), but NumerBay public keys are base64 (44 characters)"
        case .badLength(let what, let expected, let got): return "\(what) must be \(expected) bytes, got \(got)"
        case .notJSON(let reason): return "key file is not valid JSON: \(reason)"
        case .missingField(let name): return "key file has no \"\(name)\" field"
        case .mismatch: return "key file's public key does not belong to its private key"
        case .notUTF8: return "key file is not UTF-8 text"
        }
    }
}

/// How messages show names and text from outside: one line, whatever they hold.
public enum DisplayText {
    /// A name as it is when it is plain, else in double quotes with control characters, quotes
    /// and backslashes escaped.
    public static func quoted(_ name: String) -> String {
        guard name.isEmpty || name.unicodeScalars.contains(where: { needsEscape($0) || $0 == "\"" }) else { return name }
        return "\"" + escaped(name, alsoQuotes: true) + "\""
    }

    /// Control characters escaped, so that a message stays one line.
    public static func oneLine(_ text: String) -> String {
        text.unicodeScalars.contains(where: needsEscape) ? escaped(text, alsoQuotes: false) : text
    }

    private static func needsEscape(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x20 || (0x7F...0x9F).contains(c.value) || c == "\u{2028}" || c == "\u{2029}"
    }

    private static func escaped(_ text: String, alsoQuotes: Bool) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\"" where alsoQuotes: out += "\\\""
            case "\\" where alsoQuotes: out += "\\\\"
            case _ where needsEscape(c): out += "\\u{" + String(c.value, radix: 16) + "}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// A file that cannot be read or written: thrown by NumerBayKeysFiles (`POSIXFile`,
/// `AtomicOutput`, `TemporaryFile`, the chunk pipeline). `reason` is the system's error text.
public enum FileError: NBKeyError, Equatable {
    /// open(2) failed.
    case cannotOpen(path: String, reason: String)
    /// A read failed.
    case cannotRead(path: String, reason: String)
    /// A write, a sync or the final rename failed: the output is not there.
    case cannotWrite(path: String, reason: String)
    /// The output exists and replacing it was not asked for.
    case exists(path: String)
    /// The output is the input file itself (same device and inode).
    case sameFile(path: String)
    /// The output's directory does not exist.
    case noDirectory(path: String)
    /// A directory was given where a file is expected.
    case isDirectory(path: String)
    /// A socket, a block device: neither replaced nor written to.
    case notReplaceable(path: String)
    /// The chunk pipeline could not start its worker threads.
    case cannotStartThread(reason: String)

    public var message: String {
        switch self {
        case .cannotOpen(let path, let r): let p = DisplayText.quoted(path); return "cannot open \(p): \(r)"
        case .cannotRead(let path, let r): let p = DisplayText.quoted(path); return "cannot read \(p): \(r)"
        case .cannotWrite(let path, let r): let p = DisplayText.quoted(path); return "cannot write \(p): \(r)"
        case .exists(let path): let p = DisplayText.quoted(path); return "\(p) already exists"
        case .sameFile(let path): let p = DisplayText.quoted(path); return "output \(p) is the input file"
        case .noDirectory(let path): let p = DisplayText.quoted(path); return "output directory \(p) does not exist"
        case .isDirectory(let path): let p = DisplayText.quoted(path); return "\(p) is a directory"
        case .notReplaceable(let path): let p = DisplayText.quoted(path); return "\(p) is not a regular file, a symlink, a character device or a FIFO"
        case .cannotStartThread(let r): return "cannot start a thread: \(r)"
        }
    }
}
