import ArgumentParser
import NumerBayKeys
#if canImport(Glibc)
import Glibc
#endif

/// Where the Ethereum account's secret comes from: always a file, never argv. Exactly one source.
struct WalletSource: ParsableArguments {
    @Option(help: ArgumentHelp("File holding the account's private key (64 hex digits, 0x optional).", valueName: "file"))
    var privateKeyFile: String?

    @Option(help: ArgumentHelp("File holding the Secret Recovery Phrase (BIP-39, English).", valueName: "file"))
    var mnemonicFile: String?

    @Option(help: ArgumentHelp("Account index on MetaMask's path m/44'/60'/0'/0/N (default 0).", valueName: "n"))
    var accountIndex: UInt32?

    @Option(help: ArgumentHelp("BIP-32 derivation path, e.g. \"m/44'/60'/0'/0/0\".", valueName: "path"))
    var derivationPath: String?

    @Option(help: ArgumentHelp("File holding the BIP-39 passphrase (else NBKEY_MNEMONIC_PASSPHRASE, else none, as MetaMask).",
                               valueName: "file"))
    var mnemonicPassphraseFile: String?

    @Option(help: ArgumentHelp("Keystore V3 JSON file (geth, MyEtherWallet, eth-account, Foundry).", valueName: "file"))
    var keystore: String?

    @Option(help: ArgumentHelp("File holding the keystore password (else NBKEY_PASSWORD, else a prompt).", valueName: "file"))
    var passwordFile: String?

    func validate() throws {
        let given = [privateKeyFile, mnemonicFile, keystore].compactMap { $0 }
        if given.isEmpty {
            throw ValidationError("no wallet source: pass --private-key-file, --mnemonic-file or --keystore")
        }
        if given.count > 1 {
            throw ValidationError("give exactly one wallet source of --private-key-file, --mnemonic-file and --keystore")
        }
        if mnemonicFile == nil && (accountIndex != nil || derivationPath != nil || mnemonicPassphraseFile != nil) {
            throw ValidationError("--account-index, --derivation-path and --mnemonic-passphrase-file go with --mnemonic-file")
        }
        if accountIndex != nil && derivationPath != nil {
            throw ValidationError("give --account-index or --derivation-path, not both")
        }
        if let accountIndex, accountIndex >= BIP32.hardened { throw ValidationError("--account-index must be below 2147483648") }
        if keystore == nil && passwordFile != nil { throw ValidationError("--password-file goes with --keystore") }
    }

    func account() throws -> EthAccount {
        if let privateKeyFile {
            return try EthAccount(privateKeyFile: KeyFileIO.readSecretFile(privateKeyFile))
        }
        if let mnemonicFile {
            let path = try derivationPath.map(BIP32.parsePath) ?? BIP32.metaMaskPath(account: accountIndex ?? 0)
            let passphrase: SecretBytes
            if mnemonicPassphraseFile != nil || getenv("NBKEY_MNEMONIC_PASSPHRASE") != nil {
                passphrase = try SecretPrompt.read(file: mnemonicPassphraseFile, environment: "NBKEY_MNEMONIC_PASSPHRASE",
                                                   prompt: "mnemonic passphrase")
            } else {
                passphrase = SecretBytes(count: 0)
            }
            let seed = try BIP39.seed(mnemonic: KeyFileIO.readSecretFile(mnemonicFile), passphrase: passphrase)
            return try EthAccount(privateKey: BIP32.derive(seed: seed, path: path))
        }
        let file = try InputFile(path: keystore!).readAll(limit: 1 << 20)
        let password = try SecretPrompt.read(file: passwordFile, environment: "NBKEY_PASSWORD", prompt: "keystore password")
        return try KeystoreV3.decrypt(file, password: password, name: keystore!)
    }
}
