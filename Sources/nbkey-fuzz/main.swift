// nbkey-fuzz: every libFuzzer harness of NumerBayKeys in one binary (docs/FUZZING.md).
//
//   nbkey-fuzz HARNESS [libFuzzer flags and corpus folders…]   (or NBKEY_FUZZ_TARGET=HARNESS)
//   nbkey-fuzz list                                             the harness names
//   nbkey-fuzz seeds DIR                                        writes DIR/HARNESS/seed-N
//
// libFuzzer's own main is not used: this one picks the harness, strips its name from the
// arguments and hands the rest to LLVMFuzzerRunDriver.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NumerBayKeysFuzzing

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ cb: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

func printError(_ text: String) {
    text.withCString { _ = write(2, $0, strlen($0)) }
}

/// Set once in main, before libFuzzer starts calling back.
nonisolated(unsafe) var selectedHarness: (@Sendable ([UInt8]) -> Void)?

@main
enum FuzzMain {
    static func main() {
        var args = CommandLine.arguments
        let environment = getenv("NBKEY_FUZZ_TARGET").map { String(cString: $0) }
        if args.count >= 2, args[1] == "list" {
            for h in Fuzzing.harnesses { print(h.name) }
            exit(0)
        }
        if args.count == 3, args[1] == "seeds" {
            exit(writeSeeds(to: args[2]))
        }
        let name: String
        if args.count >= 2, Fuzzing.harness(named: args[1]) != nil {
            name = args.remove(at: 1)
        } else if let environment, !environment.isEmpty {
            name = environment
        } else {
            printError("usage: nbkey-fuzz HARNESS [libFuzzer arguments…]   (or NBKEY_FUZZ_TARGET=HARNESS)\n")
            printError("       nbkey-fuzz list | nbkey-fuzz seeds DIR\nharnesses: \(Fuzzing.harnesses.map(\.name).joined(separator: " "))\n")
            exit(2)
        }
        guard let harness = Fuzzing.harness(named: name) else {
            printError("nbkey-fuzz: no harness named \(name) (try: nbkey-fuzz list)\n")
            exit(2)
        }
        selectedHarness = harness
        // libFuzzer's -jobs/-fork children run this binary again with the stripped arguments.
        setenv("NBKEY_FUZZ_TARGET", name, 1)

        var argc = Int32(args.count)
        let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: args.count + 1)
        for (i, a) in args.enumerated() { argv[i] = strdup(a) }
        argv[args.count] = nil
        var argvPointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        exit(LLVMFuzzerRunDriver(&argc, &argvPointer) { data, size in
            let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
            selectedHarness!(bytes)
            return 0
        })
    }

    static func writeSeeds(to directory: String) -> Int32 {
        var counts: [String: Int] = [:]
        for (harness, bytes) in Fuzzing.syntheticSeeds() {
            let folder = directory + "/" + harness
            mkdir(directory, 0o755)
            mkdir(folder, 0o755)
            let n = counts[harness, default: 0]
            counts[harness] = n + 1
            guard let f = fopen(folder + "/synthetic-\(n)", "wb") else {
                printError("nbkey-fuzz: cannot write \(folder)\n")
                return 1
            }
            if !bytes.isEmpty { fwrite(bytes, 1, bytes.count, f) }
            fclose(f)
        }
        return 0
    }
}
