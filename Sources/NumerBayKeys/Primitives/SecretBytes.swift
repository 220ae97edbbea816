internal import CSodium

/// Secret key material: on guarded, locked pages (`GuardedMemory`) or, past its budget, the
/// heap; wiped on release, never printed. No `==`: compare with `constantTimeEquals`.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible {
    private let storage: UnsafeMutableRawBufferPointer
    private let guarded: Bool
    /// The secret's length in bytes.
    public let count: Int

    /// True once a secret could not be locked in memory (it may reach swap): the program says
    /// so once; it is not an error.
    public static var memoryLockFailed: Bool { GuardedMemory.lockFailed.load(ordering: .relaxed) }

    /// `count` zero bytes.
    public init(count: Int) {
        precondition(count >= 0)
        Sodium.initialize()
        self.count = count
        // At least one byte so the base address is never nil, even for empty secrets.
        let size = max(count, 1)
        if let pointer = GuardedMemory.allocate(size) {
            storage = UnsafeMutableRawBufferPointer(start: pointer, count: size)
            guarded = true
        } else {
            storage = .allocate(byteCount: size, alignment: 16)
            guarded = false
        }
        storage.initializeMemory(as: UInt8.self, repeating: 0)
    }

    /// Copies `bytes`; the caller remains responsible for wiping its own copy.
    public convenience init<C: Collection>(copying bytes: C) where C.Element == UInt8 {
        self.init(count: bytes.count)
        UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]).copyBytes(from: bytes)
    }

    /// `count` bytes from libsodium's CSPRNG, made in place.
    public static func random(count: Int) -> SecretBytes {
        let s = SecretBytes(count: count)
        s.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, $0.count) }
        return s
    }

    deinit {
        if guarded {
            GuardedMemory.free(storage.baseAddress!)
        } else {
            sodium_memzero(storage.baseAddress, storage.count)
            storage.deallocate()
        }
    }

    /// The bytes, for the duration of `body` only. Package access: no pointer in the public API.
    package func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// The bytes, writable, for the duration of `body` only.
    package func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// A new secret holding bytes `range` of this one.
    public func slice(_ range: Range<Int>) -> SecretBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        return withUnsafeBytes { SecretBytes(copying: $0[range]) }
    }

    /// Whether both hold the same bytes, in time that depends on the length only (sodium_memcmp).
    public func constantTimeEquals(_ other: SecretBytes) -> Bool {
        guard count == other.count else { return false }
        if count == 0 { return true }
        return withUnsafeBytes { a in
            other.withUnsafeBytes { b in Sodium.succeeded(sodium_memcmp(a.baseAddress!, b.baseAddress!, count)) }
        }
    }

    /// Copies the secret out as plain bytes: only for material that is about to leave as output
    /// the user asked for (a key file they export), never for logging.
    public func exposedBytes() -> [UInt8] { withUnsafeBytes { Array($0) } }

    /// The length alone, never the bytes.
    public var description: String { "SecretBytes(\(count) bytes, redacted)" }
}

extension SecretBytes {
    /// Without trailing white space and newlines: how nbkey 0.1 read password files and prompts,
    /// kept so that key files protected then still open.
    public func trimmingTrailingWhitespace() -> SecretBytes {
        withUnsafeBytes { raw in
            var end = raw.count
            while end > 0, [0x20, 0x09, 0x0A, 0x0D].contains(raw[end - 1]) { end -= 1 }
            return slice(0..<end)
        }
    }

    /// Without one final line break ("\n" or "\r\n"): a secret file's last line as an editor
    /// writes it. Nothing else is removed.
    public func removingFinalLineBreak() -> SecretBytes {
        withUnsafeBytes { raw in
            var end = raw.count
            if end > 0, raw[end - 1] == 0x0A {
                end -= 1
                if end > 0, raw[end - 1] == 0x0D { end -= 1 }
            }
            return slice(0..<end)
        }
    }

    /// Well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
    public var isValidUTF8: Bool { withUnsafeBytes { UTF8Validation.isValid($0) } }

    /// Whether the text's first and last characters are Unicode white space. The scalars are
    /// decoded in place: the secret is never copied into a String.
    public var whiteSpaceAtEnds: (start: Bool, end: Bool) {
        withUnsafeBytes { raw in
            func isSpace(_ result: Unicode.ParseResult<UTF8.EncodedScalar>) -> Bool {
                guard case .valid(let encoded) = result else { return false }
                return UTF8.decode(encoded).properties.isWhitespace
            }
            var forward = raw.makeIterator()
            var backward = raw.reversed().makeIterator()
            var first = UTF8.ForwardParser(), last = UTF8.ReverseParser()
            return (isSpace(first.parseScalar(from: &forward)), isSpace(last.parseScalar(from: &backward)))
        }
    }
}
