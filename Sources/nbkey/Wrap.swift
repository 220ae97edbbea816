import ArgumentParser
import NumerBayKeys
import NumerBayKeysFiles

enum WrapScheme: String, ExpressibleByArgument, CaseIterable {
    case v1, v2
}

extension NBKey {
    struct Wrap: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Wrap a NumerBay key file with the wallet, as the web app stores it.",
            discussion: """
                Prints the string the NumerBay profile stores: encrypted_private_key (v1, eth-sig-util \
                envelope to the wallet's encryption public key) or encrypted_private_key_v2 (v2, secretbox \
                under keccak256 of the wallet's signature of a salt message).

                With --browser, v2 asks the wallet for one signature. v1 needs two approvals: the \
                wallet's encryption public key (eth_getEncryptionPublicKey), then one eth_decrypt of the \
                new envelope, which must give back the key before anything is printed. Hardware wallets \
                and MetaMask Mobile can do only v2.
                """
        )

        @Option(help: "NumerBay key file (numerbay.json).")
        var key: String

        @Option(help: "v1 (legacy eth_decrypt) or v2 (signature-derived).")
        var scheme: WrapScheme

        @OptionGroup var wallet: WalletSource

        @OptionGroup var passphrase: PassphraseOptions

        func validate() throws {
            try StandardInput.useOnce([key] + wallet.standardInputUses + passphrase.standardInputUses)
        }

        func run() throws {
            let pair = try KeyFileIO.read(key, passphrase: passphrase)
            let wallet = try wallet.open()
            let stored = scheme == .v1 ? try WrappedKeyV1.wrap(pair, with: wallet) : try WrappedKeyV2.wrap(pair, with: wallet)
            try Terminal.writeOut(String(decoding: stored, as: UTF8.self) + "\n")
        }
    }

    struct Unwrap: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recover a NumerBay key file from its wrapped form with the wallet.",
            discussion: """
                IN holds the stored string (v1 or v2), or the profile JSON with encrypted_private_key \
                [+ public_key] or encrypted_private_key_v2 [+ public_key_v2]. Writes the key file in the \
                web app's export form, mode 0600.
                """
        )

        @OptionGroup var wallet: WalletSource

        @Argument(help: "File holding the wrapped key or profile JSON, or - for standard input.")
        var input = "-"

        @Option(name: .shortAndLong, help: "Key file to write.")
        var output: String

        @Flag(help: "Replace an existing file.")
        var force = false

        @Flag(help: "Write the key file protected by a passphrase (Argon2id).")
        var protect = false

        @OptionGroup var passphrase: PassphraseOptions

        func validate() throws {
            try StandardInput.useOnce([input] + wallet.standardInputUses + passphrase.standardInputUses)
        }

        func run() throws {
            try StandardInput.refuseTerminal(input, what: "a wrapped key")
            let wrapped = try WrappedKeyInput(try InputFile(path: input).readAll())
            let opened = try wrapped.unwrap(with: wallet.open())
            Terminal.warn("note: unwrapped with scheme \(opened.scheme.rawValue)")
            if opened.usedZeroBasedV {
                Terminal.warn("note: the key opened with the v = 0/1 form of the signature (as some hardware wallets sign)")
            }
            let pair = opened.key
            try KeyFileIO.write(pair, to: output, force: force, protect: protect, passphrase: passphrase) {
                if output != "-" { try Terminal.writeOut(pair.publicKey.base64 + "\n") }
            }
        }
    }
}
