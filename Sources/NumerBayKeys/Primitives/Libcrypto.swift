internal import CLibcrypto

/// HMAC, PBKDF2 and AES-128-CTR from OpenSSL's libcrypto. OpenSSL returns 1 for success.
package enum Libcrypto {
    static func mustSucceed(_ rc: Int32, _ what: StaticString) {
        if rc != 1 { preconditionFailure("libcrypto \(what) failed on valid arguments") }
    }

    static func hmacSHA512(key: SecretBytes, data: SecretBytes) -> SecretBytes {
        let out = SecretBytes(count: 64)
        var length: UInt32 = 64
        out.withUnsafeMutableBytes { o in
            key.withUnsafeBytes { k in
                data.withUnsafeBytes { d in
                    let r = HMAC(EVP_sha512(), k.baseAddress, Int32(k.count), d.baseAddress!.assumingMemoryBound(to: UInt8.self), d.count,
                                 o.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
                    precondition(r != nil && length == 64, "libcrypto HMAC-SHA512 failed")
                }
            }
        }
        return out
    }

    package static func pbkdf2(password: SecretBytes, salt: SecretBytes, iterations: Int, sha512: Bool, length: Int) -> SecretBytes {
        let out = SecretBytes(count: length)
        out.withUnsafeMutableBytes { o in
            password.withUnsafeBytes { p in
                salt.withUnsafeBytes { s in
                    mustSucceed(PKCS5_PBKDF2_HMAC(p.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(p.count),
                                                  s.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(s.count),
                                                  Int32(iterations), sha512 ? EVP_sha512() : EVP_sha256(), Int32(length),
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
