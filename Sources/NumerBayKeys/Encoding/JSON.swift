// A small strict JSON reader (RFC 8259) and a writer that prints exactly what JavaScript's
// `JSON.stringify` prints. The reader keeps string values as ranges of the input, so a secret
// inside a JSON file is decoded once, straight into wiped memory, and never becomes a `String`.
// Formats read their JSON through `JSONObject` and turn these errors into their own.

/// Text that is not JSON: thrown by the JSON reader, which every format (key files, envelopes,
/// keystores, wallet messages) maps to its own error before it reaches a caller.
public enum JSONError: NBKeyError, Equatable {
    /// Not valid JSON at this byte offset (a duplicate member name counts as invalid).
    case syntax(offset: Int)
    /// The text is not well-formed UTF-8.
    case notUTF8
    /// Arrays and objects nested deeper than the reader allows.
    case tooDeep

    public var message: String {
        switch self {
        case .syntax(let offset): return "invalid JSON at byte \(offset)"
        case .notUTF8: return "not UTF-8 text"
        case .tooDeep: return "JSON nested too deeply"
        }
    }
}

/// A parsed JSON value; strings and numbers are ranges of the document's bytes.
package indirect enum JSONValue {
    case object([(key: [UInt8], value: JSONValue)])
    case array([JSONValue])
    /// Bytes `range` of the input, still escaped when `escaped` is true.
    case string(range: Range<Int>, escaped: Bool)
    case number(Range<Int>)
    case bool(Bool)
    case null

    /// The first member named `key`; duplicate members are rejected while parsing.
    package func member(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        let k = Array(key.utf8)
        return members.first { $0.key == k }?.value
    }

    package var memberKeys: [String] {
        guard case .object(let members) = self else { return [] }
        return members.map { String(decoding: $0.key, as: UTF8.self) }
    }
}

