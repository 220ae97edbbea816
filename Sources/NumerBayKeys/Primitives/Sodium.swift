import CSodium

/// Process-wide libsodium state and the one place its return codes are checked.
enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0

    static func initialize() {
        precondition(initialized, "libsodium failed to initialise (sodium_init < 0)")
    }

    /// libsodium returns 0 for success; anything else becomes `error`.
    static func check(_ rc: Int32, _ error: @autoclosure () -> Error) throws {
        if rc != 0 { throw error() }
    }

    /// For calls that cannot fail on valid arguments: a failure is a libsodium bug.
    static func mustSucceed(_ rc: Int32, _ what: StaticString) {
        if rc != 0 { preconditionFailure("libsodium \(what) failed on valid arguments") }
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        initialize()
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { if count > 0 { randombytes_buf($0.baseAddress!, count) } }
        return out
    }
}
