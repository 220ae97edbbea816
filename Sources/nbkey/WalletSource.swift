import ArgumentParser
import NumerBayBridge
import NumerBayKeys
import NumerBayKeysFiles
#if canImport(Glibc)
import Glibc
#endif

/// Where the Ethereum account comes from: the user's browser wallet through the bridge, or, for
/// automation, a secret in a file (never argv). Exactly one source.
struct WalletSource: ParsableArguments {
    @Flag(help: "Use the wallet in your browser (MetaMask, Rabby, …) through a page on 127.0.0.1: the account's secret stays in the wallet.")
    var browser = false

    @Option(help: ArgumentHelp("Port for --browser's page on 127.0.0.1 (default 0: any free port).", valueName: "n"))
    var browserPort: Int?

    @Option(help: ArgumentHelp("Seconds --browser waits for the whole exchange with the wallet (default 300).", valueName: "seconds"))
    var browserTimeout: Int?

    @Flag(help: "With --browser, print the page's URL but do not open a browser.")
    var noOpen = false

    @Option(help: ArgumentHelp("Require this account (0x…): any other connected or signing account is an error.", valueName: "address"))
    var address: String?

    @Option(help: ArgumentHelp("File holding the account's private key (64 hex digits, 0x optional, white space around them ignored).", valueName: "file"))
    var privateKeyFile: String?

    @Option(help: ArgumentHelp("File holding the Secret Recovery Phrase (BIP-39, English; as MetaMask reads it: any case, words separated by white space or punctuation).", valueName: "file"))
    var mnemonicFile: String?

    @Option(help: ArgumentHelp("Account index on MetaMask's path m/44'/60'/0'/0/N (default 0).", valueName: "n"))
    var accountIndex: UInt32?

    @Option(help: ArgumentHelp("BIP-32 derivation path, e.g. \"m/44'/60'/0'/0/0\".", valueName: "path"))
    var derivationPath: String?

    @Option(help: ArgumentHelp("File holding the BIP-39 passphrase (else --mnemonic-passphrase-prompt, else NBKEY_MNEMONIC_PASSPHRASE, else none, as MetaMask).",
                               valueName: "file"))
    var mnemonicPassphraseFile: String?

    @Flag(help: "Ask for the BIP-39 passphrase on the terminal (no echo).")
    var mnemonicPassphrasePrompt = false

    @Option(help: ArgumentHelp("Keystore V3 JSON file (geth, MyEtherWallet, eth-account, Foundry).", valueName: "file"))
    var keystore: String?

    @Option(help: ArgumentHelp("File holding the keystore password (else NBKEY_PASSWORD, else a prompt).", valueName: "file"))
    var passwordFile: String?

    func validate() throws {
        let given = [browser ? "--browser" : nil, privateKeyFile, mnemonicFile, keystore].compactMap { $0 }
        if given.isEmpty {
            throw ValidationError("no wallet source: pass --browser, --private-key-file, --mnemonic-file or --keystore")
        }
        if given.count > 1 {
            throw ValidationError("give exactly one wallet source of --browser, --private-key-file, --mnemonic-file and --keystore")
        }
        if !browser && (browserPort != nil || browserTimeout != nil || noOpen) {
            throw ValidationError("--browser-port, --browser-timeout and --no-open go with --browser")
        }
        if let browserPort, !(0...65535).contains(browserPort) { throw ValidationError("--browser-port must be 0 to 65535") }
        if let browserTimeout, browserTimeout < 1 { throw ValidationError("--browser-timeout must be at least 1 second") }
        if let address {
            do { _ = try EthAddress(hex: address) } catch let error as NBKeyError { throw ValidationError(error.message) }
        }
        if mnemonicFile == nil && (accountIndex != nil || derivationPath != nil || mnemonicPassphraseFile != nil || mnemonicPassphrasePrompt) {
            throw ValidationError("--account-index, --derivation-path and --mnemonic-passphrase-file/-prompt go with --mnemonic-file")
        }
        if mnemonicPassphraseFile != nil && mnemonicPassphrasePrompt {
            throw ValidationError("give --mnemonic-passphrase-file or --mnemonic-passphrase-prompt, not both")
        }
        if accountIndex != nil && derivationPath != nil {
            throw ValidationError("give --account-index or --derivation-path, not both")
        }
        if let accountIndex, accountIndex >= BIP32.hardened { throw ValidationError("--account-index must be below 2147483648") }
        if keystore == nil && passwordFile != nil { throw ValidationError("--password-file goes with --keystore") }
    }

