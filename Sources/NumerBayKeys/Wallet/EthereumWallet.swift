internal import CSodium

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
    public let title: String
    public let detail: String

    public init(title: String, detail: String) {
        self.title = title
        self.detail = detail
    }

    public static let unlockV2 = WalletPurpose(
        title: "Sign NumerBay's salt message",
        detail: "The signature unlocks your NumerBay key (scheme v2). Signing sends no transaction and costs nothing.")
    public static let lockV2 = WalletPurpose(
        title: "Sign a new salt message",
        detail: "The signature locks your NumerBay key for storage on NumerBay (scheme v2). It sends no transaction.")
    public static let unlockV1 = WalletPurpose(
        title: "Decrypt your NumerBay key",
        detail: "Your wallet opens the NumerBay key it stores for you (scheme v1, eth_decrypt).")
    public static let lockV1 = WalletPurpose(
        title: "Share your encryption public key",
        detail: "nbkey encrypts your NumerBay key to it (scheme v1). A second request follows to check the result.")
    public static let confirmV1 = WalletPurpose(
        title: "Decrypt the new wrapped key once",
        detail: "nbkey checks that your wallet can open what it just made before printing it (scheme v1).")
    public static let encryptionKey = WalletPurpose(
        title: "Share your encryption public key",
        detail: "nbkey prints it (eth_getEncryptionPublicKey).")
    public static let decryptMessage = WalletPurpose(
        title: "Decrypt a message",
        detail: "nbkey prints what your wallet decrypts (eth_decrypt).")
    public static let signMessage = WalletPurpose(
        title: "Sign a message",
        detail: "nbkey prints the signature (personal_sign). Signing sends no transaction.")
}

extension EthereumWallet {
    /// personal_sign, then its signer recovered with libsecp256k1 must be the wallet's account.
    public func verifiedPersonalSign(_ message: [UInt8], purpose: WalletPurpose) throws -> PersonalSignature {
        let signature = try personalSign(message, purpose: purpose)
        let account = try connectedAddress()
        guard let signer = signature.signer(of: message) else { throw WalletError.badSignature }
        guard signer == account else { throw WalletError.signedByOtherAccount(signer: signer, account: account) }
        return signature
    }
}

extension EthAccount: EthereumWallet {
    public func connectedAddress() throws -> EthAddress { address }

    public func personalSign(_ message: [UInt8], purpose: WalletPurpose) throws -> PersonalSignature {
        signPersonalMessage(message)
    }

    public func encryptionPublicKey(purpose: WalletPurpose) throws -> PublicKey {
        encryptionKeyPair.publicKey
    }

    public func decrypt(envelope json: [UInt8], purpose: WalletPurpose) throws -> SecretBytes {
        try EthEnvelope.decrypt(json, with: encryptionKeyPair, padding: .none)
    }
}
