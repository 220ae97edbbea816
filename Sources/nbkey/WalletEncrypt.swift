import ArgumentParser
import NumerBayKeys
import NumerBayKeysFiles

extension NBKey.Wallet {
    struct Encrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encrypt text to an encryption public key: the envelope eth_decrypt opens (eth-sig-util)."
        )

        @Option(help: "Recipient's encryption public key (base64).")
        var to: String

        @Flag(help: "Pad as eth-sig-util's encryptSafely does.")
        var safe = false

        @Flag(help: "Print the 0x-hex form instead of the JSON.")
        var hex = false

        @Argument(help: "File holding the UTF-8 text, or - for standard input.")
        var input = "-"

        func run() throws {
            let recipient = try PublicKey(base64: to)
            let data = try InputFile(path: input).readSecret(limit: 64 << 20)
            let envelope = try EthEnvelope.encrypt(data, to: recipient, padding: safe ? .encryptSafely : .none)
            try Terminal.writeOut((hex ? EthEnvelope.hexForm(envelope) : String(decoding: envelope, as: UTF8.self)) + "\n")
        }
    }

    struct Decrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "eth_decrypt: open an eth-sig-util envelope (JSON or 0x-hex) with the wallet.",
            discussion: "Prints the plaintext exactly, nothing added."
        )

        @OptionGroup var wallet: WalletSource

        @Flag(help: "Remove encryptSafely's padding (decryptSafely).")
        var safe = false

        @Argument(help: "File holding the envelope, or - for standard input.")
        var input = "-"

        func validate() throws {
            try StandardInput.useOnce([input] + wallet.standardInputUses)
        }

        func run() throws {
            try StandardInput.refuseTerminal(input, what: "an envelope")
            let envelope = try EthEnvelope.jsonForm(InputFile(path: input).readAll())
            let plaintext = try wallet.open().decrypt(envelope: envelope, purpose: .decryptMessage)
            try StandardStreams.writeOut(safe ? EthEnvelope.unpadded(plaintext) : plaintext)
        }
    }

    struct SignMessage: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "personal_sign (EIP-191) the bytes of a file: 0x + 130 hex digits, v = 27/28."
        )

        @OptionGroup var wallet: WalletSource

        @Argument(help: "File holding the message, or - for standard input.")
        var input = "-"

        func validate() throws {
            try StandardInput.useOnce([input] + wallet.standardInputUses)
        }

        func run() throws {
            try StandardInput.refuseTerminal(input, what: "a message to sign")
            let message = try InputFile(path: input).readAll()
            try Terminal.writeOut(wallet.open().verifiedPersonalSign(message, purpose: .signMessage).hex + "\n")
        }
    }
}
