internal import CSodium

/// SHA-256 (libsodium crypto_hash_sha256): the BIP-39 checksum.
package enum SHA256 {
    package static func hash(_ input: [UInt8]) -> [UInt8] {
        Sodium.initialize()
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_bytes()))
        Sodium.mustSucceed(crypto_hash_sha256(&out, input, UInt64(input.count)), "crypto_hash_sha256")
        return out
    }
}
