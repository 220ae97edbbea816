internal import CSodium
import Synchronization

/// Where `SecretBytes` live: libsodium's `sodium_malloc` puts each allocation on pages of its own
/// between guard pages (an overrun faults instead of reading a neighbour's bytes), locks them
/// (no swap) and marks them MADV_DONTDUMP; `sodium_free` wipes them.
///
/// That costs: 3-4 pages and 4 memory maps per allocation and about 40 µs each way (a heap
/// allocation takes 0.1 µs). A multi-recipient encrypt holds two secrets per recipient at once,
/// so the guarded ones are budgeted: past `budget` live allocations (4 MiB locked, half the
/// usual 8 MiB RLIMIT_MEMLOCK; 4,096 of vm.max_map_count's 65,530 maps) a secret goes to the heap,
/// wiped on release as before. The user's own secrets (key file, mnemonic, passphrase) are read
/// first, so they always get guarded pages.
enum GuardedMemory {
    static let budget = 1024
    static let live = Atomic<Int>(0)
    /// Set once a lock has failed (RLIMIT_MEMLOCK reached, or no permission): the pages are
    /// still guarded, but may reach swap. `sodium_malloc` ignores that failure, so it is
    /// checked again here, until the first one.
    static let lockFailed = Atomic<Bool>(false)

    /// `size` bytes of guarded memory, or nil when the budget is spent or sodium_malloc fails.
    static func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        guard live.add(1, ordering: .relaxed).newValue <= budget, let pointer = sodium_malloc(size) else {
            live.subtract(1, ordering: .relaxed)
            return nil
        }
        // Locking pages that are already locked succeeds: only a real failure is reported.
        if !lockFailed.load(ordering: .relaxed), !Sodium.succeeded(sodium_mlock(pointer, size)) {
            lockFailed.store(true, ordering: .relaxed)
        }
        return pointer
    }

    static func free(_ pointer: UnsafeMutableRawPointer) {
        sodium_free(pointer)
        live.subtract(1, ordering: .relaxed)
    }
}
