import Testing
@testable import NumerBayKeys
import TestSupport

/// keccak256, address, encryption_public_key and personal_sign vectors (eth-hash, eth-keys,
/// eth-account, PyNaCl).
struct EthereumVectorTests {
    @Test(arguments: Vectors.load("keccak256", fields: ["input_hex", "digest_hex"]))
    func keccak256(_ c: VectorCase) {
        #expect(Hex.encode(Keccak256.hash(Hex.decode(c["input_hex"]!)!)) == c["digest_hex"])
    }

    @Test(arguments: Vectors.load("address", fields: ["private_key_file", "address"]))
    func address(_ c: VectorCase) {
        let file = SecretBytes(copying: Array(c["private_key_file"]!.utf8))
        switch c.expect {
        case "ok":
            #expect((try? EthAccount(privateKeyFile: file))?.address.checksummed == c["address"])
        case "invalid_key":
            #expect(throws: WalletError.privateKeyOutOfRange) { try EthAccount(privateKeyFile: file) }
        case "format":
            let error = #expect(throws: WalletError.self) { try EthAccount(privateKeyFile: file) }
            if case .privateKeyFormat = error {} else { Issue.record("expected a format error, got \(String(describing: error))") }
        default:
            Issue.record("unknown expect \(c.expect)")
        }
    }

    @Test(arguments: Vectors.load("encryption_public_key", fields: ["eth_private_key", "encryption_public_key"]))
    func encryptionPublicKey(_ c: VectorCase) {
        #expect(account(c["eth_private_key"]).encryptionKeyPair.publicKey.base64 == c["encryption_public_key"])
    }

    @Test(arguments: Vectors.load("personal_sign", fields: ["eth_private_key", "message_hex", "digest_hex", "signature"]))
    func personalSign(_ c: VectorCase) throws {
        let message = Hex.decode(c["message_hex"]!)!
        let signer = account(c["eth_private_key"])
        #expect(Hex.encode(PersonalSign.digest(message)) == c["digest_hex"])
        let signature = signer.signPersonalMessage(message)
        #expect(signature.hex == c["signature"])
        #expect(try PersonalSignature(hex: c["signature"]!).signer(of: message) == signer.address)
    }
}
