import Foundation
import NumerBayKeys
@testable import NumerBayKeysFiles
import TestSupport

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

