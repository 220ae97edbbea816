import ArgumentParser
import NumerBayKeys
import NumerBayKeysFiles
#if canImport(Glibc)
import Glibc
#endif

extension NBKey {
    struct Decrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a sealed file with a NumerBay key file.",
            discussion: """
                The plaintext is written to a temporary file in the destination's directory (on Linux \
                one with no name) that gets the destination's name only after the whole file \
                authenticated. Without --key, NUMERBAY_KEY_PATH names the key file.
                """
        )

        @Option(help: "Key file (numerbay.json).")
        var key: String?

        @Argument(help: "Sealed file, or - for standard input.")
        var input: String

        @Option(name: .shortAndLong, help: "File to write, or - for standard output.")
        var output: String?

        @Flag(help: "Replace the input file once it has authenticated.")
        var inPlace = false

        @Flag(help: "Replace an existing output file.")
        var force = false

        @OptionGroup var passphrase: PassphraseOptions

        @OptionGroup var progress: ProgressOptions

        func validate() throws {
            if inPlace && output != nil { throw ValidationError("--in-place and --output exclude each other") }
            if !inPlace && output == nil { throw ValidationError("missing --output (or --in-place)") }
            if inPlace && input == "-" { throw ValidationError("--in-place needs a file, not standard input") }
            try StandardInput.useOnce([input, key] + passphrase.standardInputUses)
        }

        func run() throws {
            guard let keyPath = key ?? getenv("NUMERBAY_KEY_PATH").map({ String(cString: $0) }), !keyPath.isEmpty else {
                throw CLIError(message: "no key file given", hint: "pass --key FILE or set NUMERBAY_KEY_PATH")
            }
            let pair = try KeyFileIO.read(keyPath, passphrase: passphrase)
            try StandardInput.refuseTerminal(input, what: "a sealed file")
            let source = try InputFile(path: input)
            let target: OutputTarget = inPlace ? .path(input, overwrite: true) : OutputTarget(output!, overwrite: force)
            let sink = try AtomicOutput(target, mode: inPlace ? source.permissionBits : AtomicOutput.ordinaryFileMode, input: source, allowSameFile: inPlace)
            let bar = ProgressBar(total: source.regularFileSize, quiet: progress.quiet)
            try SealedFile.open(source, with: pair, into: sink, progress: bar.update)
            try sink.commit()
            bar.finish()
        }
    }
}
