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
        if isTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(tty, TCSAFLUSH, &quiet)
        }
        defer {
            if isTerminal {
                tcsetattr(tty, TCSAFLUSH, &saved)
                _ = Glibc.write(tty, "\n", 1)
            }
        }
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

/// The passphrase of a protected NumerBay key file.
struct PassphraseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("File holding the key file's passphrase (else NBKEY_PASSPHRASE, else a prompt).", valueName: "file"))
    var passphraseFile: String?

    func passphrase(confirm: Bool = false) throws -> SecretBytes {
        try SecretPrompt.read(file: passphraseFile, environment: "NBKEY_PASSPHRASE", prompt: "key file passphrase", confirm: confirm)
    }
}
