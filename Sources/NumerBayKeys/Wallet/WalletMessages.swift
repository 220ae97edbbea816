/// What a browser wallet's page posts back (docs/BRIDGE.md): answers to requests and wallet
/// events. Everything in them comes from a web page and a wallet, so it is parsed strictly and
/// any text meant for a person is cleaned before it can reach a terminal.
public struct WalletAnswer {
    public enum Outcome {
        case result(WalletValue)
        /// An EIP-1193 error: 4001 rejected, 4100 unauthorized, 4200 unsupported, -32603 internal.
        case error(code: Int, message: String)
    }

    public let id: String
    public let outcome: Outcome

    /// `{"id":…,"result":…}` or `{"id":…,"error":{"code":…,"message":…}}`.
    public init(json: [UInt8]) throws {
        (id, outcome) = try json.withUnsafeBytes { raw -> (String, Outcome) in
            let doc = try WalletMessageError.document(raw)
            guard let id = doc.string(doc.root.member("id")), !id.isEmpty, id.utf8.count <= 64 else {
                throw WalletMessageError.malformed("no \"id\" string")
            }
            let result = doc.root.member("result"), error = doc.root.member("error")
            switch (result, error) {
            case (let result?, nil):
                return (id, .result(WalletValue(doc, result)))
            case (nil, let error?):
                guard let code = doc.int(error.member("code")) else { throw WalletMessageError.malformed("error without a numeric code") }
                return (id, .error(code: code, message: WalletText.clean(doc.string(error.member("message")) ?? "")))
            default:
                throw WalletMessageError.malformed("needs exactly one of \"result\" and \"error\"")
            }
        }
    }
}

/// A wallet's result: a string (personal_sign, eth_getEncryptionPublicKey, eth_decrypt), a list of
/// strings (eth_requestAccounts) or something else, which no request nbkey makes expects.
public enum WalletValue {
    case string(SecretBytes)
    case strings([String])
    case other

    fileprivate init(_ doc: JSONDocument, _ value: JSONValue) {
        switch value {
        case .string:
            self = doc.secretStringBytes(value).map(WalletValue.string) ?? .other
        case .array(let items):
            let strings = items.compactMap { doc.string($0) }
            self = strings.count == items.count ? .strings(strings) : .other
        default:
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
    case accountsChanged([String])
    case disconnect(code: Int?, message: String)

    public init(json: [UInt8]) throws {
        self = try json.withUnsafeBytes { raw in
            let doc = try WalletMessageError.document(raw)
            switch doc.string(doc.root.member("event")) {
            case "wallet":
                return .wallet(name: WalletText.clean(doc.string(doc.root.member("name")) ?? "", limit: 60),
                               rdns: WalletText.clean(doc.string(doc.root.member("rdns")) ?? "", limit: 60))
            case "no-wallet":
                return .noWallet
            case "accountsChanged":
                guard case .array(let items)? = doc.root.member("accounts") else {
                    throw WalletMessageError.malformed("accountsChanged without an accounts list")
                }
                return .accountsChanged(items.compactMap { doc.string($0) })
            case "disconnect":
                return .disconnect(code: doc.int(doc.root.member("code")),
                                   message: WalletText.clean(doc.string(doc.root.member("message")) ?? ""))
            default:
                throw WalletMessageError.malformed("unknown event")
            }
        }
    }
}

public enum WalletMessageError: NBKeyError, Equatable {
    case malformed(String)

    public var message: String {
        switch self {
        case .malformed(let why): return "malformed message from the wallet page: \(why)"
        }
    }

    fileprivate static func document(_ raw: UnsafeRawBufferPointer) throws -> JSONDocument {
        let doc: JSONDocument
        do { doc = try JSONDocument(parsing: raw) } catch { throw WalletMessageError.malformed("not JSON") }
        guard case .object = doc.root else { throw WalletMessageError.malformed("not a JSON object") }
        return doc
    }
}

/// Text from a wallet or a web page, made safe for one line of a terminal: control and format
/// characters become spaces, and it is cut at `limit` characters.
public enum WalletText {
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

/// A JSON object of string and string-list members, written as JSON.stringify would.
public struct JSONObjectWriter {
    private var writer = JSONWriter()
    private var count = 0

    public init() {}

    public mutating func add(_ key: String, _ value: String) {
        member(key)
        writer.string(value)
    }

    public mutating func add(_ key: String, _ values: [String]) {
        member(key)
        writer.raw("[")
        for (i, value) in values.enumerated() {
            if i > 0 { writer.raw(",") }
            writer.string(value)
        }
        writer.raw("]")
    }

    private mutating func member(_ key: String) {
        writer.raw(count == 0 ? "{" : ",")
        count += 1
        writer.string(key)
        writer.raw(":")
    }

    public var bytes: [UInt8] {
        var w = writer
        w.raw(count == 0 ? "{}" : "}")
        return w.bytes
    }
}
