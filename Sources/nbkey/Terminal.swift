import ArgumentParser
import NumerBayKeys
#if canImport(Glibc)
import Glibc
#endif

/// Errors of the command line itself (not of the library).
struct CLIError: NBKeyError {
    let message: String
    var hint: String? = nil
}

enum Terminal {
    static func writeOut(_ text: String) throws {
        try Array(text.utf8).withUnsafeBytes { try StandardStreams.writeOut($0) }
    }

    /// Warnings and notes wait until the command has succeeded, so that a failing command's stderr
    /// is exactly its `error:` line and hints.
    nonisolated(unsafe) private static var pending: [String] = []

    static func warn(_ text: String) {
        pending.append(text)
    }

    /// A line on stderr now: what the user must act on while the command runs (the bridge's URL).
    static func say(_ text: String) {
        StandardStreams.writeErr(Array((text + "\n").utf8))
    }

    static func flushWarnings() {
        for text in pending { StandardStreams.writeErr(Array((text + "\n").utf8)) }
        pending = []
    }

    static func fail(_ message: String, hint: String?, code: Int32) -> Never {
        var text = "error: " + message + "\n"
        if let hint { text += "hint: " + hint + "\n" }
        StandardStreams.writeErr(Array(text.utf8))
        exit(code)
    }

    /// Help and version go to stdout with status 0; usage errors become one `error:` line.
    static func handleParserExit(_ error: Error) -> Never {
        let code = NBKey.exitCode(for: error)
        if code == .success {
            let text = NBKey.fullMessage(for: error)
            if !text.isEmpty { try? writeOut(text + "\n") }
            exit(0)
        }
        var message = NBKey.message(for: error)
        if let first = message.first { message = first.lowercased() + message.dropFirst() }
        message = message.split(separator: "\n").first.map(String.init) ?? "invalid usage"
        if message.hasSuffix(".") { message.removeLast() }
        fail(message, hint: "run 'nbkey help' for usage", code: code == .validationFailure ? 64 : code.rawValue)
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}
