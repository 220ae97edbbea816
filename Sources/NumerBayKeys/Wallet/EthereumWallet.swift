
/// What nbkey asks of an Ethereum wallet: the four EIP-1193 requests MetaMask serves. An
/// `EthAccount` answers them from a secret it holds; the browser bridge relays them to the user's
/// own wallet, which keeps its secret. Answers are not trusted: callers check what they can
/// (`verifiedPersonalSign`, the v1 round trip).
public protocol EthereumWallet {
    /// The account that signs and decrypts (eth_requestAccounts, the first account).
    func connectedAddress() throws -> EthAddress
    /// personal_sign (EIP-191) of `message`, exactly as the wallet returns it.
    func personalSign(_ message: [UInt8], purpose: WalletPurpose) throws -> PersonalSignature
    /// eth_getEncryptionPublicKey: the X25519 key eth_decrypt opens envelopes with.
    func encryptionPublicKey(purpose: WalletPurpose) throws -> PublicKey
    /// eth_decrypt of an eth-sig-util envelope given as its JSON text; the plaintext.
    func decrypt(envelope json: [UInt8], purpose: WalletPurpose) throws -> SecretBytes
}

/// Why a request is made, in words a person approving it in a wallet understands.
public struct WalletPurpose: Sendable, Equatable {
    /// A few words, shown as the bridge page's heading.
    public let title: String
    /// A sentence or two under it: what the request does, and what it does not.
    public let detail: String

    /// A purpose in the caller's words.
    public init(title: String, detail: String) {
        self.title = title
        self.detail = detail
    }

    /// personal_sign of the stored salt message, to unwrap a v2 key.
    public static let unlockV2 = WalletPurpose(
        title: "Sign NumerBay's salt message",
        detail: "The signature unlocks your NumerBay key (scheme v2). Signing sends no transaction and costs nothing.")
    /// personal_sign of a fresh salt message, to wrap a key with v2.
    public static let lockV2 = WalletPurpose(
        title: "Sign a new salt message",
        detail: "The signature locks your NumerBay key for storage on NumerBay (scheme v2). It sends no transaction.")
    /// eth_decrypt of the stored envelope, to unwrap a v1 key.
    public static let unlockV1 = WalletPurpose(
        title: "Decrypt your NumerBay key",
        detail: "Your wallet opens the NumerBay key it stores for you (scheme v1, eth_decrypt).")
    /// eth_getEncryptionPublicKey, to wrap a key with v1.
    public static let lockV1 = WalletPurpose(
        title: "Share your encryption public key",
        detail: "nbkey encrypts your NumerBay key to it (scheme v1). A second request follows to check the result.")
    /// eth_decrypt of the envelope just made, to check a v1 wrap.
    public static let confirmV1 = WalletPurpose(
        title: "Decrypt the new wrapped key once",
        detail: "nbkey checks that your wallet can open what it just made before printing it (scheme v1).")
    /// eth_getEncryptionPublicKey, to print the key.
    public static let encryptionKey = WalletPurpose(
        title: "Share your encryption public key",
        detail: "nbkey prints it (eth_getEncryptionPublicKey).")
    /// eth_decrypt of an envelope, to print its plaintext.
    public static let decryptMessage = WalletPurpose(
        title: "Decrypt a message",
        detail: "nbkey prints what your wallet decrypts (eth_decrypt).")
    /// personal_sign of a message, to print the signature.
    public static let signMessage = WalletPurpose(
        title: "Sign a message",
        detail: "nbkey prints the signature (personal_sign). Signing sends no transaction.")
}

extension EthereumWallet {
    /// personal_sign, then its signer recovered with libsecp256k1 must be the wallet's account.
    /// - Throws: `WalletError.badSignature` or `.signedByOtherAccount`; the wallet's own errors.
    public func verifiedPersonalSign(_ message: [UInt8], purpose: WalletPurpose) throws -> PersonalSignature {
        let signature = try personalSign(message, purpose: purpose)
        let account = try connectedAddress()
        guard let signer = signature.signer(of: message) else { throw WalletError.badSignature }
        guard signer == account else { throw WalletError.signedByOtherAccount(signer: signer, account: account) }
        return signature
    }
}

/// An account whose private key nbkey holds answers the requests itself, as MetaMask would.
extension EthAccount: EthereumWallet {
    /// The account's address; never throws.
    public func connectedAddress() throws -> EthAddress { address }

    /// The account's personal_sign signature (v = 27/28); never throws.
    public func personalSign(_ message: [UInt8], purpose: WalletPurpose) throws -> PersonalSignature {
        signPersonalMessage(message)
    }

    /// MetaMask's encryption public key for this account; never throws.
    public func encryptionPublicKey(purpose: WalletPurpose) throws -> PublicKey {
        encryptionKeyPair.publicKey
    }

    /// eth_decrypt with the account's encryption key.
    /// - Throws: `EnvelopeError`.
    public func decrypt(envelope json: [UInt8], purpose: WalletPurpose) throws -> SecretBytes {
        try EthEnvelope.decrypt(json, with: encryptionKeyPair, padding: .none)
    }
}
