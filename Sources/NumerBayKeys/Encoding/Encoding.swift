/// Strict base64 (RFC 4648 §4, `=` padding) and hex, both through libsodium. Decoding accepts
/// exactly one encoding per value: no whitespace, no missing padding, no stray trailing bits.
public enum Base64 {
    /// The canonical base64 text of `bytes`, with padding.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let input = Array(bytes)
        var out = [UInt8](repeating: 0, count: SodiumBase64.encodedLength(input.count) + 1)
        input.withUnsafeBytes { inp in out.withUnsafeMutableBytes { SodiumBase64.encode(inp, into: $0) } }
        return String(decoding: out.dropLast(), as: UTF8.self)
    }

    /// Encodes a secret into wiped memory (ASCII bytes), so no String copy of it is left behind.
    public static func encodeSecret(_ secret: SecretBytes) -> SecretBytes {
        let encodedLength = SodiumBase64.encodedLength(secret.count)
        let out = SecretBytes(count: encodedLength + 1)
        secret.withUnsafeBytes { inp in out.withUnsafeMutableBytes { SodiumBase64.encode(inp, into: $0) } }
        // Drop the terminating NUL.
        return out.slice(0..<encodedLength)
    }

    /// Decodes into plain bytes, or nil when `text` is not canonical base64.
    public static func decode(_ text: String) -> [UInt8]? {
        guard let secret = decodeSecret(text) else { return nil }
        return secret.exposedBytes()
    }

    /// Decodes straight into wiped memory, or nil when `text` is not canonical base64.
    public static func decodeSecret(_ text: String) -> SecretBytes? {
        Array(text.utf8).withUnsafeBytes { decodeSecret(bytes: $0) }
    }

    /// Decodes base64 text given as bytes straight into wiped memory; nil unless canonical.
    static func decodeSecret(bytes text: UnsafeRawBufferPointer) -> SecretBytes? {
        let out = SecretBytes(count: text.count / 4 * 3 + 3)
        guard let decodedLength = out.withUnsafeMutableBytes({ SodiumBase64.decode(text, into: $0) }) else { return nil }
        return out.slice(0..<decodedLength)
    }
}

/// Lowercase hex out; either case in, an even number of digits and nothing else.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Two lowercase hex digits per byte, no prefix.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes an even number of hex digits (either case), nothing else; nil otherwise.
    public static func decodeSecret<C: Collection>(_ text: C) -> SecretBytes? where C.Element == UInt8 {
        let chars = Array(text)
        guard chars.count % 2 == 0 else { return nil }
        let out = SecretBytes(count: chars.count / 2)
        var ok = true
        out.withUnsafeMutableBytes { o in
            for i in 0..<(chars.count / 2) {
                guard let hi = value(chars[2 * i]), let lo = value(chars[2 * i + 1]) else { ok = false; return }
                o[i] = hi << 4 | lo
            }
        }
        return ok ? out : nil
    }

    /// Decodes into plain bytes, or nil when `text` is not an even number of hex digits.
    public static func decode(_ text: String) -> [UInt8]? {
        decodeSecret(text.utf8)?.exposedBytes()
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

