internal import CSodium

/// Process-wide libsodium state and the one place its return codes are checked.
package enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0

    package static func initialize() {
        precondition(initialized, "libsodium failed to initialise (sodium_init < 0)")
    }

    /// libsodium's convention, in one place: 0 is success (or "equal", "verified"), anything
    /// else failure.
    package static func succeeded(_ rc: Int32) -> Bool { rc == 0 }

    /// A failure becomes `error`.
    package static func check(_ rc: Int32, _ error: @autoclosure () -> Error) throws {
        if !succeeded(rc) { throw error() }
    }

    /// The same with a typed error, for callers that throw one error type.
    package static func check<E: Error>(_ rc: Int32, orThrow error: @autoclosure () -> E) throws(E) {
        if !succeeded(rc) { throw error() }
    }

    /// For calls that cannot fail on valid arguments: a failure is a libsodium bug.
    package static func mustSucceed(_ rc: Int32, _ what: StaticString) {
        if !succeeded(rc) { preconditionFailure("libsodium \(what) failed on valid arguments") }
    }

    package static func randomBytes(_ count: Int) -> [UInt8] {
        initialize()
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { if count > 0 { randombytes_buf($0.baseAddress!, count) } }
        return out
    }

    /// Zeroes `bytes` in a way the compiler does not remove (sodium_memzero).
    package static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { sodium_memzero(base, $0.count) } }
    }

    /// Constant-time comparison (sodium_memcmp) of two byte strings of the same length.
    package static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && (a.isEmpty || succeeded(sodium_memcmp(a, b, a.count)))
    }
}

/// Sizes read from libsodium, named once.
package enum Sizes {
    package static let publicKey = Int(crypto_box_publickeybytes())      // 32
    package static let secretKey = Int(crypto_box_secretkeybytes())      // 32
    package static let boxNonce = Int(crypto_box_noncebytes())           // 24
    package static let boxTag = Int(crypto_box_macbytes())               // 16
    package static let sharedKey = Int(crypto_box_beforenmbytes())       // 32
    package static let sealOverhead = Int(crypto_box_sealbytes())        // 48
    package static let secretboxKey = Int(crypto_secretbox_keybytes())   // 32
    package static let secretboxNonce = Int(crypto_secretbox_noncebytes()) // 24
    package static let secretboxTag = Int(crypto_secretbox_macbytes())   // 16
}

