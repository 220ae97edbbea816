internal import CSodium

/// An Ethereum account's secret (a secp256k1 private key) and what MetaMask derives from it.
public final class EthAccount: Sendable {
    package let privateKey: SecretBytes

    /// A 32-byte key with 1 ≤ k < n.
    public init(privateKey: SecretBytes) throws {
        guard privateKey.count == 32 else { throw WalletError.privateKeyFormat("must be 32 bytes") }
        guard Secp256k1.isValidSecretKey(privateKey) else { throw WalletError.privateKeyOutOfRange }
        self.privateKey = privateKey
    }

    /// The text of a private-key file: 64 hex digits, `0x` optional, surrounding white space
    /// ignored. Nothing of the text appears in an error.
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

    public var address: EthAddress { EthAddress(publicKey: publicKey) }

    /// eth_getEncryptionPublicKey: the account key used as it is as an X25519 secret.
    public var encryptionKeyPair: KeyPair { try! KeyPair(secretKey: privateKey) }

    /// personal_sign (EIP-191) of `message`.
    public func signPersonalMessage<C: Collection>(_ message: C) -> PersonalSignature where C.Element == UInt8 {
        let digest = PersonalSign.digest(message)
        var (rs, recid) = Secp256k1.signRecoverable(digest: digest, key: privateKey)
        defer { Sodium.wipe(&rs) }
        return PersonalSignature(bytes: rs + [UInt8(27 + recid)])
    }
}

public struct EthAddress: Equatable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    init(publicKey: [UInt8]) {
        precondition(publicKey.count == 64)
        bytes = Array(Keccak256.hash(publicKey).suffix(20))
    }

    /// `0x` + 40 hex digits. All lower or all upper case is taken as it is; mixed case must carry
    /// a correct EIP-55 checksum.
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

    public var description: String { checksummed }
}

/// A 65-byte personal_sign signature: r (32) || s (32) || v (1).
public struct PersonalSignature: Equatable, Sendable {
    public let bytes: [UInt8]

    public var hex: String { "0x" + Hex.encode(bytes) }

    /// The same signature with v as 0/1 instead of 27/28 (what some hardware wallets return).
    public var withZeroBasedV: PersonalSignature {
        PersonalSignature(bytes: Array(bytes[0..<64]) + [bytes[64] >= 27 ? bytes[64] - 27 : bytes[64]])
    }

    /// The same signature with the other form of v: 27/28 becomes 0/1 and 0/1 becomes 27/28.
    public var withOtherV: PersonalSignature {
        PersonalSignature(bytes: Array(bytes[0..<64]) + [bytes[64] >= 27 ? bytes[64] - 27 : bytes[64] + 27])
    }

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// `0x` + 130 hex digits.
    public init(hex: String) throws {
        var text = Substring(hex)
        if text.hasPrefix("0x") { text = text.dropFirst(2) }
        guard text.count == 130, let raw = Hex.decode(String(text)) else { throw WalletError.badSignature }
        bytes = raw
    }

    /// The address that signed `message`, or nil (bad r/s/v, high-s is accepted as Ethereum's
    /// ecrecover does only for v 27/28/0/1).
    public func signer<C: Collection>(of message: C) -> EthAddress? where C.Element == UInt8 {
        guard bytes.count == 65 else { return nil }
        let v = bytes[64]
        let recid: Int32
        switch v {
        case 27, 28: recid = Int32(v - 27)
        case 0, 1: recid = Int32(v)
        default: return nil
        }
        guard let pk = Secp256k1.recover(digest: PersonalSign.digest(message), rs: Array(bytes[0..<64]), recoveryID: recid) else {
            return nil
        }
        return EthAddress(publicKey: pk)
    }
}

public enum PersonalSign {
    public static let prefix = "\u{19}Ethereum Signed Message:\n"

    /// keccak256("\x19Ethereum Signed Message:\n" + decimal length + message).
    public static func digest<C: Collection>(_ message: C) -> [UInt8] where C.Element == UInt8 {
        Keccak256.hash(Array(prefix.utf8) + Array(String(message.count).utf8) + Array(message))
    }
}

public enum WalletError: NBKeyError, Equatable {
    case privateKeyFormat(String)
    case privateKeyOutOfRange
    case badSignature
    case signedByOtherAccount(signer: EthAddress, account: EthAddress)
    case badAddress(String)
    case badAddressChecksum(String)

    public var message: String {
        switch self {
        case .privateKeyFormat(let why): return "wallet private key \(why)"
        case .privateKeyOutOfRange: return "wallet private key is out of range: it must be between 1 and n-1 of secp256k1"
        case .badSignature: return "not a 65-byte signature in 0x-hex form"
        case .badAddress(let text): return "\(text) is not an Ethereum address (0x and 40 hex digits)"
        case .badAddressChecksum(let text): return "\(text) has a wrong EIP-55 checksum (mixed case)"
        case .signedByOtherAccount(let signer, let account):
            return "the signature is by \(signer.checksummed), not by the connected account \(account.checksummed)"
        }
    }
}
