internal import CSodium

/// BLAKE2b (libsodium crypto_generichash), unkeyed: the sealed box nonce.
package enum Blake2b {
    package static func hash(_ input: [UInt8], outputLength: Int) -> [UInt8] {
        Sodium.initialize()
        var out = [UInt8](repeating: 0, count: outputLength)
        Sodium.mustSucceed(crypto_generichash(&out, outputLength, input, UInt64(input.count), nil, 0), "crypto_generichash")
        return out
    }
}
