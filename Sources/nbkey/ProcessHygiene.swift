import CProcess
#if canImport(Glibc)
import Glibc
#endif

/// What the process sets up before it reads any secret: nothing may carry memory out of it.
enum ProcessHygiene {
    /// The signals Swift's crash catcher handles on Linux (docs/Backtracing.rst in the Swift
    /// repository). Its report prints every register and the 16 bytes each points at, which
    /// may be a key; set off with the default action, a crash kills the process quietly.
    static let crashSignals: [Int32] = [SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGBUS, SIGSEGV]

    static func apply() {
        // No core file, even where the parent allowed one.
        var limit = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &limit)
        // Nor a core piped to a crash collector (which ignores RLIMIT_CORE), nor a debugger or
        // /proc/PID/mem for other processes of the user. Best effort where there is no prctl.
        _ = nbkey_set_not_dumpable()
        // The runtime's handlers are only documented as replaceable: a replaced handler means no
        // backtrace (SWIFT_BACKTRACE itself is read before main runs). An ignored signal stays ignored.
        for signal in crashSignals {
            var current = SignalAction()
            sigaction(signal, nil, &current)
            if current.isIgnore { continue }
            var action = current
            action.__sigaction_handler.sa_handler = SIG_DFL
            action.sa_flags = 0
            sigaction(signal, &action, nil)
        }
    }
}

/// The C struct (`sigaction` alone also names the function).
typealias SignalAction = sigaction

extension SignalAction {
    var isIgnore: Bool {
        unsafeBitCast(__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }
}