/// A parsed JSON text and the bytes its values point into. Formats use `JSONObject`; the values
/// themselves are for walking any JSON (recipients lists, the fuzz harness).
package struct JSONDocument {
    package let bytes: UnsafeRawBufferPointer
    package let root: JSONValue

    /// Parses `bytes`, which must stay alive as long as the document is used.
    package init(parsing bytes: UnsafeRawBufferPointer) throws {
        guard UTF8Validation.isValid(bytes) else { throw JSONError.notUTF8 }
        self.bytes = bytes
        var parser = Parser(bytes: bytes)
        parser.skipSpace()
        root = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.pos == bytes.count else { throw JSONError.syntax(offset: parser.pos) }
    }

    /// The unescaped bytes of a string value; nil when `value` is not a string.
    package func stringBytes(_ value: JSONValue?) -> [UInt8]? {
        guard case .string(let range, let escaped)? = value else { return nil }
        if !escaped { return Array(bytes[range]) }
        var out = [UInt8]()
        Parser.unescape(bytes, range) { out.append($0) }
        return out
    }

    /// A string value as a `String`; nil when `value` is not a string.
    package func string(_ value: JSONValue?) -> String? {
        stringBytes(value).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The unescaped bytes of a string value, in wiped memory.
    package func secretStringBytes(_ value: JSONValue?) -> SecretBytes? {
        guard case .string(let range, _)? = value else { return nil }
        var length = 0
        Parser.unescape(bytes, range) { _ in length += 1 }
        let out = SecretBytes(count: length)
        var i = 0
        out.withUnsafeMutableBytes { o in Parser.unescape(bytes, range) { o[i] = $0; i += 1 } }
        return out
    }

    /// A number written as an integer that fits in an `Int`; nil otherwise.
    package func int(_ value: JSONValue?) -> Int? {
        guard case .number(let range)? = value else { return nil }
        return Int(String(decoding: bytes[range], as: UTF8.self))
    }

    /// A number written as an integer (no fraction, no exponent), whatever its size.
    package func isIntegerLiteral(_ value: JSONValue?) -> Bool {
        guard case .number(let range)? = value else { return false }
        return bytes[range].allSatisfy { $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) }
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var pos = 0
        static let maxDepth = 64

        mutating func skipSpace() {
            while pos < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[pos]) { pos += 1 }
        }

        func fail() -> JSONError { .syntax(offset: pos) }

        mutating func expect(_ literal: String) throws {
            for c in literal.utf8 {
                guard pos < bytes.count, bytes[pos] == c else { throw fail() }
                pos += 1
            }
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < Self.maxDepth else { throw JSONError.tooDeep }
            guard pos < bytes.count else { throw fail() }
            switch bytes[pos] {
            case UInt8(ascii: "{"):
                pos += 1
                var members: [(key: [UInt8], value: JSONValue)] = []
                // A set, not a scan of the members: a hostile object with many members must not
                // cost quadratic time.
                var seen = Set<[UInt8]>()
                skipSpace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard case .string(let r, let esc) = try string() else { throw fail() }
                    var key = [UInt8]()
                    if esc { Self.unescape(bytes, r) { key.append($0) } } else { key = Array(bytes[r]) }
                    guard seen.insert(key).inserted else { throw fail() }
                    skipSpace()
                    try expect(":")
                    skipSpace()
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard pos < bytes.count else { throw fail() }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    try expect("}")
                    return .object(members)
                }
            case UInt8(ascii: "["):
                pos += 1
                var items: [JSONValue] = []
                skipSpace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard pos < bytes.count else { throw fail() }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    try expect("]")
                    return .array(items)
                }
            case UInt8(ascii: "\""): return try string()
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            default: return try number()
            }
        }

        mutating func string() throws -> JSONValue {
            try expect("\"")
            let start = pos
            var escaped = false
            while pos < bytes.count {
                let c = bytes[pos]
                if c == UInt8(ascii: "\"") {
                    pos += 1
                    return .string(range: start..<(pos - 1), escaped: escaped)
                }
                if c < 0x20 { throw fail() }
                if c == UInt8(ascii: "\\") {
                    escaped = true
                    pos += 1
                    guard pos < bytes.count else { throw fail() }
                    switch bytes[pos] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                         UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        pos += 1
                    case UInt8(ascii: "u"):
                        guard let unit = hex4(at: pos + 1) else { throw fail() }
                        pos += 5
                        if (0xD800..<0xDC00).contains(unit) {
                            // A high surrogate must be followed by an escaped low surrogate.
                            guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u"),
                                  let low = hex4(at: pos + 2), (0xDC00..<0xE000).contains(low) else { throw fail() }
                            pos += 6
                        } else if (0xDC00..<0xE000).contains(unit) {
                            throw fail()
                        }
                    default: throw fail()
                    }
                    continue
                }
                pos += 1
            }
            throw fail()
        }

        func hex4(at i: Int) -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for k in i..<(i + 4) {
                let c = bytes[k]
                let d: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - 48
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - 87
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - 55
                default: return nil
                }
                v = v << 4 | UInt32(d)
            }
            return v
        }

        mutating func number() throws -> JSONValue {
            let start = pos
            func digits() -> Int {
                let s = pos
                while pos < bytes.count, (0x30...0x39).contains(bytes[pos]) { pos += 1 }
                return pos - s
            }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < bytes.count else { throw fail() }
            if bytes[pos] == UInt8(ascii: "0") { pos += 1 } else if digits() == 0 { throw fail() }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
                pos += 1
                guard digits() > 0 else { throw fail() }
            }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
                pos += 1
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
                guard digits() > 0 else { throw fail() }
            }
            return .number(start..<pos)
        }

        /// Emits the UTF-8 bytes of an already validated string body.
        static func unescape(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ emit: (UInt8) -> Void) {
            var i = range.lowerBound
            func hex4(_ at: Int) -> UInt32 {
                var v: UInt32 = 0
                for k in at..<(at + 4) {
                    let c = bytes[k]
                    v = v << 4 | UInt32(c <= 0x39 ? c - 48 : (c | 0x20) - 87)
                }
                return v
            }
            while i < range.upperBound {
                let c = bytes[i]
                guard c == UInt8(ascii: "\\") else { emit(c); i += 1; continue }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "b"): emit(0x08)
                case UInt8(ascii: "f"): emit(0x0C)
                case UInt8(ascii: "n"): emit(0x0A)
                case UInt8(ascii: "r"): emit(0x0D)
                case UInt8(ascii: "t"): emit(0x09)
                case UInt8(ascii: "u"):
                    var scalar = hex4(i)
                    i += 4
                    if (0xD800..<0xDC00).contains(scalar) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex4(i + 2) - 0xDC00)
                        i += 6
                    }
                    for b in String(Character(Unicode.Scalar(scalar)!)).utf8 { emit(b) }
                default: emit(e)
                }
            }
        }
    }
}

