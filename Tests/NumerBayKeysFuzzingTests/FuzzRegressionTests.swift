import Foundation
import Testing
@testable import NumerBayKeys
@testable import NumerBayKeysFiles
@testable import NumerBayKeysFuzzing
import TestSupport

/// What fuzzing found (docs/FUZZING.md), kept as tests, and a replay of the fuzz seed corpus
/// through every harness, so that `swift test` catches a parser change that traps on a known input
/// without a fuzzing build. Inputs that crash the process run in a child process (exit tests), so
/// a regression fails its own test instead of ending the suite.
struct FuzzRegressionTests {
    /// Every file of fuzz/corpus/HARNESS, then the harness's synthetic seeds, through the harness.
    /// A harness traps on a finding, so this passing means none of these inputs is one.
    @Test(arguments: Fuzzing.harnesses.map(\.name))
    func seedCorpusReplays(harness: String) throws {
        let run = try #require(Fuzzing.harness(named: harness))
        let folder = repositoryRoot.appendingPathComponent("fuzz/corpus/\(harness)")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        #expect(!files.isEmpty, "fuzz/corpus/\(harness) has no seeds (python3 fuzz/make-corpus.py)")
        for file in files.sorted(by: { $0.path < $1.path }) {
            run(Array(try Data(contentsOf: file)))
        }
        for seed in Self.synthetic where seed.harness == harness {
            run(seed.bytes)
        }
    }

    static let synthetic = Fuzzing.syntheticSeeds()

    @Test func everyHarnessHasSeeds() throws {
        for (name, _) in Fuzzing.harnesses {
            let folder = repositoryRoot.appendingPathComponent("fuzz/corpus/\(name)").path
            #expect(FileManager.default.fileExists(atPath: folder), "no seed corpus for \(name)")
        }
    }

    // MARK: - Findings

    /// Finding 1 (keystore-v3): KeystoreV3.parse computes `128 * r` before its overflow-checked
    /// multiplication, so a scrypt `r` of 2^56 or more traps (arithmetic overflow,
    /// KeystoreV3.swift:88) instead of being refused as unreasonable: a hostile keystore file
    /// crashes `nbkey wallet address --keystore`. Fails until KeystoreV3.parse is fixed.
    static let scryptHugeR = #"{"version":3,"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"00000000000000000000000000000000"},"ciphertext":"00","mac":"0000000000000000000000000000000000000000000000000000000000000000","kdf":"scrypt","kdfparams":{"dklen":32,"n":2,"r":72057594037927936,"p":1,"salt":"00"}}}"#

    /// Finding 2 (keystore-v3): the same line computes `n + p` unchecked, so n = 2^62 with
    /// p = 2^62 trapped (arithmetic overflow in the cost check) before the bounds were made overflow-safe.
    static let scryptHugeNPlusP = #"{"version":3,"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"00000000000000000000000000000000"},"ciphertext":"00","mac":"0000000000000000000000000000000000000000000000000000000000000000","kdf":"scrypt","kdfparams":{"dklen":32,"n":4611686018427387904,"r":1,"p":4611686018427387904,"salt":"00"}}}"#

    /// Exits normally only when decrypting `text` is refused as a KDF-limits error.
    static func refusedAsKDFLimits(_ text: String) {
        do {
            _ = try KeystoreV3.decrypt(Array(text.utf8), password: SecretBytes(count: 0), name: "hostile.json")
            exit(3)
        } catch KeystoreError.kdfLimits {
            return
        } catch {
            exit(4)
        }
    }

    @Test func keystoreScryptHugeRIsRefusedNotATrap() async {
        await #expect(processExitsWith: .success) {
            FuzzRegressionTests.refusedAsKDFLimits(FuzzRegressionTests.scryptHugeR)
        }
    }

    /// Finding 1 as libFuzzer found it (keystore-v3, after 3.6 million inputs, from the synthetic
    /// scrypt n=16 seed and fuzz/json.dict's 72057594037927936):
    /// .build-fuzz/findings/keystore-v3/crash-2e64175aed9622a8af1498e9b1c231cdad145082.
    static let fuzzerFoundHugeR = #"{"version":3,"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"22222222222222222222222222222222"},"ciphertext":"46b6f90f0deb6c7db6af4692e20ca0862a3267934959edf0b3646762e0ce3f98","kdf":"scrypt","kdfparams":{"dklen":32,"n":16,"r":720575940379279361,"p":1,"salt":"11111111111111111111111111111111"},"mac":"02c8802e90636527b1079d6133b9bce4bfb984a381c73ae68a7769093804d4A3"}}"#

    @Test func keystoreFuzzerFoundHugeRIsRefusedNotATrap() async {
        await #expect(processExitsWith: .success) {
            FuzzRegressionTests.refusedAsKDFLimits(FuzzRegressionTests.fuzzerFoundHugeR)
        }
    }

    @Test func keystoreScryptHugeNPlusPIsRefusedNotATrap() async {
        await #expect(processExitsWith: .success) {
            FuzzRegressionTests.refusedAsKDFLimits(FuzzRegressionTests.scryptHugeNPlusP)
        }
    }

    /// A JSON object with very many members: libFuzzer found the reader checked duplicates by
    /// scanning every earlier member (quadratic time, hours for a crafted key file). The reader
    /// now keeps a set; this checks the behaviour (members read, the duplicate at the end
    /// refused), not the time, as timed assertions have no place in tests.
    @Test func jsonObjectWithManyMembers() throws {
        var text = Array("{".utf8)
        for i in 0..<200_000 { text += Array("\"k\(i)\":0,".utf8) }
        let ok = text + Array("\"last\":1}".utf8)
        let parsed = try ok.withUnsafeBytes { try JSONDocument(parsing: $0) }
        #expect(parsed.root.memberKeys.count == 200_001)
        let duplicate = text + Array("\"k199999\":1}".utf8)
        #expect(throws: JSONError.self) { _ = try duplicate.withUnsafeBytes { try JSONDocument(parsing: $0) } }
    }}
