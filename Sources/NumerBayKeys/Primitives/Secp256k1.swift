internal import CSecp256k1

/// Thin wrappers over libsecp256k1. Every argument is validated before the call: the library's
/// illegal-argument callback aborts the process.
enum Secp256k1 {
    // A context is read-only after creation and safe to share between threads. It is
    // randomized once, here: the seed blinds every multiplication of a secret key by the base
    // point (signing, public keys), against timing and power side channels.
    nonisolated(unsafe) static let context: OpaquePointer = {
        guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY)) else {
            preconditionFailure("libsecp256k1: secp256k1_context_create failed")
        }
        let seed = SecretBytes.random(count: 32)
        seed.withUnsafeBytes {
            mustSucceed(secp256k1_context_randomize(ctx, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)), "secp256k1_context_randomize")
        }
        return ctx
    }()

    /// libsecp256k1's convention, in one place: 1 is success (or "valid"), 0 failure.
    static func succeeded(_ rc: Int32) -> Bool { rc == 1 }

    /// For calls that cannot fail on valid arguments: a failure is a libsecp256k1 bug.
    static func mustSucceed(_ rc: Int32, _ what: StaticString) {
        if !succeeded(rc) { preconditionFailure("libsecp256k1 \(what) failed on valid arguments") }
    }

    /// True when `key` is 32 bytes and 1 ≤ key < n.
    static func isValidSecretKey(_ key: SecretBytes) -> Bool {
        key.count == 32 && key.withUnsafeBytes {
            succeeded(secp256k1_ec_seckey_verify(context, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)))
        }
    }

    /// The 64-byte uncompressed public key, without its 0x04 prefix.
    static func publicKey(of key: SecretBytes) -> [UInt8] {
        serialize(point(of: key))
    }

    private static func point(of key: SecretBytes) -> secp256k1_pubkey {
        precondition(isValidSecretKey(key))
        var pubkey = secp256k1_pubkey()
        key.withUnsafeBytes {
            mustSucceed(secp256k1_ec_pubkey_create(context, &pubkey, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)),
                        "secp256k1_ec_pubkey_create")
        }
        return pubkey
    }

    /// Uncompressed (64 bytes, no 0x04 prefix) or compressed (33 bytes) serialization.
    static func serialize(_ pubkey: secp256k1_pubkey, compressed: Bool = false) -> [UInt8] {
        var pk = pubkey
        var out = [UInt8](repeating: 0, count: 65)
        var length = compressed ? 33 : 65
        mustSucceed(secp256k1_ec_pubkey_serialize(context, &out, &length, &pk,
                                                  UInt32(compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED)),
                    "secp256k1_ec_pubkey_serialize")
        return compressed ? Array(out[0..<33]) : Array(out[1..<65])
    }

    /// Recoverable ECDSA over a 32-byte digest, RFC 6979 nonce (the library default), low-s.
    /// Returns r || s and the recovery id.
    static func signRecoverable(digest: [UInt8], key: SecretBytes) -> (rs: [UInt8], recoveryID: Int32) {
        precondition(digest.count == 32 && isValidSecretKey(key))
        var sig = secp256k1_ecdsa_recoverable_signature()
        key.withUnsafeBytes {
            mustSucceed(secp256k1_ecdsa_sign_recoverable(context, &sig, digest, $0.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                                         nil, nil),
                        "secp256k1_ecdsa_sign_recoverable")
        }
        var rs = [UInt8](repeating: 0, count: 64)
        var recid: Int32 = 0
        mustSucceed(secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &rs, &recid, &sig),
                    "secp256k1_ecdsa_recoverable_signature_serialize_compact")
        return (rs, recid)
    }

    /// The uncompressed public key (64 bytes) that made `rs` with `recoveryID` over `digest`, or
    /// nil for a signature that recovers to nothing (r or s zero or ≥ n, invalid id).
    static func recover(digest: [UInt8], rs: [UInt8], recoveryID: Int32) -> [UInt8]? {
        guard digest.count == 32, rs.count == 64, (0...3).contains(recoveryID) else { return nil }
        var sig = secp256k1_ecdsa_recoverable_signature()
        guard succeeded(secp256k1_ecdsa_recoverable_signature_parse_compact(context, &sig, rs, recoveryID)) else { return nil }
        var pubkey = secp256k1_pubkey()
        guard succeeded(secp256k1_ecdsa_recover(context, &pubkey, &sig, digest)) else { return nil }
        return serialize(pubkey)
    }
}

extension Secp256k1 {
    /// The 33-byte compressed public key (BIP-32's serP).
    static func compressedPublicKey(of key: SecretBytes) -> [UInt8] {
        serialize(point(of: key), compressed: true)
    }

    /// key + tweak mod n, in place; false when the tweak is ≥ n or the result is zero (BIP-32
    /// then says to skip this index).
    static func addTweak(_ key: SecretBytes, _ tweak: SecretBytes) -> Bool {
        precondition(key.count == 32 && tweak.count == 32 && isValidSecretKey(key))
        return key.withUnsafeMutableBytes { k in
            tweak.withUnsafeBytes { t in
                succeeded(secp256k1_ec_seckey_tweak_add(context, k.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                                        t.baseAddress!.assumingMemoryBound(to: UInt8.self)))
            }
        }
    }
}
