import ArgumentParser
import NumerBayKeys
import NumerBayKeysFiles

extension NBKey.Key {
    struct Protect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a key file protected by a passphrase (Argon2id + secretbox, mode 0600)."
        )

        @Argument(help: "Plain key file.")
        var input: String

        @Option(name: .shortAndLong, help: "Protected key file to write.")
        var output: String

        @Flag(help: "Replace an existing file.")
        var force = false

        @OptionGroup var passphrase: PassphraseOptions

        func validate() throws { try StandardInput.useOnce([input] + passphrase.standardInputUses) }

        func run() throws {
            let source = try KeyFileIO.readSecretFile(input, what: "key file")
            if ProtectedKeyFile.isProtected(source) { throw CLIError(message: "\(input) is already protected") }
            let pair = try KeyFile.parse(source)
            try KeyFileIO.write(pair, to: output, force: force, protect: true, passphrase: passphrase)
        }
    }

    struct Unprotect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the plain key file (web app export form, mode 0600) of a protected one."
        )

        @Argument(help: "Protected key file.")
        var input: String

        @Option(name: .shortAndLong, help: "Plain key file to write.")
        var output: String

        @Flag(help: "Replace an existing file.")
        var force = false

        @OptionGroup var passphrase: PassphraseOptions

        func validate() throws { try StandardInput.useOnce([input] + passphrase.standardInputUses) }

        func run() throws {
            let pair = try KeyFileIO.read(input, passphrase: passphrase)
            try KeyFileIO.write(pair, to: output, force: force)
        }
    }
}
