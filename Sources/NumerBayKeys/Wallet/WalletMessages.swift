/// What a browser wallet's page posts back (docs/BRIDGE.md): answers to requests and wallet
/// events. Everything in them comes from a web page and a wallet, so it is parsed strictly and
/// any text meant for a person is cleaned before it can reach a terminal.
public struct WalletAnswer {
    /// How the wallet answered.
    public enum Outcome {
        /// The request's result.
        case result(WalletValue)
        /// An EIP-1193 error: 4001 rejected, 4100 unauthorized, 4200 unsupported, -32603 internal.
        case error(code: Int, message: String)
    }

    /// The id of the request answered, as nbkey issued it.
    public let id: String
    /// The result or the error.
    public let outcome: Outcome

    /// `{"id":…,"result":…}` or `{"id":…,"error":{"code":…,"message":…}}`.
    /// - Throws: `WalletMessageError.malformed`.
    public init(json: [UInt8]) throws {
        (id, outcome) = try json.withUnsafeBytes { raw -> (String, Outcome) in
            let object = try WalletMessageError.object(raw)
            guard let id = object.string("id"), !id.isEmpty, id.utf8.count <= 64 else {
                throw WalletMessageError.malformed("no \"id\" string")
            }
            switch (object.contains("result"), object.contains("error")) {
            case (true, false):
                return (id, .result(WalletValue(object, "result")))
            case (false, true):
                let error = object.object("error")
                guard let code = error?.int("code") else { throw WalletMessageError.malformed("error without a numeric code") }
                return (id, .error(code: code, message: WalletText.clean(error?.string("message") ?? "")))
            default:
                throw WalletMessageError.malformed("needs exactly one of \"result\" and \"error\"")
            }
        }
    }
}

/// A wallet's result: a string (personal_sign, eth_getEncryptionPublicKey, eth_decrypt), a list of
/// strings (eth_requestAccounts) or something else, which no request nbkey makes expects.
public enum WalletValue {
    /// A string, in wiped memory: eth_decrypt's is a secret.
    case string(SecretBytes)
    /// A list of strings.
    case strings([String])
    /// Anything else.
    case other

    fileprivate init(_ object: JSONObject, _ key: String) {
        if let string = object.secretString(key) {
            self = .string(string)
        } else if let items = object.strings(key) {
            let strings = items.compactMap { $0 }
            self = strings.count == items.count ? .strings(strings) : .other
        } else {
            self = .other
        }
    }
}

/// What the page reports about the wallet outside a request.
public enum WalletEvent: Equatable {
    /// The wallet the page uses (EIP-6963 name and rdns, or window.ethereum).
    case wallet(name: String, rdns: String)
    /// Neither an EIP-6963 announcement nor window.ethereum.
    case noWallet
    /// EIP-1193 `accountsChanged`: the accounts now exposed, the selected one first.
    case accountsChanged([String])
    /// EIP-1193 `disconnect`, its message cleaned for a terminal.
    case disconnect(code: Int?, message: String)

    /// `{"event":"wallet"|"no-wallet"|"accountsChanged"|"disconnect",…}`.
    /// - Throws: `WalletMessageError.malformed`.
    public init(json: [UInt8]) throws {
        self = try json.withUnsafeBytes { raw in
            let object = try WalletMessageError.object(raw)
            switch object.string("event") {
            case "wallet":
                return .wallet(name: WalletText.clean(object.string("name") ?? "", limit: 60),
                               rdns: WalletText.clean(object.string("rdns") ?? "", limit: 60))
            case "no-wallet":
                return .noWallet
            case "accountsChanged":
                guard let items = object.strings("accounts") else {
                    throw WalletMessageError.malformed("accountsChanged without an accounts list")
                }
                return .accountsChanged(items.compactMap { $0 })
            case "disconnect":
                return .disconnect(code: object.int("code"), message: WalletText.clean(object.string("message") ?? ""))
            default:
                throw WalletMessageError.malformed("unknown event")
            }
        }
    }
}

/// What the bridge page posted cannot be read: thrown by `WalletAnswer` and `WalletEvent`.
public enum WalletMessageError: NBKeyError, Equatable {
    /// Not the JSON the page sends; the text says what is wrong.
    case malformed(String)

    public var message: String {
        switch self {
        case .malformed(let why): return "malformed message from the wallet page: \(why)"
        }
    }

    fileprivate static func object(_ raw: UnsafeRawBufferPointer) throws -> JSONObject {
        try JSONObject(parsing: raw, invalid: { _ in WalletMessageError.malformed("not JSON") },
                       notAnObject: WalletMessageError.malformed("not a JSON object"))
    }
}

/// Text from a wallet or a web page, made safe for one line of a terminal: control and format
/// characters become spaces, and it is cut at `limit` characters.
public enum WalletText {
    /// `text` on one line, safe for a terminal, at most `limit` characters and an ellipsis.
    public static func clean(_ text: String, limit: Int = 160) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if out.unicodeScalars.count >= limit { out += "…"; break }
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse:
                out += " "
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
