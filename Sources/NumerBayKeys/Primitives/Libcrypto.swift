internal import CLibcrypto

/// HMAC, PBKDF2 and AES-128-CTR from OpenSSL's libcrypto.
package enum Libcrypto {
    /// The hash under HMAC and PBKDF2.
    package enum Digest: Sendable {
        /// SHA-256: keystore V3's `hmac-sha256` PBKDF2.
        case sha256
        /// SHA-512: BIP-39's seed and BIP-32's HMAC.
        case sha512

        var evp: OpaquePointer { self == .sha512 ? EVP_sha512() : EVP_sha256() }
        var length: Int { self == .sha512 ? 64 : 32 }
    }

    /// OpenSSL's convention, in one place: 1 is success.
    static func succeeded(_ rc: Int32) -> Bool { rc == 1 }

    /// For calls that cannot fail on valid arguments: a failure is a libcrypto bug.
    static func mustSucceed(_ rc: Int32, _ what: StaticString) {
        if !succeeded(rc) { preconditionFailure("libcrypto \(what) failed on valid arguments") }
    }

    static func hmacSHA512(key: SecretBytes, data: SecretBytes) -> SecretBytes {
        let digest = Digest.sha512
        let out = SecretBytes(count: digest.length)
        var length = UInt32(digest.length)
        out.withUnsafeMutableBytes { o in
            key.withUnsafeBytes { k in
                data.withUnsafeBytes { d in
                    // HMAC returns its output pointer, or NULL on failure.
                    let r = HMAC(digest.evp, k.baseAddress, Int32(k.count), d.baseAddress!.assumingMemoryBound(to: UInt8.self), d.count,
                                 o.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
                    mustSucceed(r != nil && length == digest.length ? 1 : 0, "HMAC")
                }
            }
        }
        return out
    }

    package static func pbkdf2(password: SecretBytes, salt: SecretBytes, iterations: Int, digest: Digest, length: Int) -> SecretBytes {
        let out = SecretBytes(count: length)
        out.withUnsafeMutableBytes { o in
            password.withUnsafeBytes { p in
                salt.withUnsafeBytes { s in
                    mustSucceed(PKCS5_PBKDF2_HMAC(p.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(p.count),
                                                  s.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(s.count),
                                                  Int32(iterations), digest.evp, Int32(length),
                                                  o.baseAddress!.assumingMemoryBound(to: UInt8.self)),
                                "PKCS5_PBKDF2_HMAC")
                }
            }
        }
        return out
    }

    /// AES-128-CTR (encryption and decryption are the same operation).
    package static func aes128CTR(key: SecretBytes, iv: [UInt8], _ input: [UInt8]) -> SecretBytes {
        precondition(key.count == 16 && iv.count == 16)
        let out = SecretBytes(count: input.count)
        guard let ctx = EVP_CIPHER_CTX_new() else { preconditionFailure("libcrypto EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        key.withUnsafeBytes { k in
            mustSucceed(EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nil, k.baseAddress!.assumingMemoryBound(to: UInt8.self), iv),
                        "EVP_EncryptInit_ex")
        }
        out.withUnsafeMutableBytes { o in
            var written: Int32 = 0
            if !input.isEmpty {
                mustSucceed(EVP_EncryptUpdate(ctx, o.baseAddress!.assumingMemoryBound(to: UInt8.self), &written, input, Int32(input.count)),
                            "EVP_EncryptUpdate")
            }
        }
        return out
    }
}
