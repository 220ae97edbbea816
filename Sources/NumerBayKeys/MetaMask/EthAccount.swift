/// An Ethereum account's secret (a secp256k1 private key) and what MetaMask derives from it.
public final class EthAccount: Sendable {
    package let privateKey: SecretBytes

    /// A 32-byte key with 1 ≤ k < n.
    /// - Throws: `WalletError.privateKeyFormat` unless there are 32 bytes;
    ///   `WalletError.privateKeyOutOfRange` when the key is 0 or not below n.
    public init(privateKey: SecretBytes) throws {
        guard privateKey.count == 32 else { throw WalletError.privateKeyFormat("must be 32 bytes") }
        guard Secp256k1.isValidSecretKey(privateKey) else { throw WalletError.privateKeyOutOfRange }
        self.privateKey = privateKey
    }

    /// The text of a private-key file: 64 hex digits, `0x` optional, surrounding white space
    /// ignored. Nothing of the text appears in an error.
    /// - Throws: `WalletError.privateKeyFormat` when the text is not 64 hex digits;
    ///   `WalletError.privateKeyOutOfRange` when the key is 0 or not below n.
    public convenience init(privateKeyFile text: SecretBytes) throws {
        let digits: SecretBytes = text.withUnsafeBytes { raw in
            var start = 0, end = raw.count
            let space: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C]
            while start < end, space.contains(raw[start]) { start += 1 }
            while end > start, space.contains(raw[end - 1]) { end -= 1 }
            if end - start >= 2, raw[start] == UInt8(ascii: "0"), raw[start + 1] | 0x20 == UInt8(ascii: "x") { start += 2 }
            return SecretBytes(copying: raw[start..<end])
        }
        guard digits.count == 64 else {
            throw WalletError.privateKeyFormat("must be 64 hex digits, got \(digits.count) characters")
        }
        guard let key = digits.withUnsafeBytes({ Hex.decodeSecret($0) }) else {
            throw WalletError.privateKeyFormat("is not hexadecimal")
        }
        try self.init(privateKey: key)
    }

    /// The 64-byte uncompressed public key (no 0x04 prefix).
    public var publicKey: [UInt8] { Secp256k1.publicKey(of: privateKey) }

    /// The account's address: the last 20 bytes of keccak256(public key).
    public var address: EthAddress { EthAddress(publicKey: publicKey) }

    /// eth_getEncryptionPublicKey: the account key used as it is as an X25519 secret.
    public var encryptionKeyPair: KeyPair { try! KeyPair(secretKey: privateKey) }

    /// personal_sign (EIP-191) of `message`.
    public func signPersonalMessage<C: Collection>(_ message: C) -> PersonalSignature where C.Element == UInt8 {
        let digest = PersonalSign.digest(message)
        var (rs, recid) = Secp256k1.signRecoverable(digest: digest, key: privateKey)
        defer { Sodium.wipe(&rs) }
        return PersonalSignature(signed: rs, recoveryID: recid)
    }
}

/// A 20-byte Ethereum account address.
public struct EthAddress: Equatable, Sendable, CustomStringConvertible {
    /// The 20 bytes.
    public let bytes: [UInt8]

    init(publicKey: [UInt8]) {
        precondition(publicKey.count == 64)
        bytes = Array(Keccak256.hash(publicKey).suffix(20))
    }

    /// `0x` + 40 hex digits. All lower or all upper case is taken as it is; mixed case must carry
    /// a correct EIP-55 checksum.
    /// - Throws: `WalletError.badAddress` when the text is not `0x` and 40 hex digits;
    ///   `WalletError.badAddressChecksum` for mixed case with a wrong checksum.
    public init(hex text: String) throws {
        guard text.hasPrefix("0x") || text.hasPrefix("0X"), text.utf8.count == 42,
              let raw = Hex.decode(String(text.dropFirst(2))) else {
            throw WalletError.badAddress(WalletText.clean(text, limit: 50))
        }
        bytes = raw
        let digits = text.dropFirst(2)
        if digits != digits.lowercased() && digits != digits.uppercased() && String(checksummed.dropFirst(2)) != digits {
            throw WalletError.badAddressChecksum(WalletText.clean(text, limit: 50))
        }
    }

    /// `0x` + 40 lower-case hex digits.
    public var lowercaseHex: String { "0x" + Hex.encode(bytes) }

