internal import CSodium

/// libsodium's base64 codec (sodium_bin2base64, sodium_base642bin), the original alphabet with
/// `=` padding. `Base64` builds the strict encoding on these.
package enum SodiumBase64 {
    private static let variant = sodium_base64_VARIANT_ORIGINAL

    /// Characters in the encoding of `count` bytes (without libsodium's terminating NUL).
    package static func encodedLength(_ count: Int) -> Int {
        sodium_base64_encoded_len(count, variant) - 1
    }

    /// Writes the encoding of `input` to `output`, which has room for `encodedLength` + 1 bytes
    /// (libsodium ends it with a NUL).
    package static func encode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        Sodium.initialize()
        precondition(output.count >= encodedLength(input.count) + 1)
        let end = sodium_bin2base64(output.baseAddress!.assumingMemoryBound(to: CChar.self), output.count,
                                    input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count, variant)
        // It returns its output, or aborts on a buffer too small (checked above).
        Sodium.mustSucceed(end == nil ? -1 : 0, "sodium_bin2base64")
    }

    /// Decodes `text` into `output` (at least `text.count / 4 * 3 + 3` bytes); the decoded
    /// length, or nil unless all of `text` is base64 that libsodium accepts.
    package static func decode(_ text: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        Sodium.initialize()
        precondition(output.count >= text.count / 4 * 3 + 3)
        var decodedLength = 0
        var end: UnsafePointer<CChar>? = nil
        let empty: [CChar] = [0]
        return empty.withUnsafeBufferPointer { e -> Int? in
            // An empty buffer's base address may be nil; libsodium wants a pointer.
            let input = text.baseAddress?.assumingMemoryBound(to: CChar.self) ?? e.baseAddress!
            let rc = sodium_base642bin(output.baseAddress!.assumingMemoryBound(to: UInt8.self), output.count,
                                       input, text.count, nil, &decodedLength, &end, variant)
            // All of the input must be base64: libsodium stops quietly at the first other byte.
            guard Sodium.succeeded(rc), let end, end == input + text.count else { return nil }
            return decodedLength
        }
    }
}
