import NumerBayKeys
import NumerBayKeysFiles
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on stderr (bytes, rate, ETA), drawn only when stderr is a terminal.
final class ProgressBar {
    private let total: Int64?
    private let enabled: Bool
    private let start = ProgressBar.now()
    private var lastDraw = 0.0
    private var drawn = false

    /// The bar on screen, if any: an error line must not be glued to it.
    nonisolated(unsafe) private static var active: ProgressBar?

    init(total: Int64?, quiet: Bool) {
        self.total = total
        enabled = !quiet && Terminal.stderrIsTerminal
    }

    static func clearActive() {
        active?.finish()
    }

    func update(_ done: Int64) {
        guard enabled else { return }
        let t = Self.now()
        guard t - lastDraw >= 0.1 else { return }
        lastDraw = t
        let elapsed = max(t - start, 1e-6)
        let rate = Double(done) / elapsed
        var line = "\r" + Self.size(Double(done))
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            line += " / " + Self.size(Double(total)) + " [" + String(repeating: "#", count: filled)
                + String(repeating: "-", count: width - filled) + "]"
            let eta = rate > 0 ? Double(total - done) / rate : 0
            line += " " + Self.size(rate) + "/s  eta \(Int(eta.rounded()))s "
        } else {
            line += "  " + Self.size(rate) + "/s "
        }
        StandardStreams.writeErr(Array(line.utf8))
        drawn = true
        Self.active = self
    }

    func finish() {
        if drawn { StandardStreams.writeErr(Array("\r\u{1B}[K".utf8)) }
        drawn = false
        if Self.active === self { Self.active = nil }
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private static func size(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = bytes
        var i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        let rounded = (v * 10).rounded() / 10
        return "\(rounded) \(units[i])"
    }
}
