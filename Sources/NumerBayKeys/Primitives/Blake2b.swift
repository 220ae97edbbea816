internal import CSodium

/// BLAKE2b (libsodium crypto_generichash): unkeyed, the sealed box nonce; keyed, the
/// fingerprints `Opener` keeps of the chunks it authenticated.
package enum Blake2b {
    /// The key length of keyed hashing (32).
    package static let keyLength = Int(crypto_generichash_keybytes())
    /// The shortest output libsodium allows (16).
    package static let minimumOutputLength = Int(crypto_generichash_bytes_min())

    package static func hash(_ input: [UInt8], outputLength: Int) -> [UInt8] {
        Sodium.initialize()
        var out = [UInt8](repeating: 0, count: outputLength)
        Sodium.mustSucceed(crypto_generichash(&out, outputLength, input, UInt64(input.count), nil, 0), "crypto_generichash")
        return out
    }

    /// BLAKE2b keyed with `key` (`keyLength` bytes): a MAC, unpredictable without the key.
    package static func hash(_ input: [UInt8], key: SecretBytes, outputLength: Int) -> [UInt8] {
        precondition(key.count == keyLength)
        Sodium.initialize()
        var out = [UInt8](repeating: 0, count: outputLength)
        key.withUnsafeBytes { k in
            Sodium.mustSucceed(crypto_generichash(&out, outputLength, input, UInt64(input.count),
                                                  k.baseAddress!.assumingMemoryBound(to: UInt8.self), k.count),
                               "crypto_generichash")
        }
        return out
    }
}