package enum UTF8Validation {
    /// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
    package static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            if c < 0x80 { i += 1; continue }
            let need: Int
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return false
            }
            guard i + need < n else { return false }
            let b1 = bytes[i + 1]
            guard b1 >= lo && b1 <= hi else { return false }
            var k = 2
            while k <= need {
                guard (0x80...0xBF).contains(bytes[i + k]) else { return false }
                k += 1
            }
            i += need + 1
        }
        return true
    }

    package static func isValid(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { isValid($0) } }
}

/// A JSON object read from a parsed document: members looked up by name, each accessor throwing
/// the caller's own error, so that a format's messages stay its own. Valid only while the bytes
/// the document was parsed from are alive.
package struct JSONObject {
    /// The document the object belongs to: its string and number values are ranges of its bytes.
    package let document: JSONDocument
    /// The members in the order written; names are unique (the parser refuses duplicates).
    package let members: [(key: [UInt8], value: JSONValue)]
    /// Whether a name that matches no member exactly may match one in another case.
    private var ignoresKeyCase = false

    /// Parses `bytes` (which must outlive the object) as a JSON text whose root is an object.
    /// - Throws: `invalid(error)` when the text is not JSON, `notAnObject()` when its root is
    ///   another kind of value.
    package init(parsing bytes: UnsafeRawBufferPointer, invalid: (JSONError) -> any Error,
                 notAnObject: @autoclosure () -> any Error) throws {
        let document: JSONDocument
        do { document = try JSONDocument(parsing: bytes) } catch let error as JSONError { throw invalid(error) }
        guard let object = document.object(document.root) else { throw notAnObject() }
        self = object
    }

    /// Parses `bytes` (which must outlive the object); nil when they are not a JSON object.
    package init?(parsing bytes: UnsafeRawBufferPointer) {
        guard let document = try? JSONDocument(parsing: bytes), let object = document.object(document.root) else { return nil }
        self = object
    }

    fileprivate init(document: JSONDocument, members: [(key: [UInt8], value: JSONValue)]) {
        self.document = document
        self.members = members
    }

    /// The same object (and the objects inside it) with names matched exactly first, then in any
    /// case: for formats whose writers disagree on case (Ethereum keystores).
    package var ignoringKeyCase: JSONObject {
        var copy = self
        copy.ignoresKeyCase = true
        return copy
    }

    /// The value of member `key`, nil when there is none.
    package func value(_ key: String) -> JSONValue? {
        let k = Array(key.utf8)
        if let exact = members.first(where: { $0.key == k }) { return exact.value }
        guard ignoresKeyCase else { return nil }
        let wanted = key.lowercased()
        return members.first { String(decoding: $0.key, as: UTF8.self).lowercased() == wanted }?.value
    }

    /// True when the object has a member `key`, whatever its value.
    package func contains(_ key: String) -> Bool { value(key) != nil }

    /// True when member `key` is absent or `null`: how optional fields are left out.
    package func isAbsentOrNull(_ key: String) -> Bool {
        switch value(key) {
        case nil, .null?: return true
        default: return false
        }
    }

    /// Member `key` when it is a string, else nil.
    package func string(_ key: String) -> String? { document.string(value(key)) }

    /// Member `key`, which must be a string.
    /// - Throws: `error()` when it is absent or not a string.
    package func string(_ key: String, orThrow error: @autoclosure () -> any Error) throws -> String {
        guard let s = string(key) else { throw error() }
        return s
    }

    /// Member `key` when it is a string; nil when it is absent or `null`.
    /// - Throws: `error()` when it is another kind of value.
    package func optionalString(_ key: String, orThrow error: @autoclosure () -> any Error) throws -> String? {
        if isAbsentOrNull(key) { return nil }
        return try string(key, orThrow: error())
    }

    /// The unescaped UTF-8 bytes of member `key`, which must be a string.
    /// - Throws: `error()` when it is absent or not a string.
    package func stringBytes(_ key: String, orThrow error: @autoclosure () -> any Error) throws -> [UInt8] {
        guard let s = document.stringBytes(value(key)) else { throw error() }
        return s
    }

    /// The unescaped bytes of member `key` when it is a string; nil when it is absent or `null`.
    /// - Throws: `error()` when it is another kind of value.
    package func optionalStringBytes(_ key: String, orThrow error: @autoclosure () -> any Error) throws -> [UInt8]? {
        if isAbsentOrNull(key) { return nil }
        return try stringBytes(key, orThrow: error())
    }

    /// Member `key` when it is a string, unescaped straight into wiped memory; else nil.
    package func secretString(_ key: String) -> SecretBytes? { document.secretStringBytes(value(key)) }

    /// Member `key`, which must be a string, unescaped straight into wiped memory: a secret in a
    /// JSON file never becomes a `String`.
    /// - Throws: `error()` when it is absent or not a string.
    package func secretString(_ key: String, orThrow error: @autoclosure () -> any Error) throws -> SecretBytes {
        guard let s = secretString(key) else { throw error() }
        return s
    }

    /// Member `key` when it is an integer that fits in an `Int`, else nil.
    package func int(_ key: String) -> Int? { document.int(value(key)) }

    /// Member `key`, which must be an integer that fits in an `Int`.
    /// - Throws: `error()` when it is absent, not a number, not an integer, or too large.
    package func int(_ key: String, orThrow error: @autoclosure () -> any Error) throws -> Int {
        guard let n = int(key) else { throw error() }
        return n
    }

    /// True when member `key` is a number written as an integer, whatever its size.
    package func isIntegerLiteral(_ key: String) -> Bool { document.isIntegerLiteral(value(key)) }

    /// The text of member `key` when it is a number, as written.
    package func numberText(_ key: String) -> String? {
        guard case .number(let range)? = value(key) else { return nil }
        return String(decoding: document.bytes[range], as: UTF8.self)
    }

    /// Member `key` when it is an array: each item's string, or nil for an item that is not one.
    package func strings(_ key: String) -> [String?]? {
        guard case .array(let items)? = value(key) else { return nil }
        return items.map { document.string($0) }
    }

    /// Member `key` when it is an object, else nil.
    package func object(_ key: String) -> JSONObject? {
        guard var inner = document.object(value(key)) else { return nil }
        inner.ignoresKeyCase = ignoresKeyCase
        return inner
    }

    /// Member `key`, which must be an object.
    /// - Throws: `error()` when it is absent or another kind of value.
    package func object(_ key: String, orThrow error: @autoclosure () -> any Error) throws -> JSONObject {
        guard let inner = object(key) else { throw error() }
        return inner
    }
}

