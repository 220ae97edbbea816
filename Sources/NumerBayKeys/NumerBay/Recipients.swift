/// Sellers' recipient lists for `nbkey encrypt`: one base64 public key per line (`#` comments,
/// blank lines ignored), or the JSON the NumerBay API returns for sales, where every object with
/// a `buyer_public_key` is an order and its `id` names the output.
public struct Recipient: Equatable, Sendable {
    /// The key the file is sealed to.
    public let publicKey: PublicKey
    /// The order id, when the list came from the sales JSON.
    public let orderID: String?

    /// A recipient, named by its order when it has one.
    public init(publicKey: PublicKey, orderID: String? = nil) {
        self.publicKey = publicKey
        self.orderID = orderID
    }

    /// The file name of this recipient's sealed copy of a file named `base` (no directories):
    /// `BASE.order-ID.sealed` for an order, else `BASE.to-HEX12.sealed` with the first 6 bytes
    /// of the public key in hex.
    public func outputName(forBaseName base: String) -> String {
        if let orderID { return "\(base).order-\(orderID).sealed" }
        return "\(base).to-\(Hex.encode(publicKey.bytes.prefix(6))).sealed"
    }

    /// An order of the sales JSON that cannot be sealed to: its id and why.
    public struct UnusableOrder: Equatable, Sendable {
        /// The order's id, or "without id".
        public let id: String
        /// Why it cannot be sealed to: no key, or a key that is not base64 of 32 bytes.
        public let reason: String
    }

    /// The recipients of a list, and the sales JSON's orders that have no usable key (each gets
    /// its own error; the others are sealed).
    /// - Throws: `RecipientError`.
    public static func parseList(_ bytes: [UInt8]) throws -> (recipients: [Recipient], unusable: [UnusableOrder]) {
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") { return try parseSales(bytes) }
        var out: [Recipient] = []
        for (number, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let text = String(decoding: line, as: UTF8.self)
            let content = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let trimmed = content.trimmingCharacters(in: [" ", "\t", "\r"])
            if trimmed.isEmpty { continue }
            guard let key = try? PublicKey(base64: trimmed) else { throw RecipientError.badLine(number + 1) }
            out.append(Recipient(publicKey: key))
        }
        guard !out.isEmpty else { throw RecipientError.empty }
        return (out, [])
    }

    private static func parseSales(_ bytes: [UInt8]) throws -> (recipients: [Recipient], unusable: [UnusableOrder]) {
        try bytes.withUnsafeBytes { raw in
            let doc: JSONDocument
            do { doc = try JSONDocument(parsing: raw) } catch let e as JSONError { throw RecipientError.json(e.message) }
            var out: [Recipient] = []
            var unusable: [UnusableOrder] = []
            func visit(_ value: JSONValue) throws {
                if let order = doc.object(value), order.contains("buyer_public_key") {
                    let id = order.numberText("id") ?? order.string("id")
                    if let i = id, i.isEmpty || !i.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                        throw RecipientError.json("order id \"\(i)\" cannot name a file")
                    }
                    guard let text = order.string("buyer_public_key"), let key = try? PublicKey(base64: text) else {
                        let why = order.isAbsentOrNull("buyer_public_key") ? "has no buyer_public_key" : "buyer_public_key is not base64 of 32 bytes"
                        unusable.append(UnusableOrder(id: id ?? "without id", reason: why))
                        return
                    }
                    out.append(Recipient(publicKey: key, orderID: id))
                    return
                }
                switch value {
                case .object(let members): for m in members { try visit(m.value) }
                case .array(let items): for item in items { try visit(item) }
                default: break
                }
            }
            try visit(doc.root)
            guard !out.isEmpty || !unusable.isEmpty else { throw RecipientError.empty }
            return (out, unusable)
        }
    }
}

/// A recipients list that cannot be used: thrown by `Recipient.parseList`.
public enum RecipientError: NBKeyError, Equatable {
    /// This line (counted from 1) is not a base64 public key of 32 bytes.
    case badLine(Int)
    /// The sales JSON is invalid, or an order id cannot name a file.
    case json(String)
    /// The list has no public key at all.
    case empty

    public var message: String {
        switch self {
        case .badLine(let n): return "recipients line \(n) is not a base64 public key of 32 bytes"
        case .json(let why): return "recipients JSON: \(why)"
        case .empty: return "the recipients list has no public key"
        }
    }
}
