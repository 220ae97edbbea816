import Testing
@testable import NumerBayKeys
import TestSupport

/// Keystore KDF costs (issue 12, bug 8): every bound computed without overflow, memory and work
/// both bounded, each refusal naming what is wrong. Parsing only: nothing here runs a KDF.
struct KeystoreBoundsTests {
    static func keystore(_ kdfparams: String, kdf: String = "scrypt") -> [UInt8] {
        Array(#"{"version":3,"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"00000000000000000000000000000000"},"ciphertext":"00","mac":"0000000000000000000000000000000000000000000000000000000000000000","kdf":"\#(kdf)","kdfparams":{"dklen":32,"salt":"00",\#(kdfparams)}}}"#.utf8)
    }

    static let memory = "scrypt memory 128·r·(n+p) is above 2 GiB"
    static let work = "scrypt work n·r·p is above 2^24, 8 times a geth keystore's"

    @Test(arguments: [
        // The issue's two: an overflow of 128·r·(n+p), and 1 GiB of memory with hours of work.
        (#""n":68719476736,"r":1048576,"p":1"#, memory + " (n=68719476736, r=1048576, p=1); refused"),
        (#""n":16384,"r":8,"p":1048576"#, work + " (n=16384, r=8, p=1048576); refused"),
        (#""n":4611686018427387904,"r":1,"p":4611686018427387904"#, memory + " (n=4611686018427387904, r=1, p=4611686018427387904); refused"),
        (#""n":2,"r":72057594037927936,"p":1"#, memory + " (n=2, r=72057594037927936, p=1); refused"),
        (#""n":2,"r":1,"p":9223372036854775807"#, memory + " (n=2, r=1, p=9223372036854775807); refused"),
        (#""n":2097152,"r":8,"p":1"#, memory + " (n=2097152, r=8, p=1); refused"),
        (#""n":524288,"r":8,"p":5"#, work + " (n=524288, r=8, p=5); refused"),
        (#""n":1000,"r":8,"p":1"#, "scrypt n=1000 is not a power of two above 1"),
        (#""n":-4,"r":8,"p":1"#, "scrypt n=-4 is not a power of two above 1"),
        (#""n":1024,"r":0,"p":1"#, "scrypt r=0 is below 1"),
        (#""n":1024,"r":8,"p":-1"#, "scrypt p=-1 is below 1"),
        (#""n":18446744073709551616,"r":8,"p":1"#, "scrypt n is out of range; refused"),
    ])
    func scryptRefused(_ params: String, _ why: String) {
        #expect(throws: KeystoreError.kdfLimits(why)) { try KeystoreV3.parse(Self.keystore(params)) }
    }

    @Test(arguments: [
        #""c":0,"prf":"hmac-sha256""#, #""c":16777217,"prf":"hmac-sha256""#, #""c":-1,"prf":"hmac-sha256""#,
    ])
    func pbkdf2Refused(_ params: String) throws {
        let c = params.split(separator: ",")[0].dropFirst(4)
        #expect(throws: KeystoreError.kdfLimits("pbkdf2 c=\(c) is outside 1 to 2^24; refused")) {
            try KeystoreV3.parse(Self.keystore(params, kdf: "pbkdf2"))
        }
    }

    @Test func pbkdf2HugeCountIsACostNotAFormatError() {
        #expect(throws: KeystoreError.kdfLimits("pbkdf2 c is out of range; refused")) {
            try KeystoreV3.parse(Self.keystore(#""c":9223372036854775808,"prf":"hmac-sha256""#, kdf: "pbkdf2"))
        }
        #expect(throws: KeystoreError.format("pbkdf2 needs an integer c")) {
            try KeystoreV3.parse(Self.keystore(#""c":1e3,"prf":"hmac-sha256""#, kdf: "pbkdf2"))
        }
    }

    /// The bounds themselves are allowed: n·r·p = 2^24 exactly, 2^18·8·1 (geth, eth-account).
    @Test(arguments: [#""n":524288,"r":8,"p":4"#, #""n":262144,"r":8,"p":1"#, #""n":1048576,"r":1,"p":16"#])
    func scryptAtTheBounds(_ params: String) throws {
        _ = try KeystoreV3.parse(Self.keystore(params))
    }

    @Test func pbkdf2AtTheBound() throws {
        _ = try KeystoreV3.parse(Self.keystore(#""c":16777216,"prf":"hmac-sha256""#, kdf: "pbkdf2"))
    }
}
