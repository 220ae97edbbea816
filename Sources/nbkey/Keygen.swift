import ArgumentParser
import NumerBayKeys
import NumerBayKeysFiles

extension NBKey {
    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a NumerBay key pair and write its key file (mode 0600).",
            discussion: "Prints the public key (base64) on stdout."
        )

        @Option(name: .shortAndLong, help: "Key file to write.")
        var output = "numerbay.json"

        @Flag(help: "Replace an existing file.")
        var force = false

        @Flag(help: "Protect the key file with a passphrase (Argon2id + secretbox).")
        var protect = false

        @OptionGroup var passphrase: PassphraseOptions

        @OptionGroup var progress: ProgressOptions

        func validate() throws {
            // stdout carries the public key; the key file needs a place of its own.
            if output == "-" { throw ValidationError("keygen writes the key file to a path, not to standard output") }
        }

        func run() throws {
            let pair = KeyPair.generate()
            try KeyFileIO.write(pair, to: output, force: force, protect: protect, passphrase: passphrase) {
                try Terminal.writeOut(pair.publicKey.base64 + "\n")
            }
        }
    }
}