extension JSONDocument {
    /// `value` as an object of this document, nil when it is not one.
    package func object(_ value: JSONValue?) -> JSONObject? {
        guard case .object(let members)? = value else { return nil }
        return JSONObject(document: self, members: members)
    }
}

/// The one JSON writer: objects exactly as JavaScript's `JSON.stringify` prints them (members in
/// the order added, no whitespace, `/` and non-ASCII left as they are). A member may hold a
/// secret; the text is then put together only in wiped memory (`secretBytes`).
package struct JSONWriter {
    private enum Value {
        case string([UInt8])
        case secret(SecretBytes)
        /// Already JSON: a number or a list.
        case literal([UInt8])
    }

    private var members: [(key: String, value: Value)] = []

    /// An empty object: `{}`.
    package init() {}

    /// `{"k1":"v1","k2":"v2"}` with every value a string.
    package static func object(_ members: [(String, String)]) -> [UInt8] {
        var w = JSONWriter()
        for (key, value) in members { w.add(key, value) }
        return w.bytes
    }

    /// A string member.
    package mutating func add(_ key: String, _ value: String) { members.append((key, .string(Array(value.utf8)))) }

    /// A string member given as UTF-8 bytes.
    package mutating func add(_ key: String, utf8 value: [UInt8]) { members.append((key, .string(value))) }

    /// A string member whose UTF-8 bytes are a secret: they are read only when the text is
    /// written, into wiped memory.
    package mutating func add(_ key: String, secret value: SecretBytes) { members.append((key, .secret(value))) }

    /// A number member.
    package mutating func add(_ key: String, _ value: Int) { members.append((key, .literal(Array(String(value).utf8)))) }

    /// A member that is a list of strings.
    package mutating func add(_ key: String, _ values: [String]) {
        var list = [UInt8(ascii: "[")]
        for (i, value) in values.enumerated() {
            if i > 0 { list.append(UInt8(ascii: ",")) }
            Self.writeString(value.utf8) { list.append($0) }
        }
        list.append(UInt8(ascii: "]"))
        members.append((key, .literal(list)))
    }

    /// The JSON text, for an object without secret members.
    package var bytes: [UInt8] {
        precondition(!members.contains { if case .secret = $0.value { true } else { false } },
                     "JSONWriter.bytes on an object holding a secret: use secretBytes")
        var out: [UInt8] = []
        write { out.append($0) }
        return out
    }

    /// The JSON text in wiped memory: counted first, then written straight into its buffer.
    package var secretBytes: SecretBytes {
        var count = 0
        write { _ in count += 1 }
        let out = SecretBytes(count: count)
        var i = 0
        out.withUnsafeMutableBytes { o in write { o[i] = $0; i += 1 } }
        return out
    }

    private func write(_ emit: (UInt8) -> Void) {
        emit(UInt8(ascii: "{"))
        for (i, member) in members.enumerated() {
            if i > 0 { emit(UInt8(ascii: ",")) }
            Self.writeString(member.key.utf8, emit)
            emit(UInt8(ascii: ":"))
            switch member.value {
            case .string(let utf8): Self.writeString(utf8, emit)
            case .secret(let secret): secret.withUnsafeBytes { Self.writeString($0, emit) }
            case .literal(let text): text.forEach(emit)
            }
        }
        emit(UInt8(ascii: "}"))
    }

    private static func writeString(_ utf8: some Sequence<UInt8>, _ emit: (UInt8) -> Void) {
        emit(UInt8(ascii: "\""))
        for c in utf8 { escape(c, emit) }
        emit(UInt8(ascii: "\""))
    }

    private static func escape(_ c: UInt8, _ emit: (UInt8) -> Void) {
        let hex = Array("0123456789abcdef".utf8)
        switch c {
        case 0x22: emit(0x5C); emit(0x22)
        case 0x5C: emit(0x5C); emit(0x5C)
        case 0x08: emit(0x5C); emit(UInt8(ascii: "b"))
        case 0x0C: emit(0x5C); emit(UInt8(ascii: "f"))
        case 0x0A: emit(0x5C); emit(UInt8(ascii: "n"))
        case 0x0D: emit(0x5C); emit(UInt8(ascii: "r"))
        case 0x09: emit(0x5C); emit(UInt8(ascii: "t"))
        case 0..<0x20:
            for b in Array("\\u00".utf8) { emit(b) }
            emit(hex[Int(c >> 4)]); emit(hex[Int(c & 15)])
        default: emit(c)
        }
    }
}
