import ArgumentParser
import NumerBayKeys
import NumerBayKeysFiles

struct NBKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nbkey",
        abstract: "NumerBay keys, sealed files and MetaMask-wrapped keys, offline.",
        version: Version.string,
        subcommands: [Keygen.self, Key.self, Encrypt.self, Decrypt.self, Wallet.self, Wrap.self, Unwrap.self]
    )
}

extension NBKey {
    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Inspect and protect NumerBay key files.",
            subcommands: [Show.self, Protect.self, Unprotect.self]
        )
    }

    struct Wallet: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What MetaMask derives from an Ethereum account: address, encryption key, eth_decrypt, personal_sign.",
            subcommands: [Address.self, EncryptionPublicKey.self, Encrypt.self, Decrypt.self, SignMessage.self]
        )
    }
}

/// Options every long-running command shares.
struct ProgressOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Draw no progress bar.")
    var quiet = false
}
