internal import CSodium

/// libsodium's one-shot crypto_box_seal and crypto_box_seal_open.
package enum BoxSeal {
    /// `ephemeral public key || tag || ciphertext`; fails for a low-order `recipient`.
    package static func seal(_ plaintext: [UInt8], to recipient: PublicKey) throws(SealedBoxError) -> [UInt8] {
        Sodium.initialize()
        var sealed = [UInt8](repeating: 0, count: plaintext.count + Sizes.sealOverhead)
        try Sodium.check(crypto_box_seal(&sealed, plaintext, UInt64(plaintext.count), recipient.bytes),
                         orThrow: SealedBoxError.invalidPublicKey)
        return sealed
    }

    /// The plaintext, or nil when the tag does not verify (changed, or sealed to another key).
    package static func open(_ sealed: [UInt8], with recipient: KeyPair) -> [UInt8]? {
        guard sealed.count >= Sizes.sealOverhead else { return nil }
        Sodium.initialize()
        var opened = [UInt8](repeating: 0, count: sealed.count - Sizes.sealOverhead)
        let rc = recipient.secretKey.withUnsafeBytes { sk in
            crypto_box_seal_open(&opened, sealed, UInt64(sealed.count), recipient.publicKey.bytes,
                                 sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard Sodium.succeeded(rc) else { return nil }
        return opened
    }

    /// nonce = BLAKE2b-192(ephemeral public key || recipient public key), as libsodium does.
    package static func nonce(ephemeral: PublicKey, recipient: PublicKey) -> [UInt8] {
        Blake2b.hash(ephemeral.bytes + recipient.bytes, outputLength: Sizes.boxNonce)
    }
}
