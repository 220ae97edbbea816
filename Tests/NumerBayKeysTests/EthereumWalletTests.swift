import Testing
@testable import NumerBayKeys
import TestSupport

/// A wallet that answers as a real one might: through an account, but with its signatures in the
/// 0/1 form, signed by another account, or with another encryption key.
private struct ScriptedWallet: EthereumWallet {
    let account: EthAccount
    var zeroBasedV = false
    var signer: EthAccount? = nil
    var encryptionKey: PublicKey? = nil

    func connectedAddress() throws -> EthAddress { account.address }

    func personalSign(_ message: [UInt8], purpose: WalletPurpose) throws -> PersonalSignature {
        let signature = (signer ?? account).signPersonalMessage(message)
        return zeroBasedV ? signature.withZeroBasedV : signature
    }

    func encryptionPublicKey(purpose: WalletPurpose) throws -> PublicKey {
        encryptionKey ?? account.encryptionKeyPair.publicKey
    }

    func decrypt(envelope json: [UInt8], purpose: WalletPurpose) throws -> SecretBytes {
        try account.decrypt(envelope: json, purpose: purpose)
    }
}

private func ethAccount(_ hex: String?) -> EthAccount {
    try! EthAccount(privateKey: Hex.decodeSecret(Array(hex!.utf8))!)
}

private let okV2 = Vectors.load("wrapped_v2", fields: ["eth_private_key", "salt_message", "signature", "storage_key_hex", "stored",
                                                       "numerbay_private_key", "numerbay_public_key", "v01"]).filter { $0.expect == "ok" }
private let okV1 = Vectors.load("wrapped_v1", fields: ["eth_private_key", "stored", "numerbay_private_key", "numerbay_public_key",
                                                       "ephemeral_secret_key"]).filter { $0.expect == "ok" }

struct EthereumWalletTests {
    /// Whichever form of v the wallet answers with, the box opens, and `usedZeroBasedV` says which
    /// form wrapped it (the vectors come from the web app's model, not from nbkey).
    @Test(arguments: okV2, [false, true])
    func v2OpensWhateverFormTheWalletSigns(_ c: VectorCase, zeroBasedV: Bool) throws {
        let wallet = ScriptedWallet(account: ethAccount(c["eth_private_key"]), zeroBasedV: zeroBasedV)
        let result = try WrappedKeyV2.unwrap(Array(c["stored"]!.utf8), with: wallet)
        #expect(result.key.publicKey.base64 == c["numerbay_public_key"])
        #expect(result.usedZeroBasedV == c.bools["v01"])
    }

    @Test func signatureByAnotherAccountIsRefused() throws {
        let c = okV2[0]
        let account = ethAccount(c["eth_private_key"]), other = try EthAccount(privateKey: SecretBytes(copying: [UInt8](repeating: 7, count: 32)))
        let wallet = ScriptedWallet(account: account, signer: other)
        let error = #expect(throws: WalletError.self) { try WrappedKeyV2.unwrap(Array(c["stored"]!.utf8), with: wallet) }
        #expect(error == .signedByOtherAccount(signer: other.address, account: account.address))
        #expect(error?.message == "the signature is by \(other.address.checksummed), not by the connected account \(account.address.checksummed)")
        #expect(throws: WalletError.self) { try WrappedKeyV2.wrap(KeyPair.generate(), with: wallet) }
    }

    @Test func v1WrapChecksTheWalletsEncryptionKey() throws {
        let account = ethAccount(okV1[0]["eth_private_key"])
        let pair = KeyPair.generate()
        let stored = try WrappedKeyV1.wrap(pair, with: ScriptedWallet(account: account))
        #expect(try WrappedKeyV1.unwrap(stored, with: account).publicKey == pair.publicKey)
        let lying = ScriptedWallet(account: account, encryptionKey: KeyPair.generate().publicKey)
        #expect(throws: WrapError.v1CheckFailed) { try WrappedKeyV1.wrap(pair, with: lying) }
    }

