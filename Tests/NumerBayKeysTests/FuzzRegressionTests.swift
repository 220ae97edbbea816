import Foundation
import Testing
@testable import NumerBayKeys

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
    /// p = 2^62 traps (arithmetic overflow, KeystoreV3.swift:88). Fails until fixed.
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

    @Test func keystoreScryptHugeNPlusPIsRefusedNotATrap() async {
        await #expect(processExitsWith: .success) {
            FuzzRegressionTests.refusedAsKDFLimits(FuzzRegressionTests.scryptHugeNPlusP)
        }
    }
}
