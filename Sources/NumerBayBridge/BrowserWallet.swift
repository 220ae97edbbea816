import NumerBayKeys

/// The user's own browser wallet, reached through a page nbkey serves on 127.0.0.1
/// (docs/BRIDGE.md). The server starts at the first request; `end` tells the page how the
/// command ended. Answers are checked by the callers (`verifiedPersonalSign`, the v1 round trip).
public final class BrowserWallet: EthereumWallet {
    /// How the bridge is served and what it says around the exchange.
    public struct Options {
        /// 0: any free port.
        public var port: Int
        /// For the whole exchange, from the first request.
        public var timeoutSeconds: Double
        /// Called once with the page's URL, which holds the session secret.
        public var showURL: (String) -> Void
        /// The hint the page shows under an error, if any: what to do about it is the host
        /// program's to say (a command line names its own options).
        public var hint: @Sendable (any NBKeyError) -> String?

        /// Options with the defaults above, no hints unless `hint` gives them.
        public init(port: Int = 0, timeoutSeconds: Double = 300, showURL: @escaping (String) -> Void,
                    hint: @escaping @Sendable (any NBKeyError) -> String? = { _ in nil }) {
            self.port = port
            self.timeoutSeconds = timeoutSeconds
            self.showURL = showURL
            self.hint = hint
        }
    }

    private let options: Options
    private let exchange: BridgeExchange
    private var server: BridgeServer?
    private var deadline: Deadline?
    private var account: (address: EthAddress, text: String)?

    /// A wallet not yet reached: nothing is served until the first request.
    public init(options: Options) {
        self.options = options
        exchange = BridgeExchange(hint: options.hint)
    }

    /// The wallet's name as the page reported it (EIP-6963), once connected.
    public var walletName: String? { exchange.walletName }

    private func start() throws -> Deadline {
        if let deadline { return deadline }
        let secretHex = SecretBytes(copying: Array(Hex.encode(SecretBytes.random(count: 32).exposedBytes()).utf8))
        let exchange = self.exchange
        let server = try BridgeServer(port: options.port) { port in BridgeRoutes(port: port, secretHex: secretHex, exchange: exchange) }
        self.server = server
        let deadline = Deadline(seconds: options.timeoutSeconds)
        self.deadline = deadline
        // The secret goes in the fragment: browsers send it in no request, header or log.
        options.showURL("http://127.0.0.1:\(server.port)/#session=" + String(decoding: secretHex.exposedBytes(), as: UTF8.self))
        return deadline
    }

    private func call(_ method: String, _ params: [String], purpose: WalletPurpose) throws -> WalletValue {
        let deadline = try start()
        switch try exchange.call(method, params, purpose: purpose, deadline: deadline) {
        case .result(let value):
            return value
        case .error(let code, let message):
            throw BridgeError(method: method, code: code, message: message)
        }
    }

    private func string(_ value: WalletValue, _ method: String, _ what: String) throws -> String {
        guard case .string(let bytes) = value, bytes.count <= 4096 else { throw BridgeError.badAnswer(method: method, expected: what) }
        return String(decoding: bytes.exposedBytes(), as: UTF8.self)
    }

    /// eth_requestAccounts once; the first account, kept for the later requests.
    /// - Throws: `BridgeError`.
    public func connectedAddress() throws -> EthAddress {
        if let account { return account.address }
        let purpose = WalletPurpose(title: "Connect your wallet", detail: "nbkey needs to know which account to use. Nothing is signed yet.")
        guard case .strings(let accounts) = try call("eth_requestAccounts", [], purpose: purpose) else {
            throw BridgeError.badAnswer(method: "eth_requestAccounts", expected: "a list of addresses")
        }
        guard let first = accounts.first else { throw BridgeError.noAccounts }
        guard let address = try? EthAddress(hex: first) else {
            throw BridgeError.badAnswer(method: "eth_requestAccounts", expected: "0x-hex addresses")
        }
        account = (address, first)
        exchange.setConnected(first)
        return address
    }

    /// personal_sign through the page; the signature is not checked here (`verifiedPersonalSign`).
    /// - Throws: `BridgeError`.
    public func personalSign(_ message: [UInt8], purpose: WalletPurpose) throws -> PersonalSignature {
        let account = try connectedText()
        // Data first, then the address: MetaMask guesses the order otherwise (FORMATS.md §9).
        let answer = try string(call("personal_sign", ["0x" + Hex.encode(message), account], purpose: purpose),
                                "personal_sign", "a 65-byte signature in 0x-hex")
        do {
            return try PersonalSignature(hex: answer)
        } catch .signatureRecoveryID {
            // 65 bytes with a v no wallet gives: refused as the signer check refused it before.
            throw WalletError.badSignature
        } catch {
            throw BridgeError.badAnswer(method: "personal_sign", expected: "a 65-byte signature in 0x-hex")
        }
    }

