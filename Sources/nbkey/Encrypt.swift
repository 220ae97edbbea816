import ArgumentParser
import NumerBayKeys

extension NBKey {
    struct Encrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal a file to a NumerBay public key (libsodium sealed box)."
        )

        @Option(help: "Recipient's NumerBay public key (base64).")
        var to: String

        @Argument(help: "File to seal, or - for standard input.")
        var input: String

        @Option(name: .shortAndLong, help: "Sealed file to write, or - for standard output.")
        var output: String

        @Flag(help: "Replace an existing output file.")
        var force = false

        @OptionGroup var progress: ProgressOptions

        func run() throws {
            let recipient = try PublicKey(base64: to)
            let source = try InputFile(path: input)
            let sink = try AtomicOutput(OutputTarget(output, overwrite: force), mode: AtomicOutput.ordinaryFileMode, input: source)
            let bar = ProgressBar(total: source.regularFileSize.map { $0 + Int64(SealedFile.overhead) }, quiet: progress.quiet)
            try SealedFile.seal(source, to: recipient, into: sink, progress: bar.update)
            try sink.commit()
            bar.finish()
        }
    }
}
