import ArgumentParser
import NumerBayKeys
import NumerBayKeysFiles
#if canImport(Glibc)
import Glibc
#endif

/// The one place the program exits: errors become `error: …` (+ `hint: …`) on stderr.
#if DEBUG
CrashTest.runIfAsked()
#endif
ProcessHygiene.apply()
DashedNames.check(Array(CommandLine.arguments.dropFirst()))
// Tests take the path of file systems that refuse O_TMPFILE: named temporary files.
if let value = getenv("NBKEY_TMPFILE"), String(cString: value) == "0" { AtomicOutput.usesUnnamedFiles = false }
do {
    var command = try NBKey.parseAsRoot()
    do {
        try command.run()
        BridgeSession.end(error: nil)
        if SecretBytes.memoryLockFailed {
            Terminal.warn("warning: some secrets could not be locked in memory (RLIMIT_MEMLOCK, 'ulimit -l'); they may have reached swap")
        }
        Terminal.flushWarnings()
    } catch let error as NBKeyError {
        BridgeSession.end(error: error)
        Terminal.fail(error.message, hint: Hints.hint(for: error), code: 1)
    } catch let error as ExitCode {
        // The command has already reported what failed.
        exit(error.rawValue)
    } catch {
        Terminal.handleParserExit(error)
    }
} catch {
    Terminal.handleParserExit(error)
}
exit(0)
