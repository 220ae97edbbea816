import Foundation
import TestSupport
import Testing


/// The built binary: env NBKEY, else the one `swift build` put beside this test bundle.
let nbkeyPath: String = {
    if let p = ProcessInfo.processInfo.environment["NBKEY"], !p.isEmpty { return p }
    let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundleDir.appendingPathComponent("nbkey"), bundleDir.deletingLastPathComponent().appendingPathComponent("nbkey"),
                      repositoryRoot.appendingPathComponent(".build/debug/nbkey")] where FileManager.default.isExecutableFile(atPath: candidate.path) {
        return candidate.path
    }
    return repositoryRoot.appendingPathComponent(".build/debug/nbkey").path
}()

struct RunResult {
    let status: Int32
    let stdout: [UInt8]
    let stderr: String
    var out: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs nbkey in `dir` with `args` and optional stdin bytes; environment is minimal and explicit.
@discardableResult
func nbkey(_ args: [String], in dir: URL, stdin: [UInt8]? = nil, env: [String: String] = [:],
           withoutTerminal: Bool = false) throws -> RunResult {
    let p = Process()
    if withoutTerminal {
        // A new session has no controlling terminal, so a prompt cannot wait on the developer's.
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        p.arguments = ["--wait", nbkeyPath] + args
    } else {
        p.executableURL = URL(fileURLWithPath: nbkeyPath)
        p.arguments = args
    }
    p.currentDirectoryURL = dir
    var environment = ["PATH": "/usr/bin:/bin", "HOME": dir.path]
    environment.merge(env) { $1 }
    p.environment = environment
    // Files rather than pipes: a large output can never block the child.
    let io = FileManager.default.temporaryDirectory.appendingPathComponent("nbkey-io-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: io, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: io) }
    let inURL = io.appendingPathComponent("in"), outURL = io.appendingPathComponent("out"), errURL = io.appendingPathComponent("err")
    FileManager.default.createFile(atPath: inURL.path, contents: Data(stdin ?? []))
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    p.standardInput = try FileHandle(forReadingFrom: inURL)
    p.standardOutput = try FileHandle(forWritingTo: outURL)
    p.standardError = try FileHandle(forWritingTo: errURL)
    try p.run()
    p.waitUntilExit()
    let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
    return RunResult(status: p.terminationStatus, stdout: Array(outData), stderr: String(decoding: errData, as: UTF8.self))
}

func makeTemporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("nbkey-cli-" + UUID().uuidString)
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func write(_ bytes: [UInt8], _ name: String, in dir: URL) {
    FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data(bytes))
}

func read(_ name: String, in dir: URL) -> [UInt8]? {
    FileManager.default.contents(atPath: dir.appendingPathComponent(name).path).map { Array($0) }
}

func listing(_ dir: URL) -> Set<String> {
    Set((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
}

func mode(_ name: String, in dir: URL) -> Int {
    let attrs = try! FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(name).path)
    return (attrs[.posixPermissions] as! NSNumber).intValue
}

/// A failing command: non-zero status, one `error:` line (plus `hint:` lines), nothing on
/// stdout, and the directory exactly as it was (no partial or temporary output).
func expectFailure(_ result: RunResult, in dir: URL, before: Set<String>, contains fragment: String? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status != 0, sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        .filter { !$0.hasPrefix("warning: ") }
    #expect(lines.first?.hasPrefix("error: ") == true, "stderr was: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("hint: ") }, "stderr was: \(result.stderr)",
            sourceLocation: sourceLocation)
    if let fragment { #expect(result.stderr.contains(fragment), "stderr was: \(result.stderr)", sourceLocation: sourceLocation) }
    #expect(listing(dir) == before, "files changed: \(listing(dir).symmetricDifference(before))", sourceLocation: sourceLocation)
}