    /// The wallet, connected, and its account checked against --address.
    func open() throws -> any EthereumWallet {
        let wallet: any EthereumWallet = browser ? BridgeSession.start(self) : try account()
        let connected = try wallet.connectedAddress()
        if let address, let required = try? EthAddress(hex: address), required != connected {
            throw CLIError(message: "the wallet connected \(connected.checksummed), not \(required.checksummed) (--address)",
                           hint: browser ? "switch to that account in the wallet, or leave out --address" : nil)
        }
        if let bridge = wallet as? BrowserWallet {
            Terminal.say("using account \(connected.checksummed) (\(bridge.walletName ?? "browser wallet"))")
        }
        return wallet
    }

    private func account() throws -> EthAccount {
        if let privateKeyFile {
            return try EthAccount(privateKeyFile: KeyFileIO.readSecretFile(privateKeyFile, what: "private key"))
        }
        if let mnemonicFile {
            let path = try derivationPath.map(BIP32.parsePath) ?? BIP32.metaMaskPath(account: accountIndex ?? 0)
            let mnemonic = try KeyFileIO.readSecretFile(mnemonicFile, what: "mnemonic")
            guard mnemonic.isValidUTF8 else { throw CLIError(message: "the mnemonic from \(mnemonicFile) is not valid UTF-8 text") }
            // MetaMask uses no BIP-39 passphrase: none unless one is given.
            var passphrase = SecretBytes(count: 0)
            if mnemonicPassphraseFile != nil || getenv("NBKEY_MNEMONIC_PASSPHRASE") != nil || mnemonicPassphrasePrompt {
                // Asked for on the command line, the prompt wins over the environment.
                passphrase = try SecretPrompt.read("BIP-39 passphrase", file: mnemonicPassphraseFile,
                                                   environment: mnemonicPassphrasePrompt ? nil : "NBKEY_MNEMONIC_PASSPHRASE").secret
            }
            let seed = try BIP39.seed(mnemonic: mnemonic, passphrase: passphrase)
            return try EthAccount(privateKey: BIP32.derive(seed: seed, path: path))
        }
        let keystore = try KeystoreV3.parse(InputFile(path: keystore!).readAll(limit: 1 << 20))
        let password = try SecretPrompt.read("keystore password", file: passwordFile, environment: "NBKEY_PASSWORD")
        do {
            return try KeystoreV3.decrypt(keystore, password: password.secret, name: self.keystore!)
        } catch let error as KeystoreError where error == .wrongPassword(self.keystore!) {
            throw password.explaining(error)
        }
    }
}

/// The one browser wallet of this run: main tells it how the command ended, so the page can say so.
enum BridgeSession {
    nonisolated(unsafe) private static var wallet: BrowserWallet?

    static func start(_ source: WalletSource) -> BrowserWallet {
        let openBrowser = Terminal.stderrIsTerminal && !source.noOpen
        let options = BrowserWallet.Options(port: source.browserPort ?? 0, timeoutSeconds: Double(source.browserTimeout ?? 300), showURL: { url in
            Terminal.say("open this page in the browser that has your wallet: \(url)")
            if openBrowser { BrowserLauncher.open(url) }
        }, hint: Hints.hint(for:))
        let wallet = BrowserWallet(options: options)
        self.wallet = wallet
        return wallet
    }

    static func end(error: (any NBKeyError)?) {
        wallet?.end(error: error)
        wallet = nil
    }
}

/// Opens a URL with $BROWSER (its first entry) or xdg-open, detached, its output discarded.
enum BrowserLauncher {
    static func open(_ url: String) {
        var command = "xdg-open"
        if let value = getenv("BROWSER").map({ String(cString: $0) }),
           let first = value.split(separator: ":").first, !first.isEmpty {
            command = String(first)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(command), strdup(url), nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        if posix_spawnp(&pid, command, &actions, nil, argv, environ) != 0 {
            Terminal.say("note: could not start \(command); open the URL yourself")
        }
    }
}
