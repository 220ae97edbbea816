import NumerBayKeys
import NumerBayKeysFiles
#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing key files (plain or protected), with the warnings a user should see.
enum KeyFileIO {
    /// A plain or protected key file; the passphrase is asked for only when it is protected.
    static func read(_ path: String, passphrase: PassphraseOptions) throws -> KeyPair {
        let file = try readSecretFile(path, what: "key file")
        guard ProtectedKeyFile.isProtected(file) else { return try KeyFile.parse(file) }
        let entered = try passphrase.passphrase()
        do {
            return try ProtectedKeyFile.unprotect(file, passphrase: entered.secret)
        } catch ProtectedKeyError.wrongPassphrase {
            // nbkey 0.1 dropped all trailing white space from a passphrase file or the prompt;
            // a file it protected opens with that reading (never a shorter one).
            guard let former = entered.formerReading,
                  let pair = try? ProtectedKeyFile.unprotect(file, passphrase: former) else {
                throw entered.explaining(ProtectedKeyError.wrongPassphrase)
            }
            Terminal.warn("warning: \(path) opened only without the passphrase's trailing white space, as nbkey 0.1 read "
                          + "passphrases; protect it again to use the passphrase exactly as given")
            return pair
        }
    }

    /// A file holding secrets, read into wiped memory; warns when others may read it. Standard
    /// input (`-`) only through a pipe or a file: at a terminal the secret would be echoed as it
    /// is typed, and nbkey would wait without saying for what.
    static func readSecretFile(_ path: String, what: String, canPrompt: Bool = false) throws -> SecretBytes {
        try StandardInput.refuseTerminal(path, message: "standard input is a terminal: not reading the \(what) from it",
                                         hint: canPrompt ? "leave out the file option and nbkey asks for the \(what) without echo"
                                                         : "name a file, or pipe the \(what) in")
        let input = try InputFile(path: path)
        if input.isGroupOrWorldReadable {
            Terminal.warn("warning: \(path) is readable by other users; run 'chmod 600 \(path)'")
        }
        return try input.readSecret()
    }

    /// Writes the key file, 0600, protected under a passphrase when `protect` is set.
    /// `beforePublishing` (printing the public key) runs before the file appears: if it fails,
    /// no file is written.
    static func write(_ pair: KeyPair, to path: String, force: Bool, protect: Bool = false,
                      passphrase: PassphraseOptions? = nil, beforePublishing: () throws -> Void = {}) throws {
        let contents: SecretBytes
        if protect {
            let secret = try (passphrase ?? PassphraseOptions()).passphrase(confirm: true).secret
            guard secret.count > 0 else { throw CLIError(message: "the passphrase is empty") }
            contents = SecretBytes(copying: try ProtectedKeyFile.protect(pair, passphrase: secret))
        } else {
            contents = KeyFile.serialize(pair)
        }
        // Nothing to authenticate: key material meant for a stream goes straight to it.
        let out = try AtomicOutput(OutputTarget(path, overwrite: force), mode: 0o600, buffered: false)
        try out.write(contents)
        try out.commit(beforePublishing: beforePublishing)
    }
}

enum FileSystem {
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
}
