internal import CSodium

/// crypto_secretbox_easy: tag || XSalsa20 ciphertext.
package enum SecretBox {
    package static func seal(_ plaintext: SecretBytes, nonce: [UInt8], key: SecretBytes) -> [UInt8] {
        precondition(nonce.count == Sizes.secretboxNonce && key.count == Sizes.secretboxKey)
        var out = [UInt8](repeating: 0, count: plaintext.count + Sizes.secretboxTag)
        plaintext.withUnsafeBytes { m in
            key.withUnsafeBytes { k in
                Sodium.mustSucceed(crypto_secretbox_easy(&out, m.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(m.count),
                                                         nonce, k.baseAddress!.assumingMemoryBound(to: UInt8.self)),
                                   "crypto_secretbox_easy")
            }
        }
        return out
    }

    /// nil when the tag does not verify.
    package static func open(_ box: [UInt8], nonce: [UInt8], key: SecretBytes) -> SecretBytes? {
        guard box.count >= Sizes.secretboxTag, nonce.count == Sizes.secretboxNonce, key.count == Sizes.secretboxKey else { return nil }
        let out = SecretBytes(count: box.count - Sizes.secretboxTag)
        let rc = out.withUnsafeMutableBytes { m in
            key.withUnsafeBytes { k in
                crypto_secretbox_open_easy(m.baseAddress!.assumingMemoryBound(to: UInt8.self), box, UInt64(box.count), nonce,
                                           k.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return Sodium.succeeded(rc) ? out : nil
    }
}
