import ArgumentParser
import NumerBayKeys
import NumerBayKeysFiles
#if canImport(Glibc)
import Glibc
#endif

extension NBKey {
    struct Encrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal a file to NumerBay public keys (libsodium sealed boxes).",
            discussion: """
                With one --to, OUT is the sealed file (or - for standard output; or an existing \
                directory, which then receives the file named as below). With several --to or \
                --recipients, OUT is a directory: IN is read once and one sealed file per recipient is \
                written there, named NAME.to-HEX12.sealed (HEX12: the first 6 bytes of the recipient's \
                public key in hex) or, for orders from the sales JSON, NAME.order-ID.sealed. stdout lists \
                the files written; a recipient that fails gets no file and an error line, the others complete. \
                More recipients than free file descriptors are sealed in waves, IN read once per wave.
                """
        )

        @Option(help: "Recipient's NumerBay public key (base64); repeat for several.")
        var to: [String] = []

        @Option(help: ArgumentHelp("File of recipients: one base64 public key per line (# comments), or NumerBay's sales JSON.",
                                   valueName: "file"))
        var recipients: String?

        @Argument(help: "File to seal, or - for standard input.")
        var input: String

        @Option(name: .shortAndLong, help: "Sealed file, or an existing directory that receives NAME.to-HEX12.sealed, or - for standard output; with several recipients, a directory.")
        var output: String

        @Flag(help: "Replace existing output files.")
        var force = false

        @OptionGroup var progress: ProgressOptions

        func validate() throws {
            if to.isEmpty && recipients == nil { throw ValidationError("missing --to PUBKEY or --recipients FILE") }
            try StandardInput.useOnce([input, recipients])
        }

        func run() throws {
            var list = try to.map { Recipient(publicKey: try PublicKey(base64: $0)) }
            var unusable: [Recipient.UnusableOrder] = []
            if let recipients {
                let parsed = try Recipient.parseList(InputFile(path: recipients).readAll(limit: 16 << 20))
                list += parsed.recipients
                unusable = parsed.unusable
            }
            // An order without a usable key gets its own error line; the others are sealed.
            for order in unusable { Terminal.say("error: order \(order.id): \(order.reason)") }
            try StandardInput.refuseTerminal(input, what: "a file to seal")
            let source = try InputFile(path: input)
            let sealedSize = try source.regularFileSize.map(SealedFile.sealedSize)
            if list.count == 1 && recipients == nil && !FileSystem.isDirectory(output) {
                let bar = ProgressBar(total: sealedSize, quiet: progress.quiet)
                let sink: AtomicOutput
                do {
                    sink = try AtomicOutput(OutputTarget(output, overwrite: force), mode: AtomicOutput.ordinaryFileMode, input: source)
                } catch FileError.sameFile(let path) {
                    throw CLIError(message: FileError.sameFile(path: path).message)   // no --in-place here
                }
                try SealedFile.seal(source, to: list[0].publicKey, into: sink, progress: bar.update)
                try sink.commit()
                bar.finish()
                return
            }
            if !list.isEmpty { try sealToEach(list, source: source, sealedSize: sealedSize) }
            if !unusable.isEmpty { throw ExitCode(1) }
        }

        /// One sealed file per recipient, in waves as large as the descriptor limit allows, the
        /// input read once per wave.
        private func sealToEach(_ list: [Recipient], source: InputFile, sealedSize: Int64?) throws {
            guard FileSystem.isDirectory(output) else {
                throw CLIError(message: "output directory \(output) does not exist", hint: "with several recipients -o names a directory")
            }
            let base = input == "-" ? "stdin" : AtomicOutput.baseName(of: input)
            let names = list.map { $0.outputName(forBaseName: base) }
            if let duplicate = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
                throw CLIError(message: "two recipients would both be written to \(duplicate)")
            }
            let paths = names.map { output + "/" + $0 }
            raiseDescriptorLimit()
            let perRead = SealedFile.recipientsPerRead()
            let waves = (list.count + perRead - 1) / perRead
            let reader = waves > 1 ? try source.rereadable() : source
            // The bar counts every wave's bytes; no total when that would not fit in 64 bits.
            let total = sealedSize.flatMap { s in
                s.multipliedReportingOverflow(by: Int64(waves)).overflow ? nil : s * Int64(waves)
            }
            let bar = ProgressBar(total: total, quiet: progress.quiet)
            var failures: [(String, Error)] = []
            for (wave, start) in stride(from: 0, to: list.count, by: perRead).enumerated() {
                if wave > 0 { try reader.rewind() }
                let done = total == nil ? 0 : sealedSize! * Int64(wave)
                let range = start..<min(start + perRead, list.count)
                failures += try sealWave(list[range], to: paths[range], source: reader, progress: { bar.update(done + $0) })
            }
            bar.finish()
            guard failures.isEmpty else {
                for (path, error) in failures {
                    // The message may name the file already ("… already exists"): name it once.
                    let message = "\(error)"
                    StandardStreams.writeErr(Array("error: \(message.contains(path) ? "" : Terminal.quoted(path) + ": ")\(Terminal.oneLine(message))\n".utf8))
                }
                throw ExitCode(1)
            }
        }

        /// Seals one read of `source` to each recipient; prints each path written, returns the failures.
        private func sealWave(_ list: ArraySlice<Recipient>, to paths: ArraySlice<String>, source: InputFile,
                              progress: @escaping (Int64) -> Void) throws -> [(String, Error)] {
            var failures: [(String, Error)] = []
            var sinks: [AtomicOutput] = []
            var keys: [PublicKey] = []
            var live: [String] = []
            for (recipient, path) in zip(list, paths) {
                do {
                    sinks.append(try AtomicOutput(.path(path, overwrite: force), mode: AtomicOutput.ordinaryFileMode, input: source))
                    keys.append(recipient.publicKey)
                    live.append(path)
                } catch {
                    failures.append((path, error))
                }
            }
            guard !sinks.isEmpty else { return failures }
            let results = try SealedFile.seal(source, toEach: keys, into: sinks, progress: progress)
            for (i, result) in results.enumerated() {
                do {
                    if let result { throw result }
                    try sinks[i].commit()
                    try Terminal.writeOut(live[i] + "\n")
                } catch {
                    failures.append((live[i], error))
                }
            }
            return failures
        }

        /// Lets this run open as many files as it is allowed: the soft RLIMIT_NOFILE up to the hard one.
        private func raiseDescriptorLimit() {
            var limit = rlimit()
            guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}
