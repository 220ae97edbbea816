import Testing
@testable import NumerBayKeys
import TestSupport

/// Secret text as the CLI reads it (issue 12, bugs 6 and 7): UTF-8 checked, one final line break
/// removed from files, white space at the ends detected without a String.
struct SecretTextTests {
    static let mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

    @Test(arguments: [
        ([UInt8]("pw\n".utf8), [UInt8]("pw".utf8)),
        (Array("pw\r\n".utf8), Array("pw".utf8)),
        (Array("pw\n\n".utf8), Array("pw\n".utf8)),
        (Array("pw \n".utf8), Array("pw ".utf8)),
        (Array("pw\r".utf8), Array("pw\r".utf8)),
        (Array("pw\n\r".utf8), Array("pw\n\r".utf8)),
        (Array("\r\n".utf8), []),
        ([], []),
    ])
    func finalLineBreak(_ given: [UInt8], _ expected: [UInt8]) {
        #expect(SecretBytes(copying: given).removingFinalLineBreak().exposedBytes() == expected)
    }

    @Test(arguments: [
        ("pw", false, false), (" pw", true, false), ("pw\t", false, true), ("\npw\r", true, true),
        ("pw\u{00A0}", false, true), ("\u{3000}pw", true, false), ("p w", false, false), ("", false, false),
        ("é", false, false), ("\u{2028}", true, true),
    ])
    func whiteSpaceAtEnds(_ text: String, _ start: Bool, _ end: Bool) {
        let ends = SecretBytes(copying: Array(text.utf8)).whiteSpaceAtEnds
        #expect(ends.start == start && ends.end == end)
    }

    @Test(arguments: [[0xFF], [0x61, 0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x63, 0x61, 0x66, 0xE9], [0xF4, 0x90, 0x80, 0x80]] as [[UInt8]])
    func invalidUTF8(_ bytes: [UInt8]) {
        let text = SecretBytes(copying: bytes)
        #expect(!text.isValidUTF8)
        #expect(text.whiteSpaceAtEnds == (false, false))
        // Decoding would have replaced the bytes with U+FFFD: different passphrases, one account.
        #expect(throws: MnemonicError.notUTF8(.passphrase)) { try BIP39.seed(mnemonic: secret(Self.mnemonic), passphrase: text) }
        var mnemonic = Array(Self.mnemonic.utf8)
        mnemonic += [0x20] + bytes
        #expect(throws: MnemonicError.notUTF8(.mnemonic)) { try BIP39.seed(mnemonic: SecretBytes(copying: mnemonic), passphrase: secret("")) }
    }

    @Test func errorMessagesNameTheTextNotTheSecret() {
        #expect(MnemonicError.notUTF8(.passphrase).message == "the BIP-39 passphrase is not valid UTF-8 text")
        #expect(MnemonicError.notUTF8(.mnemonic).message == "the mnemonic is not valid UTF-8 text")
    }
}
