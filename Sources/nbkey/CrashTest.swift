#if DEBUG
import NumerBayKeys
import NumerBayKeysFiles
#if canImport(Glibc)
import Glibc
#endif

/// Debug builds only, for Interop/python/test_secrets.py: NBKEY_TEST_CRASH=segv|trap|abort crashes
/// the process while a register points at the secret NBKEY_TEST_CRASH_SECRET, so the test can
/// check that a crash prints none of it. NBKEY_TEST_CRASH_BEFORE_HYGIENE=1 crashes first (the
/// test's proof that its check would see the secret).
enum CrashTest {
    static func runIfAsked() {
        guard let kind = getenv("NBKEY_TEST_CRASH").map({ String(cString: $0) }), let marker = getenv("NBKEY_TEST_CRASH_SECRET") else { return }
        if getenv("NBKEY_TEST_CRASH_BEFORE_HYGIENE") == nil { ProcessHygiene.apply() }
        let secret = SecretBytes(copying: UnsafeRawBufferPointer(start: marker, count: strlen(marker)))
        secret.withUnsafeBytes { crash(kind, $0.baseAddress!, $0.count) }
    }

    @inline(never)
    static func crash(_ kind: String, _ secret: UnsafeRawPointer, _ count: Int) {
        switch kind {
        case "segv": memcpy(UnsafeMutableRawPointer(bitPattern: 16)!, secret, count)
        case "abort": abort()
        default: precondition(secret.load(as: UInt8.self) == 0, "forced crash")
        }
    }
}
#endif
