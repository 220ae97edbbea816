import NumerBayKeys
import NumerBayKeysFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The version `--version` prints.
enum Version {
    static let string = "0.1.0"
}

enum StandardStreams {
    static func writeOut(_ bytes: UnsafeRawBufferPointer) throws {
        try writeFully(1, bytes, name: "standard output")
    }

    static func writeOut(_ secret: SecretBytes) throws {
        try secret.withUnsafeBytes { try writeOut($0) }
    }

    /// Best effort: there is nowhere left to report a failure to write to stderr.
    static func writeErr(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = try? writeFully(2, $0, name: "standard error") }
    }
}
