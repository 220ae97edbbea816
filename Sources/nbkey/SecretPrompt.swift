import ArgumentParser
import NumerBayKeys
#if canImport(Glibc)
import Glibc
#endif

/// Passwords and passphrases: from a file, else an environment variable, else a no-echo prompt
/// on the terminal. Never from argv.
enum SecretPrompt {
    static func read(file: String?, environment: String, prompt: String, confirm: Bool = false) throws -> SecretBytes {
        if let file {
            return try KeyFileIO.readSecretFile(file).trimmingTrailingWhitespace()
        }
        if let value = getenv(environment) {
            return SecretBytes(copying: UnsafeRawBufferPointer(start: value, count: strlen(value)))
        }
        let first = try ask(prompt, environment: environment)
        if confirm {
            let second = try ask("again: " + prompt, environment: environment)
            guard first.constantTimeEquals(second) else { throw CLIError(message: "the two passphrases differ") }
        }
        return first
    }

    /// Reads one line from /dev/tty with echo off.
    private static func ask(_ prompt: String, environment: String) throws -> SecretBytes {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard tty >= 0 else {
            throw CLIError(message: "no terminal to ask for the \(prompt)", hint: "use the file option or set \(environment)")
        }
        defer { close(tty) }
        var saved = termios()
        let isTerminal = tcgetattr(tty, &saved) == 0
        if isTerminal { QuietTerminal.enter(tty, saved: saved) }
        defer { if isTerminal { QuietTerminal.leave() } }
        let label = "enter " + prompt + ": "
        _ = Glibc.write(tty, label, label.utf8.count)
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
            throw CLIError(message: "\(prompt) is too long")
        }
        return line.slice(0..<length).trimmingTrailingWhitespace()
    }
}

/// The terminal a prompt has switched to no echo. Every way out puts it back: `leave` after the
/// line (or an error), and a handler for the signals that end the process (Ctrl-C, Ctrl-\\, a
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
            installed[i] = unsafeBitCast(previous[i].__sigaction_handler.sa_handler, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self)
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

/// The C struct (`sigaction` alone also names the function).
private typealias SignalAction = sigaction

/// The passphrase of a protected NumerBay key file.
struct PassphraseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("File holding the key file's passphrase (else NBKEY_PASSPHRASE, else a prompt).", valueName: "file"))
    var passphraseFile: String?

    func passphrase(confirm: Bool = false) throws -> SecretBytes {
        try SecretPrompt.read(file: passphraseFile, environment: "NBKEY_PASSPHRASE", prompt: "key file passphrase", confirm: confirm)
    }
}
