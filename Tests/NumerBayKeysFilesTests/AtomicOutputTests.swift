import Foundation
import Testing
@testable import NumerBayKeys
@testable import NumerBayKeysFiles
import TestSupport

/// AtomicOutput with both kinds of temporary file: unnamed (O_TMPFILE, Linux) and the named
/// fallback used where a file system refuses it.
struct AtomicOutputTests {
    static let kinds = [true, false]

    func entries(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    @Test(arguments: kinds)
    func nothingIsNamedBeforeCommitAndNothingIsLeftByAbort(unnamed: Bool) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try AtomicOutput(.path(dir.appendingPathComponent("out.bin").path, overwrite: false), mode: 0o644, unnamed: unnamed)
        try out.write([1, 2, 3])
        let during = entries(dir)
        if unnamed {
            #expect(during.isEmpty)
        } else {
            #expect(during.count == 1 && during[0].hasPrefix(".out.bin.nbkey-") && during[0].hasSuffix(".tmp"))
        }
        out.abort()
        #expect(entries(dir).isEmpty)
    }

    @Test(arguments: kinds)
    func commitNamesTheFileAndReplacesOnlyWithOverwrite(unnamed: Bool) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.bin").path
        let first = try AtomicOutput(.path(path, overwrite: false), mode: 0o640, unnamed: unnamed)
        try first.write([1, 2, 3])
        try first.commit()
        #expect(FileManager.default.contents(atPath: path) == Data([1, 2, 3]))
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        #expect(throws: FileError.exists(path: path)) { try AtomicOutput(.path(path, overwrite: false), mode: 0o600, unnamed: unnamed) }
        // A symlink at the destination is itself replaced; what it points to is not touched.
        let target = dir.appendingPathComponent("target").path
        FileManager.default.createFile(atPath: target, contents: Data([9]))
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        let second = try AtomicOutput(.path(path, overwrite: true), mode: 0o600, unnamed: unnamed)
        try second.write([4, 5])
        try second.commit()
        #expect(FileManager.default.contents(atPath: path) == Data([4, 5]))
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular)
        #expect(FileManager.default.contents(atPath: target) == Data([9]))
        #expect(entries(dir) == ["out.bin", "target"])
    }

    /// The temporary name used to add 24 bytes to the destination's: names of 232-255 bytes failed.
    @Test(arguments: kinds)
    func namesUpToTheLimitWork(unnamed: Bool) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let name = String(repeating: "é", count: 127) + "x"  // 255 bytes
        let path = dir.appendingPathComponent(name).path
        for overwrite in [false, true] {
            let out = try AtomicOutput(.path(path, overwrite: overwrite), mode: 0o600, unnamed: unnamed)
            try out.write([UInt8(overwrite ? 1 : 0)])
            try out.commit()
        }
        #expect(FileManager.default.contents(atPath: path) == Data([1]))
        #expect(entries(dir) == [name])
    }

    @Test func temporaryNamesFitAndKeepWholeCharacters() {
        for base in ["a", String(repeating: "n", count: 255), String(repeating: "é", count: 127) + "x"] {
            let name = TemporaryFile.temporaryName(for: base)
            #expect(name.utf8.count <= 255)
            #expect(name.hasPrefix("." + String(base.prefix(1))) && name.hasSuffix(".tmp"))
            #expect(String(decoding: Array(name.utf8), as: UTF8.self) == name)
        }
    }
}