    /// The connected account as the wallet wrote it, for the requests' address parameter.
    private func connectedText() throws -> String {
        _ = try connectedAddress()
        return account!.text
    }

    /// eth_getEncryptionPublicKey through the page.
    /// - Throws: `BridgeError`.
    public func encryptionPublicKey(purpose: WalletPurpose) throws -> PublicKey {
        let answer = try string(call("eth_getEncryptionPublicKey", [connectedText()], purpose: purpose),
                                "eth_getEncryptionPublicKey", "base64 of a 32-byte key")
        guard let key = try? PublicKey(base64: answer) else {
            throw BridgeError.badAnswer(method: "eth_getEncryptionPublicKey", expected: "base64 of a 32-byte key")
        }
        return key
    }

    /// eth_decrypt through the page; the plaintext arrives in wiped memory.
    /// - Throws: `BridgeError`.
    public func decrypt(envelope json: [UInt8], purpose: WalletPurpose) throws -> SecretBytes {
        // MetaMask reads only this form: 0x + hex of the JSON text (FORMATS.md §9).
        guard case .string(let plaintext) = try call("eth_decrypt", ["0x" + Hex.encode(json), connectedText()], purpose: purpose) else {
            throw BridgeError.badAnswer(method: "eth_decrypt", expected: "the plaintext string")
        }
        return plaintext
    }

    /// Tells the page how the command ended (it shows "done" or the error), gives it up to two
    /// seconds to read that, then stops the server.
    public func end(error: (any NBKeyError)?) {
        guard let server else { return }
        if let error {
            exchange.end(.failed(message: error.message, hint: options.hint(error)), grace: 2)
        } else {
            exchange.end(.done, grace: 2)
        }
        server.stop()
        self.server = nil
    }
}

/// How an exchange with the browser wallet can fail: thrown by `BrowserWallet`'s requests.
public enum BridgeError: NBKeyError, Equatable {
    /// EIP-1193 4001.
    case refused(method: String)
    /// MetaMask's -32603 "User denied message decryption", which it also gives for a request it
    /// could not read.
    case decryptDenied
    /// EIP-1193 4200 (hardware wallets and MetaMask Mobile for the v1 methods).
    case unsupported(method: String)
    /// EIP-1193 4100.
    case unauthorized(method: String)
    /// Any other error code, with the wallet's message cleaned for a terminal.
    case walletError(method: String, code: Int, message: String)
    /// The page found no wallet (no EIP-6963 announcement, no window.ethereum).
    case noWallet
    /// eth_requestAccounts gave an empty list.
    case noAccounts
    /// The wallet switched away from the connected account during the exchange.
    case accountsChanged
    /// EIP-1193 4900/4901, or the page's `disconnect` event.
    case disconnected
    /// The wallet's answer to `method` is not what it must be (`expected`).
    case badAnswer(method: String, expected: String)
    /// The page gave no answer before the exchange's deadline.
    case timeout(seconds: Int)
    /// The local HTTP server did not start; the text is the reason.
    case cannotStart(String)

    init(method: String, code: Int, message: String) {
        switch code {
        case 4001: self = .refused(method: method)
        case 4100: self = .unauthorized(method: method)
        case 4200: self = .unsupported(method: method)
        case 4900, 4901: self = .disconnected
        case -32603 where method == "eth_decrypt": self = .decryptDenied
        default: self = .walletError(method: method, code: code, message: message)
        }
    }

    public var message: String {
        switch self {
        case .refused(let method): return "the wallet refused the request (\(method))"
        case .decryptDenied: return "the wallet answered eth_decrypt with -32603 (MetaMask's \"User denied message decryption\")"
        case .unsupported(let method): return "the wallet does not support \(method)"
        case .unauthorized(let method): return "the wallet did not authorize the request (\(method))"
        case .walletError(let method, let code, let message):
            return "the wallet answered \(method) with error \(code)" + (message.isEmpty ? "" : ": \(message)")
        case .noWallet: return "no browser wallet found in the browser that opened the page"
        case .noAccounts: return "the wallet connected no account"
        case .accountsChanged: return "the wallet switched accounts during the exchange"
        case .disconnected: return "the wallet disconnected during the exchange"
        case .badAnswer(let method, let expected): return "the wallet's answer to \(method) is not \(expected)"
        case .timeout(let seconds): return "no answer from the browser wallet within \(seconds) seconds"
        case .cannotStart(let reason): return "cannot start the local bridge server: \(reason)"
        }
    }
}