    /// EIP-55: a hex letter is upper case when the matching nibble of keccak256(lowercase hex) is ≥ 8.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes).utf8)
        let hash = Keccak256.hash(lower)
        var out = Array("0x".utf8)
        for (i, c) in lower.enumerated() {
            let nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0F
            out.append(c >= UInt8(ascii: "a") && nibble >= 8 ? c - 32 : c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The EIP-55 form, as `checksummed`.
    public var description: String { checksummed }
}

/// A 65-byte personal_sign signature: r (32) || s (32) || v (1), v being the recovery id as
/// 27/28 (MetaMask) or 0/1 (some hardware wallets). Only those four values of v are accepted;
/// r and s are checked when the signer is recovered.
public struct PersonalSignature: Equatable, Sendable {
    /// r || s || v, 65 bytes.
    public let bytes: [UInt8]

    /// The signature's length.
    public static let length = 65
    private static let validV: Set<UInt8> = [0, 1, 27, 28]

    /// `0x` + 130 lower-case hex digits.
    public var hex: String { "0x" + Hex.encode(bytes) }

    /// The same signature with v as 0/1 instead of 27/28 (what some hardware wallets return).
    public var withZeroBasedV: PersonalSignature { PersonalSignature(rs: bytes[0..<64], v: recoveryID) }

    /// The same signature with the other form of v: 27/28 becomes 0/1 and 0/1 becomes 27/28.
    public var withOtherV: PersonalSignature {
        PersonalSignature(rs: bytes[0..<64], v: bytes[64] >= 27 ? recoveryID : recoveryID + 27)
    }

    /// v as 0 or 1, whichever form the signature has.
    private var recoveryID: UInt8 { bytes[64] >= 27 ? bytes[64] - 27 : bytes[64] }

    /// Both checked by the callers: `rs` is 64 bytes, `v` one of 0, 1, 27, 28.
    private init(rs: ArraySlice<UInt8>, v: UInt8) { bytes = Array(rs) + [v] }

    /// The 65 bytes r || s || v.
    /// - Throws: `WalletError.signatureLength` unless there are 65 bytes;
    ///   `WalletError.signatureRecoveryID` when v is not 0, 1, 27 or 28.
    public init(bytes: [UInt8]) throws(WalletError) {
        guard bytes.count == Self.length else { throw .signatureLength(bytes.count) }
        guard Self.validV.contains(bytes[64]) else { throw .signatureRecoveryID(bytes[64]) }
        self.bytes = bytes
    }

    /// `0x` + 130 hex digits (`0x` optional, either letter case).
    /// - Throws: `WalletError.badSignature` for anything else;
    ///   `WalletError.signatureRecoveryID` when v is not 0, 1, 27 or 28.
    public init(hex: String) throws(WalletError) {
        var text = Substring(hex)
        if text.hasPrefix("0x") { text = text.dropFirst(2) }
        guard text.count == 130, let raw = Hex.decode(String(text)) else { throw .badSignature }
        try self.init(bytes: raw)
    }

    /// Made by `EthAccount.signPersonalMessage`: 64 bytes and a recovery id of 0 or 1.
    init(signed rs: [UInt8], recoveryID: Int32) {
        precondition(rs.count == 64 && (0...1).contains(recoveryID), "libsecp256k1 returned a recovery id above 1")
        self.init(rs: rs[...], v: UInt8(27 + recoveryID))
    }

    /// The address that signed `message`, or nil when r or s is not a valid scalar or nothing
    /// recovers. A high s is accepted, as Ethereum's ecrecover accepts it.
    public func signer<C: Collection>(of message: C) -> EthAddress? where C.Element == UInt8 {
        guard let pk = Secp256k1.recover(digest: PersonalSign.digest(message), rs: Array(bytes[0..<64]),
                                         recoveryID: Int32(recoveryID)) else {
            return nil
        }
        return EthAddress(publicKey: pk)
    }
}

/// personal_sign's message digest (EIP-191 version 0x45).
public enum PersonalSign {
    /// What personal_sign puts before the message's decimal length and the message.
    public static let prefix = "\u{19}Ethereum Signed Message:\n"

    /// keccak256("\x19Ethereum Signed Message:\n" + decimal length + message).
    public static func digest<C: Collection>(_ message: C) -> [UInt8] where C.Element == UInt8 {
        Keccak256.hash(Array(prefix.utf8) + Array(String(message.count).utf8) + Array(message))
    }
}

/// Why an Ethereum private key, address or signature was refused.
public enum WalletError: NBKeyError, Equatable {
    /// The private key's text is malformed; the associated text says how (never the key).
    case privateKeyFormat(String)
    /// The private key is 0 or not below the order n of secp256k1.
    case privateKeyOutOfRange
    /// A signature that is not 0x-hex of 65 bytes, or from which no signer recovers.
    case badSignature
    /// A signature of some other length than 65 bytes.
    case signatureLength(Int)
    /// A signature whose v is not 0, 1, 27 or 28.
    case signatureRecoveryID(UInt8)
    /// The signature recovers to `signer`, not to the wallet's `account`.
    case signedByOtherAccount(signer: EthAddress, account: EthAddress)
    /// Not `0x` and 40 hex digits (the text, cleaned and shortened).
    case badAddress(String)
    /// Mixed-case hex whose letter case is not the EIP-55 checksum.
    case badAddressChecksum(String)

    /// The error as one line for the user.
    public var message: String {
        switch self {
        case .privateKeyFormat(let why): return "wallet private key \(why)"
        case .privateKeyOutOfRange: return "wallet private key is out of range: it must be between 1 and n-1 of secp256k1"
        case .badSignature: return "not a 65-byte signature in 0x-hex form"
        case .signatureLength(let n): return "a personal_sign signature is 65 bytes, got \(n)"
        case .signatureRecoveryID(let v): return "a personal_sign signature's v is 0, 1, 27 or 28, got \(v)"
        case .badAddress(let text): return "\(text) is not an Ethereum address (0x and 40 hex digits)"
        case .badAddressChecksum(let text): return "\(text) has a wrong EIP-55 checksum (mixed case)"
        case .signedByOtherAccount(let signer, let account):
            return "the signature is by \(signer.checksummed), not by the connected account \(account.checksummed)"
        }
    }
}
