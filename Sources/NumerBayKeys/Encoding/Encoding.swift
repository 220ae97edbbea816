internal import CSodium

/// Strict base64 (RFC 4648 §4, `=` padding) and hex, both through libsodium. Decoding accepts
/// exactly one encoding per value: no whitespace, no missing padding, no stray trailing bits.
public enum Base64 {
    /// The canonical base64 text of `bytes`, with padding.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        Sodium.initialize()
        let input = Array(bytes)
        let encodedLength = sodium_base64_encoded_len(input.count, sodium_base64_VARIANT_ORIGINAL)
        var out = [CChar](repeating: 0, count: encodedLength)
        input.withUnsafeBufferPointer { inp in
            _ = sodium_bin2base64(&out, encodedLength, inp.baseAddress, inp.count, sodium_base64_VARIANT_ORIGINAL)
        }
        return String(decoding: out.prefix(encodedLength - 1).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Encodes a secret into wiped memory (ASCII bytes), so no String copy of it is left behind.
    public static func encodeSecret(_ secret: SecretBytes) -> SecretBytes {
        Sodium.initialize()
        let encodedLength = sodium_base64_encoded_len(secret.count, sodium_base64_VARIANT_ORIGINAL)
        let out = SecretBytes(count: encodedLength)
        secret.withUnsafeBytes { inp in
            out.withUnsafeMutableBytes { o in
                _ = sodium_bin2base64(o.baseAddress!.assumingMemoryBound(to: CChar.self), encodedLength,
                                      inp.baseAddress?.assumingMemoryBound(to: UInt8.self), inp.count,
                                      sodium_base64_VARIANT_ORIGINAL)
            }
        }
        // Drop the terminating NUL.
        return out.slice(0..<(encodedLength - 1))
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
        Sodium.initialize()
        let capacity = text.count / 4 * 3 + 3
        let out = SecretBytes(count: capacity)
        var decodedLength = 0
        var end: UnsafePointer<CChar>? = nil
        let empty: [CChar] = [0]
        let rc: Int32 = out.withUnsafeMutableBytes { o in
            empty.withUnsafeBufferPointer { e in
                let input = text.baseAddress?.assumingMemoryBound(to: CChar.self) ?? e.baseAddress!
                let rc = sodium_base642bin(o.baseAddress!.assumingMemoryBound(to: UInt8.self), capacity,
                                           input, text.count, nil, &decodedLength, &end,
                                           sodium_base64_VARIANT_ORIGINAL)
                // All of the input must be base64: libsodium stops quietly at the first other byte.
                if rc == 0, let end, end != input + text.count { return -1 }
                return rc
            }
        }
        guard rc == 0 else { return nil }
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

