internal import CSodium

/// scrypt (libsodium's low-level crypto_pwhash_scryptsalsa208sha256_ll): keystore V3's KDF.
package enum Scrypt {
    /// `length` bytes derived from `password`; `error` when libsodium fails (out of memory). The
    /// caller bounds n, r and p first.
    package static func deriveKey(_ password: SecretBytes, salt: [UInt8], n: UInt64, r: UInt32, p: UInt32, length: Int,
                                  orThrow error: @autoclosure () -> Error) throws -> SecretBytes {
        let out = SecretBytes(count: length)
        let rc = out.withUnsafeMutableBytes { o in
            password.withUnsafeBytes { pw in
                crypto_pwhash_scryptsalsa208sha256_ll(pw.baseAddress!.assumingMemoryBound(to: UInt8.self), pw.count,
                                                      salt, salt.count, n, r, p,
                                                      o.baseAddress!.assumingMemoryBound(to: UInt8.self), length)
            }
        }
        try Sodium.check(rc, error())
        return out
    }
}
