import Glibc
import Testing
@testable import NumerBayKeys
import TestSupport

/// SecretBytes on guarded pages (issue 12, hardening): sodium_malloc's guard page right after a
/// secret, the budget past which secrets go to the heap, and the same bytes either way.
struct GuardedMemoryTests {
    /// One byte past a secret is a guard page: reading it kills the process instead of reading
    /// whatever followed it on the heap.
    @Test func readingPastASecretFaults() async {
        await #expect(processExitsWith: .signal(SIGSEGV)) {
            let secret = SecretBytes(count: 32)
            let byte = secret.withUnsafeBytes { $0.baseAddress!.load(fromByteOffset: 32, as: UInt8.self) }
            print(byte)
        }
    }

    /// Past the budget, secrets still work (on the heap); the guarded ones never exceed it.
    @Test func pastTheBudgetSecretsGoToTheHeap() {
        let many = (0..<(GuardedMemory.budget + 200)).map { i in SecretBytes(copying: [UInt8(i & 0xFF), UInt8(i >> 8), 0xA5]) }
        #expect(GuardedMemory.live.load(ordering: .relaxed) <= GuardedMemory.budget)
        for (i, secret) in many.enumerated() {
            #expect(secret.exposedBytes() == [UInt8(i & 0xFF), UInt8(i >> 8), 0xA5])
        }
        #expect(SecretBytes(count: 0).count == 0)
    }
}