    /// A profile with both fields: v2 first, v1 when this wallet did not wrap v2.
    @Test func profileWithBothFieldsFallsBackToV1() throws {
        let c = okV1[0]
        let account = ethAccount(c["eth_private_key"])
        let stranger = try EthAccount(privateKey: SecretBytes(copying: [UInt8](repeating: 9, count: 32)))
        let v2 = WrappedKeyV2.wrap(KeyPair.generate(), for: stranger, salt: [UInt8](repeating: 1, count: 32),
                                   nonce: [UInt8](repeating: 2, count: 24), zeroBasedV: false)
        let profile = JSONWriter.object([("encrypted_private_key_v2", String(decoding: v2, as: UTF8.self)),
                                         ("encrypted_private_key", c["stored"]!), ("public_key", c["numerbay_public_key"]!)])
        let input = try WrappedKeyInput(profile)
        #expect(input.candidates.map(\.scheme) == [.v2, .v1])
        let opened = try input.unwrap(with: account)
        #expect(opened.scheme == .v1)
        #expect(opened.key.publicKey.base64 == c["numerbay_public_key"])
        let neither = try EthAccount(privateKey: SecretBytes(copying: [UInt8](repeating: 11, count: 32)))
        #expect(throws: WrapError.wrongWallet) { try input.unwrap(with: neither) }
    }

    @Test func addressesParseStrictly() throws {
        let checksummed = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        #expect(try EthAddress(hex: checksummed).checksummed == checksummed)
        #expect(try EthAddress(hex: checksummed.lowercased()).checksummed == checksummed)
        #expect(try EthAddress(hex: "0x" + checksummed.dropFirst(2).uppercased()).checksummed == checksummed)
        #expect(throws: WalletError.badAddressChecksum("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")) {
            try EthAddress(hex: "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        }
        for bad in ["", "0x", "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae",
                    "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaedd", "0xZaaeb6053f3e94c9b9a09f33669435e7ef1beaed"] {
            #expect(throws: WalletError.badAddress(bad)) { try EthAddress(hex: bad) }
        }
    }

    @Test func walletAnswersParseStrictly() throws {
        let ok = try WalletAnswer(json: Array(#"{"id":"ab","result":"0x12"}"#.utf8))
        guard case .result(.string(let s)) = ok.outcome else { Issue.record("not a string result"); return }
        #expect(ok.id == "ab" && s.exposedBytes() == Array("0x12".utf8))
        let list = try WalletAnswer(json: Array(#"{"result":["0xa","0xb"],"id":"x"}"#.utf8))
        guard case .result(.strings(let items)) = list.outcome else { Issue.record("not a list"); return }
        #expect(items == ["0xa", "0xb"])
        let refused = try WalletAnswer(json: Array(#"{"id":"x","error":{"code":4001,"message":"User\nrejected\u001b[31m"}}"#.utf8))
        guard case .error(let code, let message) = refused.outcome else { Issue.record("not an error"); return }
        #expect(code == 4001 && message == "User rejected [31m")
        let malformed = [#"not json"#, #"[]"#, #"{"result":1}"#, #"{"id":"","result":1}"#, #"{"id":7,"result":1}"#,
                         #"{"id":"x"}"#, #"{"id":"x","result":1,"error":{"code":1}}"#, #"{"id":"x","error":{"message":"m"}}"#,
                         #"{"id":"x","id":"y","result":1}"#]
        for text in malformed {
            #expect(throws: WalletMessageError.self, "\(text)") { try WalletAnswer(json: Array(text.utf8)) }
        }
    }

    @Test func walletEventsParseStrictly() throws {
        #expect(try WalletEvent(json: Array(#"{"event":"wallet","name":"Meta\u0000Mask","rdns":"io.metamask"}"#.utf8))
                == .wallet(name: "Meta Mask", rdns: "io.metamask"))
        #expect(try WalletEvent(json: Array(#"{"event":"no-wallet"}"#.utf8)) == .noWallet)
        #expect(try WalletEvent(json: Array(#"{"event":"accountsChanged","accounts":["0xab"]}"#.utf8)) == .accountsChanged(["0xab"]))
        #expect(try WalletEvent(json: Array(#"{"event":"disconnect","code":4900,"message":"gone"}"#.utf8))
                == .disconnect(code: 4900, message: "gone"))
        for text in [#"{"event":"other"}"#, #"{"event":"accountsChanged"}"#, #"{}"#, "x"] {
            #expect(throws: WalletMessageError.self, "\(text)") { try WalletEvent(json: Array(text.utf8)) }
        }
    }

    @Test func objectWriterWritesWhatJSONStringifyWrites() {
        var w = JSONWriter()
        #expect(w.bytes == Array("{}".utf8))
        w.add("state", "request")
        w.add("params", ["0x61\"", "a/b\n"])
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"{"state":"request","params":["0x61\"","a/b\n"]}"#)
    }
}
