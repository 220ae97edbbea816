import ArgumentParser
import NumerBayKeys
import NumerBayKeysFiles

extension NBKey.Wallet {
    struct Address: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the account's EIP-55 address.")

        @OptionGroup var wallet: WalletSource

        func validate() throws { try StandardInput.useOnce(wallet.standardInputUses) }

        func run() throws {
            try Terminal.writeOut(try wallet.open().connectedAddress().checksummed + "\n")
        }
    }

    struct EncryptionPublicKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the account's encryption public key, as eth_getEncryptionPublicKey returns it."
        )

        @OptionGroup var wallet: WalletSource

        func validate() throws { try StandardInput.useOnce(wallet.standardInputUses) }

        func run() throws {
            try Terminal.writeOut(try wallet.open().encryptionPublicKey(purpose: .encryptionKey).base64 + "\n")
        }
    }
}
