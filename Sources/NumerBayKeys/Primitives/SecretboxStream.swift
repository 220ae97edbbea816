internal import CSodium

/// XSalsa20-Poly1305 (crypto_secretbox) split into its halves so a message of any length can be
/// processed in chunks: keystream bytes 0..31 are the Poly1305 key, the message is XORed with the
/// keystream from byte 32 on, and the tag is Poly1305 over the ciphertext. Because XSalsa20 is
/// seekable by block counter, `xor(_:at:)` may run on several threads at once for disjoint
/// ranges; `authenticate` must see the ciphertext in order.
package final class SecretboxStream: @unchecked Sendable {
    private let key: SecretBytes
    private let nonce: [UInt8]
    private let state: UnsafeMutablePointer<crypto_onetimeauth_state>
    package static let blockSize = 64
    /// Keystream bytes consumed by the Poly1305 key before the message starts.
    package static let macKeyBytes = 32

    package init(key: SecretBytes, nonce: [UInt8]) {
        precondition(key.count == Sizes.secretboxKey && nonce.count == Sizes.secretboxNonce)
        self.key = key
        self.nonce = nonce
        state = .allocate(capacity: 1)
        let macKey = SecretBytes(count: Self.macKeyBytes)
        macKey.withUnsafeMutableBytes { mk in
            key.withUnsafeBytes { k in
                Sodium.mustSucceed(crypto_stream_xsalsa20(mk.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(Self.macKeyBytes),
                                                          nonce, k.baseAddress!.assumingMemoryBound(to: UInt8.self)),
                                   "crypto_stream_xsalsa20")
            }
            Sodium.mustSucceed(crypto_onetimeauth_init(state, mk.baseAddress!.assumingMemoryBound(to: UInt8.self)),
                               "crypto_onetimeauth_init")
        }
    }

    deinit {
        sodium_memzero(state, MemoryLayout<crypto_onetimeauth_state>.size)
        state.deallocate()
    }

    /// XORs `buffer` in place with the keystream for message bytes `offset ..< offset + count`.
    package func xor(_ buffer: UnsafeMutableRawBufferPointer, at offset: Int64) {
        xor(UnsafeRawBufferPointer(buffer), into: buffer, at: offset)
    }

    /// Writes `input` XOR the keystream for message bytes `offset ..< offset + count` into
    /// `output` (the same memory, or another buffer of at least that size).
    package func xor(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, at offset: Int64) {
        precondition(output.count >= input.count)
        guard input.count > 0 else { return }
        var done = 0
        var position = offset + Int64(Self.macKeyBytes)
        key.withUnsafeBytes { kraw in
            let k = kraw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let src = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let dst = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let within = Int(position % Int64(Self.blockSize))
            if within != 0 {
                // A chunk that starts inside a keystream block: make that block and use its tail.
                var block = [UInt8](repeating: 0, count: Self.blockSize)
                Sodium.mustSucceed(crypto_stream_xsalsa20_xor_ic(&block, block, UInt64(Self.blockSize), nonce,
                                                                 UInt64(position / Int64(Self.blockSize)), k),
                                   "crypto_stream_xsalsa20_xor_ic")
                let n = min(Self.blockSize - within, input.count)
                for i in 0..<n { dst[i] = src[i] ^ block[within + i] }
                sodium_memzero(&block, Self.blockSize)
                done = n
                position += Int64(n)
            }
            if done < input.count {
                Sodium.mustSucceed(crypto_stream_xsalsa20_xor_ic(dst + done, src + done, UInt64(input.count - done), nonce,
                                                                 UInt64(position / Int64(Self.blockSize)), k),
                                   "crypto_stream_xsalsa20_xor_ic")
            }
        }
    }

    package func authenticate(_ ciphertext: UnsafeRawBufferPointer) {
        guard let base = ciphertext.baseAddress, ciphertext.count > 0 else { return }
        Sodium.mustSucceed(crypto_onetimeauth_update(state, base.assumingMemoryBound(to: UInt8.self), UInt64(ciphertext.count)),
                           "crypto_onetimeauth_update")
    }

    /// The Poly1305 tag over everything authenticated so far. Call once.
    package func tag() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Sizes.secretboxTag)
        Sodium.mustSucceed(crypto_onetimeauth_final(state, &out), "crypto_onetimeauth_final")
        return out
    }

    /// Constant-time comparison of the computed tag with `expected`.
    package func verify(_ expected: [UInt8]) -> Bool {
        let computed = tag()
        return expected.count == Sizes.secretboxTag && Sodium.succeeded(crypto_verify_16(computed, expected))
    }
}
