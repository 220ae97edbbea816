internal import CSodium

/// Argon2id v1.3 (libsodium crypto_pwhash): the protected key file's passphrase KDF.
package enum Argon2id {
    package static let saltLength = Int(crypto_pwhash_saltbytes())

    /// `length` bytes derived from `passphrase`; `error` when libsodium refuses the costs (or
    /// cannot allocate `memLimit` bytes). The caller bounds the costs first.
    package static func deriveKey(_ passphrase: SecretBytes, salt: [UInt8], opsLimit: Int, memLimit: Int, length: Int,
                                  orThrow error: @autoclosure () -> Error) throws -> SecretBytes {
        guard salt.count == saltLength else { throw error() }
        let key = SecretBytes(count: length)
        let rc = key.withUnsafeMutableBytes { k in
            passphrase.withUnsafeBytes { p in
                crypto_pwhash(k.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(k.count),
                              p.baseAddress!.assumingMemoryBound(to: CChar.self), UInt64(p.count), salt,
                              UInt64(opsLimit), memLimit, crypto_pwhash_ALG_ARGON2ID13)
            }
        }
        try Sodium.check(rc, error())
        return key
    }
}
