import Foundation
import NumerBayKeys
import TestSupport
import Testing

/// The examples of the DocC articles (Sources/NumerBayKeys/NumerBayKeys.docc), compiled and run
/// here. Each sits between `// docs: ARTICLE` and `// end docs`, and `articlesShowTheseExamples`
/// checks that the article's Swift block is that text, so neither can change alone.
struct DocumentationExampleTests {
    @Test func keyFiles() throws {
        // docs: KeyFiles
        let pair = KeyPair.generate()
        let file = KeyFile.serialize(pair)
        let read = try KeyFile.parse(file)

        let passphrase = SecretBytes(copying: Array("correct horse battery staple".utf8))
        let protected = try ProtectedKeyFile.protect(pair, passphrase: passphrase)
        let opened = try ProtectedKeyFile.unprotect(SecretBytes(copying: protected), passphrase: passphrase)
        // end docs
        #expect(read.publicKey == pair.publicKey && read.secretKey.constantTimeEquals(pair.secretKey))
        #expect(opened.publicKey == pair.publicKey && opened.secretKey.constantTimeEquals(pair.secretKey))
        #expect(throws: ProtectedKeyError.wrongPassphrase) {
            try ProtectedKeyFile.unprotect(SecretBytes(copying: protected), passphrase: SecretBytes(copying: Array("x".utf8)))
        }
    }

    @Test func sealedBoxes() throws {
        // docs: SealedBoxes
        let buyer = KeyPair.generate()
        let sealed = try SealedBox.seal(Array("era,prediction\n1,0.51\n".utf8), to: buyer.publicKey)

        let opener = try Opener(header: Array(sealed[..<SealedBox.overhead]), with: buyer)
        let chunks = stride(from: SealedBox.overhead, to: sealed.count, by: 8).map {
            Array(sealed[$0..<min($0 + 8, sealed.count)])
        }
        for chunk in chunks { opener.authenticate(chunk) }
        try opener.finishAuthentication()
        var plaintext: [UInt8] = []
        for (index, chunk) in chunks.enumerated() { plaintext += try opener.decrypt(chunk, index: index) }
        // end docs
        #expect(plaintext == Array("era,prediction\n1,0.51\n".utf8))
        #expect(try SealedBox.open(sealed, with: buyer) == plaintext)
    }

    @Test func ethereumAccounts() throws {
        // docs: EthereumAccounts
        let mnemonic = SecretBytes(copying: Array("test test test test test test test test test test test junk".utf8))
        let seed = try BIP39.seed(mnemonic: mnemonic, passphrase: SecretBytes(count: 0))
        let account = try EthAccount(privateKey: BIP32.derive(seed: seed, path: BIP32.metaMaskPath(account: 0)))

        let message = Array("Sign this to retrieve your encryption key.".utf8)
        let signature = account.signPersonalMessage(message)
        let signer = signature.signer(of: message)
        // end docs
        #expect(account.address.checksummed == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        #expect(signer == account.address)
    }

    @Test func wrappedKeys() throws {
        // docs: WrappedKeys
        let account = try EthAccount(privateKey: SecretBytes.random(count: 32))
        let key = KeyPair.generate()

        let stored = try WrappedKeyV2.wrap(key, with: account)
        let unwrapped = try WrappedKeyV2.unwrap(stored, with: account)
        // end docs
        #expect(unwrapped.key.publicKey == key.publicKey && unwrapped.key.secretKey.constantTimeEquals(key.secretKey))
    }

    /// Every Swift block of every article is the text of the test named after the article.
    @Test func articlesShowTheseExamples() throws {
        let catalog = repositoryRoot.appendingPathComponent("Sources/NumerBayKeys/NumerBayKeys.docc")
        let tests = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        var examples: [String: String] = [:]
        for part in tests.components(separatedBy: "// docs: ").dropFirst() {
            let name = String(part.prefix { !$0.isNewline })
            let body = part.drop { !$0.isNewline }.dropFirst().components(separatedBy: "// end docs")[0]
            examples[name] = Self.dedented(String(body))
        }
        let articles = try FileManager.default.contentsOfDirectory(atPath: catalog.path).filter { $0.hasSuffix(".md") }
        var checked = 0
        for article in articles {
            let text = try String(contentsOf: catalog.appendingPathComponent(article), encoding: .utf8)
            for block in text.components(separatedBy: "```swift\n").dropFirst() {
                let code = block.components(separatedBy: "```")[0]
                let name = String(article.dropLast(3))
                #expect(examples[name] == Self.dedented(code), "\(article)'s example differs from the test's")
                checked += 1
            }
        }
        #expect(checked >= 4)
    }

    static func dedented(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let indent = lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return lines.map { $0.count >= indent ? String($0.dropFirst(indent)) : $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
