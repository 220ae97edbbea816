// What every test target shares: where the repository is, the vector files, small helpers.
import Foundation
import NumerBayKeys
import Testing

/// The repository root, found from this file's path.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// One case of a vector file. The loader rejects any field a test does not declare.
public struct VectorCase: Sendable, CustomTestStringConvertible {
    public let id: String
    public let strings: [String: String]
    public let ints: [String: Int]
    public let bools: [String: Bool]
    public var testDescription: String { id }
    public var expect: String { strings["expect"] ?? "ok" }
    public subscript(_ key: String) -> String? { strings[key] }
}

public enum Vectors {
    public static let topLevel: Set<String> = ["operation", "description", "generator", "implementation", "cases"]

    public static func load(_ name: String, fields: Set<String>) -> [VectorCase] {
        let url = repositoryRoot.appendingPathComponent("vectors/\(name).json")
        let data = try! Data(contentsOf: url)
        let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        precondition(Set(root.keys) == topLevel, "\(name).json: unexpected top-level fields \(root.keys.sorted())")
        precondition(root["operation"] as? String == name, "\(name).json: wrong operation")
        let allowed = fields.union(["id", "comment", "expect"])
        return (root["cases"] as! [[String: Any]]).map { c in
            let unknown = Set(c.keys).subtracting(allowed)
            precondition(unknown.isEmpty, "\(name).json case \(c["id"] ?? "?"): unknown fields \(unknown.sorted())")
            var strings: [String: String] = [:], ints: [String: Int] = [:], bools: [String: Bool] = [:]
            for (k, v) in c {
                if let n = v as? NSNumber, String(cString: n.objCType) == "c" { bools[k] = n.boolValue }
                else if let s = v as? String { strings[k] = s }
                else if let i = v as? Int { ints[k] = i }
                else { preconditionFailure("\(name).json: field \(k) has an unexpected type") }
            }
            precondition(strings.count + ints.count + bools.count == c.count)
            return VectorCase(id: c["id"] as! String, strings: strings, ints: ints, bools: bools)
        }
    }
}

/// The vector files' pattern for large plaintexts: byte i = i % 251.
public func patternBytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 251) } }

public func sha256Hex(_ bytes: [UInt8]) -> String {
    Hex.encode(SHA256.hash(bytes))
}

public func b64(_ s: String?) -> [UInt8] { Base64.decode(s!)! }

/// A fresh temporary directory, removed by the caller's `defer`.
public func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("nbkey-test-" + UUID().uuidString)
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

public func keyPair(secretBase64 s: String?) -> KeyPair {
    try! KeyPair(secretKey: SecretBytes(copying: b64(s)))
}

public func account(_ hex: String?) -> EthAccount {
    try! EthAccount(privateKey: Hex.decodeSecret(hex!.utf8)!)
}
