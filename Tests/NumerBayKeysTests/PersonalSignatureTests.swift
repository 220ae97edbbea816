import NumerBayKeys
import Testing
import TestSupport

/// `PersonalSignature` takes 65 bytes with v in {0, 1, 27, 28} and nothing else, so that its
/// other forms are total.
struct PersonalSignatureTests {
    static let signer = account("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
    static let message = Array("personal signature".utf8)
    static let good = signer.signPersonalMessage(message)

    @Test func lengthAndVAreCheckedAtInit() throws {
        let rs = Array(Self.good.bytes[0..<64])
        for v: UInt8 in [0, 1, 27, 28] {
            let signature = try PersonalSignature(bytes: rs + [v])
            #expect(signature.bytes == rs + [v])
            #expect(try PersonalSignature(hex: signature.hex) == signature)
        }
        for v: UInt8 in [2, 26, 29, 35, 36, 255] {
            #expect(throws: WalletError.signatureRecoveryID(v)) { try PersonalSignature(bytes: rs + [v]) }
            #expect(throws: WalletError.signatureRecoveryID(v)) { try PersonalSignature(hex: "0x" + Hex.encode(rs + [v])) }
        }
        for length in [0, 1, 64, 66] {
            let bytes = Array((rs + rs + rs).prefix(length))
            #expect(throws: WalletError.signatureLength(length)) { try PersonalSignature(bytes: bytes) }
        }
        #expect(throws: WalletError.badSignature) { try PersonalSignature(hex: "0x" + Hex.encode(rs)) }
        #expect(WalletError.signatureLength(64).message == "a personal_sign signature is 65 bytes, got 64")
        #expect(WalletError.signatureRecoveryID(29).message == "a personal_sign signature's v is 0, 1, 27 or 28, got 29")
    }

    @Test func theOtherFormsOfV() throws {
        let rs = Array(Self.good.bytes[0..<64])
        let forms: [(v: UInt8, zeroBased: UInt8, other: UInt8)] = [(27, 0, 0), (28, 1, 1), (0, 0, 27), (1, 1, 28)]
        for form in forms {
            let signature = try PersonalSignature(bytes: rs + [form.v])
            #expect(signature.withZeroBasedV.bytes == rs + [form.zeroBased], "v = \(form.v)")
            #expect(signature.withOtherV.bytes == rs + [form.other], "v = \(form.v)")
            #expect(signature.withOtherV.withOtherV == signature)
        }
        #expect(Self.good.bytes[64] == 27 || Self.good.bytes[64] == 28, "signing gives 27/28")
        #expect(Self.good.withZeroBasedV.signer(of: Self.message) == Self.signer.address)
        #expect(Self.good.withOtherV.signer(of: Self.message) == Self.signer.address)
    }
}

/// `EthEnvelope.Padding` names eth-sig-util's two schemes.
struct EnvelopePaddingTests {
    @Test func eachPaddingRoundTripsAndTheySayWhatTheyAre() throws {
        let wallet = KeyPair.generate()
        let data = SecretBytes(copying: Array("grüße".utf8))
        let plain = try EthEnvelope.encrypt(data, to: wallet.publicKey, padding: .none)
        let safe = try EthEnvelope.encrypt(data, to: wallet.publicKey, padding: .encryptSafely)
        #expect(try EthEnvelope.decrypt(plain, with: wallet, padding: .none).exposedBytes() == data.exposedBytes())
        #expect(try EthEnvelope.decrypt(safe, with: wallet, padding: .encryptSafely).exposedBytes() == data.exposedBytes())
        // Opened without unpadding, an encryptSafely envelope gives its padded JSON, 2048 - 16 bytes.
        let inner = try EthEnvelope.decrypt(safe, with: wallet, padding: .none)
        #expect(inner.count == 2048 - 16)
        #expect(inner.exposedBytes().starts(with: Array("{\"data\":\"grüße\",\"padding\":\"000".utf8)))
        #expect(throws: EnvelopeError.safeInner) { try EthEnvelope.decrypt(plain, with: wallet, padding: .encryptSafely) }
    }
}
