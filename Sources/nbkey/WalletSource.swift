import ArgumentParser
import NumerBayKeys

/// Where the Ethereum account's secret comes from: always a file, never argv. Exactly one source.
struct WalletSource: ParsableArguments {
    @Option(help: ArgumentHelp("File holding the account's private key (64 hex digits, 0x optional).", valueName: "file"))
    var privateKeyFile: String?

    func validate() throws {
        let given = [privateKeyFile].compactMap { $0 }
        if given.isEmpty { throw ValidationError("no wallet source: pass --private-key-file FILE") }
        if given.count > 1 { throw ValidationError("give exactly one wallet source") }
    }

    func account() throws -> EthAccount {
        let input = try InputFile(path: privateKeyFile!)
        if input.isGroupOrWorldReadable {
            Terminal.warn("warning: \(privateKeyFile!) is readable by other users; run 'chmod 600 \(privateKeyFile!)'")
        }
        return try EthAccount(privateKeyFile: input.readSecret())
    }
}
