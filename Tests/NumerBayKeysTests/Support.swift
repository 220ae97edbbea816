import CSodium
import Foundation
import Testing
@testable import NumerBayKeys

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// One case of a vector file. The loader rejects any field a test does not declare.
struct VectorCase: Sendable, CustomTestStringConvertible {
    let id: String
    let strings: [String: String]
    let ints: [String: Int]
    let bools: [String: Bool]
    var testDescription: String { id }
    var expect: String { strings["expect"] ?? "ok" }
    subscript(_ key: String) -> String? { strings[key] }
}

enum Vectors {
    static let topLevel: Set<String> = ["operation", "description", "generator", "implementation", "cases"]

    static func load(_ name: String, fields: Set<String>) -> [VectorCase] {
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
func patternBytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 251) } }

func sha256Hex(_ bytes: [UInt8]) -> String {
    var out = [UInt8](repeating: 0, count: 32)
    _ = crypto_hash_sha256(&out, bytes, UInt64(bytes.count))
    return Hex.encode(out)
}

func b64(_ s: String?) -> [UInt8] { Base64.decode(s!)! }

/// A fresh temporary directory, removed by the caller's `defer`.
func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("nbkey-test-" + UUID().uuidString)
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Streams `bytes` through the file API (the code path the CLI uses) and returns the output.
func throughFiles(_ bytes: [UInt8], _ body: (InputFile, AtomicOutput) throws -> Void) throws -> [UInt8] {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let inPath = dir.appendingPathComponent("in").path
    let outPath = dir.appendingPathComponent("out").path
    FileManager.default.createFile(atPath: inPath, contents: Data(bytes))
    let input = try InputFile(path: inPath)
    let output = try AtomicOutput(.path(outPath, overwrite: false), mode: 0o600)
    do {
        try body(input, output)
        try output.commit()
    } catch {
        output.abort()
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "in" }
        precondition(leftovers.isEmpty, "failed operation left \(leftovers)")
        throw error
    }
    return Array(try Data(contentsOf: URL(fileURLWithPath: outPath)))
}

func sealThroughFiles(_ plaintext: [UInt8], to recipient: PublicKey, ephemeral: KeyPair? = nil) throws -> [UInt8] {
    try throughFiles(plaintext) { input, output in
        if let ephemeral {
            try SealedFile.seal(input, to: recipient, into: output, ephemeral: ephemeral, progress: nil)
        } else {
            try SealedFile.seal(input, to: recipient, into: output)
        }
    }
}

func openThroughFiles(_ sealed: [UInt8], with pair: KeyPair) throws -> [UInt8] {
    try throughFiles(sealed) { input, output in try SealedFile.open(input, with: pair, into: output) }
}

func keyPair(secretBase64 s: String?) -> KeyPair {
    try! KeyPair(secretKey: SecretBytes(copying: b64(s)))
}
