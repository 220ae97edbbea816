import ArgumentParser
import NumerBayKeys
import NumerBayKeysFiles

extension NBKey.Key {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a key file's public key, after checking it belongs to the private key."
        )

        @Argument(help: "Key file (numerbay.json).")
        var file: String

        @OptionGroup var passphrase: PassphraseOptions

        func validate() throws { try StandardInput.useOnce([file] + passphrase.standardInputUses) }

        func run() throws {
            let pair = try KeyFileIO.read(file, passphrase: passphrase)
            try Terminal.writeOut(pair.publicKey.base64 + "\n")
        }
    }
}
