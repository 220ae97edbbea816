import ArgumentParser
import NumerBayKeys
import NumerBayKeysFiles
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
        ProgressBar.clearActive()
        for text in pending { StandardStreams.writeErr(Array((text + "\n").utf8)) }
        pending = []
    }

    static func fail(_ message: String, hint: String?, code: Int32) -> Never {
        ProgressBar.clearActive()
        var text = "error: " + oneLine(message) + "\n"
        if let hint { text += "hint: " + oneLine(hint) + "\n" }
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
        fail(message, hint: suggestion(for: message) ?? "run 'nbkey help' for usage", code: code == .validationFailure ? 64 : code.rawValue)
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// "did you mean 'decrypt'?" for a misspelled subcommand: one within two edits of the word
    /// the parser did not expect, among the subcommands of the command typed so far.
    private static func suggestion(for message: String) -> String? {
        guard message.hasPrefix("unexpected argument '"), let word = message.split(separator: "'").dropFirst().first,
              !word.hasPrefix("-") else { return nil }
        var command: any ParsableCommand.Type = NBKey.self
        for argument in CommandLine.arguments.dropFirst().prefix(while: { $0 != word }) {
            if let sub = command.configuration.subcommands.first(where: { $0._commandName == argument }) { command = sub }
        }
        let names = command.configuration.subcommands.map { $0._commandName }
        guard let best = names.min(by: { editDistance($0, String(word)) < editDistance($1, String(word)) }),
              editDistance(best, String(word)) <= 2 else { return nil }
        return "did you mean '\(best)'?"
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }

    static func quoted(_ name: String) -> String { DisplayText.quoted(name) }

    static func oneLine(_ text: String) -> String { DisplayText.oneLine(text) }
}
