import ArgumentParser
import NumerBayKeys
import NumerBayKeysFiles
#if canImport(Glibc)
import Glibc
#endif

/// A secret the user gave as text, and where it came from.
struct EnteredSecret {
    let secret: SecretBytes
    /// "from FILE", "from VARIABLE" or "typed at the prompt": messages name the source, never the secret.
    let source: String
    /// How nbkey 0.1 read the same input, when that differs: it dropped all trailing white space
    /// from a file or the prompt. Key files protected then need it to open.
    let formerReading: SecretBytes?
    /// "the key file passphrase from FILE ends with white space", when it does.
    let whiteSpaceNote: String?

    init(_ given: SecretBytes, what: String, source: String, formerReading: SecretBytes? = nil) throws {
        guard given.isValidUTF8 else { throw CLIError(message: "the \(what) \(source) is not valid UTF-8 text") }
        secret = given
        self.source = source
        self.formerReading = formerReading.flatMap { $0.count == given.count ? nil : $0 }
        let ends = given.whiteSpaceAtEnds
        let place = ends.start && ends.end ? "starts and ends" : ends.start ? "starts" : ends.end ? "ends" : nil
        whiteSpaceNote = place.map { "the \(what) \(source) \($0) with white space" }
        if let whiteSpaceNote { Terminal.warn("warning: " + whiteSpaceNote) }
    }

    /// A wrong-secret error, with a hint when white space at the ends may be why (warnings are
    /// not shown when a command fails).
    func explaining(_ error: any NBKeyError) -> any Error {
        guard let whiteSpaceNote else { return error }
        return CLIError(message: error.message, hint: whiteSpaceNote + ", which counts as part of it")
    }
}

/// Passwords and passphrases: from a file, else an environment variable, else a no-echo prompt
/// on the terminal. Never from argv. One rule for every source and every secret: the text must be
/// UTF-8; a file loses exactly one final line break ("\n" or "\r\n"); the environment and the
/// prompt give it exactly (the prompt without its Enter). White space at either end stays part of
/// the secret, with a warning.
enum SecretPrompt {
    static func read(_ what: String, file: String?, environment: String?, confirm: Bool = false) throws -> EnteredSecret {
        if let file {
            let raw = try KeyFileIO.readSecretFile(file, what: what, canPrompt: true)
            return try EnteredSecret(raw.removingFinalLineBreak(), what: what, source: "from \(file)",
                                     formerReading: raw.trimmingTrailingWhitespace())
        }
        if let environment, let value = getenv(environment) {
            return try EnteredSecret(SecretBytes(copying: UnsafeRawBufferPointer(start: value, count: strlen(value))),
                                     what: what, source: "from \(environment)")
        }
        let typed = try confirm ? askConfirmed(what, environment: environment) : ask("enter " + what, what, environment: environment)
        return try EnteredSecret(typed, what: what, source: "typed at the prompt", formerReading: typed.trimmingTrailingWhitespace())
    }

    /// A new secret, typed twice: a mistyped confirmation asks again, three times in all.
    private static func askConfirmed(_ what: String, environment: String?) throws -> SecretBytes {
        var note: String? = nil
        for _ in 1...3 {
            let first = try ask("enter " + what, what, environment: environment, note: note)
            if try first.constantTimeEquals(ask("confirm " + what, what, environment: environment)) { return first }
            note = "the two differ; once more"
        }
        throw CLIError(message: "the \(what) and its confirmation differed three times")
    }

    /// Reads one line from /dev/tty with echo off, after `label: ` (and a `note` line first).
    private static func ask(_ label: String, _ what: String, environment: String?, note: String? = nil) throws -> SecretBytes {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard tty >= 0 else {
            throw CLIError(message: "no terminal to ask for the \(what)",
                           hint: "use the file option" + (environment.map { " or set \($0)" } ?? ""))
        }
        defer { close(tty) }
        var saved = termios()
        let isTerminal = tcgetattr(tty, &saved) == 0
        if isTerminal { QuietTerminal.enter(tty, saved: saved) }
        defer { if isTerminal { QuietTerminal.leave() } }
        let text = (note.map { $0 + "\n" } ?? "") + label + ": "
        _ = Glibc.write(tty, text, text.utf8.count)
        let line = SecretBytes(count: 4096)
        var length = 0
        try line.withUnsafeMutableBytes { buf in
            while length < buf.count {
                var c: UInt8 = 0
                let n = Glibc.read(tty, &c, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 || c == 0x0A { return }
                buf[length] = c
                length += 1
                c = 0
            }
            throw CLIError(message: "the \(what) is too long")
        }
        return line.slice(0..<length)
    }
}

/// The terminal a prompt has switched to no echo. Every way out puts it back: `leave` after the
/// line (or an error), and a handler for the signals that end the process (Ctrl-C, Ctrl-\, a
/// hang-up, kill), which restores the terminal, reinstalls what was there before and re-raises,
/// so the exit status still names the signal. The handler makes only async-signal-safe calls.
private enum QuietTerminal {
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    nonisolated(unsafe) static var fd: Int32 = -1
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var previous = [SignalAction](repeating: SignalAction(), count: signals.count)
    nonisolated(unsafe) static var installed = [Bool](repeating: false, count: signals.count)

    static func enter(_ tty: Int32, saved: termios) {
        fd = tty
        self.saved = saved
        for (i, signal) in signals.enumerated() {
            sigaction(signal, nil, &previous[i])
            // An ignored signal (nohup) stays ignored.
            installed[i] = !previous[i].isIgnore
            if !installed[i] { continue }
            var action = SignalAction()
            action.__sigaction_handler.sa_handler = { QuietTerminal.interrupted($0) }
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(tty, TCSAFLUSH, &quiet)
    }

    /// TCSAFLUSH also drops a half-typed secret, which the shell would otherwise read and echo.
    static func restore() {
        guard fd >= 0 else { return }
        tcsetattr(fd, TCSAFLUSH, &saved)
        _ = Glibc.write(fd, "\n", 1)
    }

    static func leave() {
        restore()
        for (i, signal) in signals.enumerated() where installed[i] {
            sigaction(signal, &previous[i], nil)
        }
        fd = -1
    }

    static func interrupted(_ signal: Int32) {
        restore()
        fd = -1
        if let i = signals.firstIndex(of: signal) { sigaction(signal, &previous[i], nil) }
        // Blocked while this handler runs: delivered to the previous disposition once it returns.
        raise(signal)
    }
}

/// The passphrase of a protected NumerBay key file.
struct PassphraseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("File holding the key file's passphrase (else NBKEY_PASSPHRASE, else a prompt).", valueName: "file"))
    var passphraseFile: String?

    func passphrase(confirm: Bool = false) throws -> EnteredSecret {
        try SecretPrompt.read("key file passphrase", file: passphraseFile, environment: "NBKEY_PASSPHRASE", confirm: confirm)
    }
}
