internal import CSodium

/// Keccak-256 as Ethereum uses it: the original Keccak submission's padding (0x01 … 0x80), not
/// FIPS 202 SHA3-256 (0x06). Written here because no library on Debian 12 offers it (OpenSSL 3.0
/// has only SHA3); checked against published answers and eth-hash in vectors/keccak256.json.
public enum Keccak256 {
    static let rate = 136

    private static let roundConstants: [UInt64] = [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ]
    // Rotation offsets and the lane each ρ/π step moves to, in the order of the π walk.
    private static let rotations: [UInt64] = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44]
    private static let piLanes = [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1]

    /// The 32-byte Keccak-256 digest of `message`.
    public static func hash<C: Collection>(_ message: C) -> [UInt8] where C.Element == UInt8 {
        var state = [UInt64](repeating: 0, count: 25)
        var block = [UInt8](repeating: 0, count: rate)
        var filled = 0
        for byte in message {
            block[filled] = byte
            filled += 1
            if filled == rate {
                absorb(block, into: &state)
                filled = 0
            }
        }
        for i in filled..<rate { block[i] = 0 }
        block[filled] ^= 0x01
        block[rate - 1] ^= 0x80
        absorb(block, into: &state)
        var out = [UInt8]()
        out.reserveCapacity(32)
        for lane in state[0..<4] {
            for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: lane >> (8 * UInt64(k)))) }
        }
        // The input may be secret (a keystore's MAC key, a v2 signature): leave no copy behind.
        sodium_memzero(&block, block.count)
        state.withUnsafeMutableBytes { sodium_memzero($0.baseAddress, $0.count) }
        return out
    }

    private static func absorb(_ block: [UInt8], into state: inout [UInt64]) {
        for i in 0..<(rate / 8) {
            var lane: UInt64 = 0
            for k in 0..<8 { lane |= UInt64(block[8 * i + k]) << (8 * UInt64(k)) }
            state[i] ^= lane
        }
        permute(&state)
    }

    /// Keccak-f[1600]: 24 rounds of θ, ρ and π, χ, ι.
    private static func permute(_ a: inout [UInt64]) {
        var c = [UInt64](repeating: 0, count: 5)
        for round in 0..<24 {
            for x in 0..<5 { c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] }
            for x in 0..<5 {
                let d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1)
                for y in stride(from: 0, to: 25, by: 5) { a[y + x] ^= d }
            }
            var carried = a[1]
            for i in 0..<24 {
                let lane = piLanes[i]
                let next = a[lane]
                a[lane] = rotl(carried, rotations[i])
                carried = next
            }
            for y in stride(from: 0, to: 25, by: 5) {
                let row = Array(a[y..<(y + 5)])
                for x in 0..<5 { a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]) }
            }
            a[0] ^= roundConstants[round]
        }
    }

    private static func rotl(_ v: UInt64, _ n: UInt64) -> UInt64 { (v << n) | (v >> (64 - n)) }
}
