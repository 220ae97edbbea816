import ArgumentParser
import NumerBayKeys
import NumerBayKeysFiles
#if canImport(Glibc)
import Glibc
#endif

/// Standard input (`-`) can be read once per command: a second reader would get nothing, and a
/// command that seals or opens nothing must not look like it succeeded.
enum StandardInput {
    static func useOnce(_ paths: [String?]) throws {
        if paths.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("standard input can be used only once per command: give the other inputs as files")
        }
    }

    /// What would be typed data from a terminal (a wrapped key, a sealed file, a message to
    /// sign) is refused rather than waited for.
    static func refuseTerminal(_ path: String, what: String) throws {
        try refuseTerminal(path, message: "standard input is a terminal, not \(what)", hint: "give a file, or pipe it in: … < FILE")
    }

    static func refuseTerminal(_ path: String, message: String, hint: String) throws {
        if path == "-" && isatty(0) == 1 { throw CLIError(message: message, hint: hint) }
    }
}

extension WalletSource {
    var standardInputUses: [String?] { [privateKeyFile, mnemonicFile, mnemonicPassphraseFile, keystore, passwordFile] }
}

extension PassphraseOptions {
    var standardInputUses: [String?] { [passphraseFile] }
}

/// A file name that begins with `-` reads as options: `-help.sealed` is `-h`, and prints the
/// help. Such names go after `--`; before it, a single-dash word of more than one letter is refused.
enum DashedNames {
    static func check(_ arguments: [String]) {
        for argument in arguments.prefix(while: { $0 != "--" })
        where argument.hasPrefix("-") && !argument.hasPrefix("--") && argument.count > 2 {
            Terminal.fail("unknown option \(Terminal.quoted(argument))",
                          hint: "a file name that begins with - goes after -- (nbkey decrypt --key k.json -o out -- \(Terminal.quoted(argument))) or as ./\(Terminal.quoted(argument))",
                          code: 64)
        }
    }
}
