#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NumerBayKeys

/// The state both sides share: nbkey's thread queues one wallet request at a time and waits; the
/// server's event loop hands it to the page and takes the page's answers and events. Everything
/// is behind one mutex; nbkey's thread sleeps on its condition.
final class BridgeExchange: @unchecked Sendable {
    struct Request {
        let id: String
        let method: String
        let params: [String]
        let purpose: WalletPurpose
    }

    enum Ending {
        case done
        case failed(message: String, hint: String?)
    }

    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()
    private var pending: Request?
    private var issued: Set<String> = []
    private var spent: Set<String> = []
    private var answers: [String: WalletAnswer.Outcome] = [:]
    private var failure: BridgeError?
    private var ending: Ending?
    private var pageSeen = false
    private var endingDelivered = false
    /// The account the wallet connected, lowercase; `accountsChanged` to another fails the exchange.
    private var connected: String?
    private(set) var walletName: String?

    /// The host's hints, for a failure the page learns of before nbkey's command ends.
    private let hint: @Sendable (any NBKeyError) -> String?

    init(hint: @escaping @Sendable (any NBKeyError) -> String?) {
        self.hint = hint
        pthread_mutex_init(&mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if os(Linux)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(&changed, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(&changed)
        pthread_mutex_destroy(&mutex)
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }

    /// Waits (the mutex held) until `ready` or the deadline; false when the deadline passed.
    private func wait(until deadline: Deadline, _ ready: () -> Bool) -> Bool {
        while !ready() {
            guard var time = deadline.absolute else { return false }
            if pthread_cond_timedwait(&changed, &mutex, &time) == ETIMEDOUT && !ready() { return false }
        }
        return true
    }

    // MARK: nbkey's side

    /// Queues a request and waits for its answer.
    func call(_ method: String, _ params: [String], purpose: WalletPurpose, deadline: Deadline) throws -> WalletAnswer.Outcome {
        let id = Hex.encode(SecretBytes.random(count: 16).exposedBytes())
        return try locked {
            if let failure { throw failure }
            pending = Request(id: id, method: method, params: params, purpose: purpose)
            issued.insert(id)
            pthread_cond_broadcast(&changed)
            let answered = wait(until: deadline) { answers[id] != nil || failure != nil }
            pending = nil
            if let outcome = answers.removeValue(forKey: id) { return outcome }
            if let failure { throw failure }
            if !answered { throw BridgeError.timeout(seconds: deadline.seconds) }
            preconditionFailure("the bridge woke with neither an answer nor a failure")
        }
    }

    func setConnected(_ account: String) {
        locked { connected = account.lowercased() }
    }

    /// Publishes how the command ended and, when a page is there, gives it up to `grace` seconds
    /// to read it.
    func end(_ outcome: Ending, grace: Double) {
        locked {
            ending = outcome
            pthread_cond_broadcast(&changed)
            if pageSeen { _ = wait(until: Deadline(seconds: grace)) { endingDelivered } }
        }
    }

    // MARK: the page's side (the server's event loop)

    /// GET /api/next.
    func next() -> [UInt8] {
        locked {
            pageSeen = true
            var out = JSONWriter()
            switch (ending, failure, pending) {
            case (.done?, _, _):
                endingDelivered = true
                pthread_cond_broadcast(&changed)
                out.add("state", "done")
                out.add("message", "nbkey has its answer.")
            case (.failed(let message, let hint)?, _, _):
                endingDelivered = true
                pthread_cond_broadcast(&changed)
                out.add("state", "failed")
                out.add("message", message)
                if let hint { out.add("hint", hint) }
            case (nil, let failure?, _):
                out.add("state", "failed")
                out.add("message", failure.message)
                if let hint = hint(failure) { out.add("hint", hint) }
            case (nil, nil, let request?) where !spent.contains(request.id):
                out.add("state", "request")
                out.add("id", request.id)
                out.add("method", request.method)
                out.add("params", request.params)
                out.add("title", request.purpose.title)
                out.add("detail", request.purpose.detail)
            case (nil, nil, _):
                out.add("state", "wait")
            }
            return out.bytes
        }
    }

    /// POST /api/answer: only the first answer to an id nbkey issued counts.
    func answer(_ body: [UInt8]) -> Int {
        guard let answer = try? WalletAnswer(json: body) else { return 400 }
        return locked {
            pageSeen = true
            guard issued.contains(answer.id) else { return 404 }
            guard !spent.contains(answer.id) else { return 409 }
            spent.insert(answer.id)
            if pending?.id == answer.id {
                answers[answer.id] = answer.outcome
                pthread_cond_broadcast(&changed)
            }
            return 200
        }
    }

    /// POST /api/event.
    func event(_ body: [UInt8]) -> Int {
        guard let event = try? WalletEvent(json: body) else { return 400 }
        locked {
            pageSeen = true
            switch event {
            case .wallet(let name, _):
                if walletName == nil { walletName = name.isEmpty ? "unnamed wallet" : name }
                return
            case .noWallet:
                fail(.noWallet)
            case .accountsChanged(let accounts):
                // MetaMask also sends it when the page first connects: only a change away from
                // the account nbkey is using counts.
                guard let connected, accounts.first?.lowercased() != connected else { return }
                fail(.accountsChanged)
            case .disconnect:
                fail(.disconnected)
            }
        }
        return 200
    }

    private func fail(_ error: BridgeError) {
        guard failure == nil, ending == nil else { return }
        failure = error
        pthread_cond_broadcast(&changed)
    }
}

/// A point in time on the monotonic clock.
struct Deadline {
    let seconds: Int
    private let end: Double

    init(seconds: Double) {
        self.seconds = Int(seconds.rounded(.up))
        end = Deadline.now() + seconds
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// The absolute time for pthread_cond_timedwait, or nil once it has passed.
    var absolute: timespec? {
        guard Deadline.now() < end else { return nil }
        let whole = end.rounded(.down)
        return timespec(tv_sec: Int(whole), tv_nsec: Int((end - whole) * 1e9))
    }
}
