import CSodium
import Foundation
import Testing
@testable import NumerBayKeys
@testable import NumerBayKeysFiles
import TestSupport

/// Hostile crypto inputs (issue 7 item 3): Project Wycheproof's low-order, small and
/// non-canonical X25519 public keys (vectors/wycheproof_x25519.json) through every X25519 path,
/// secp256k1 keys and signatures at the edges of the range, and a single flipped bit at every
/// position of a sealed file, an eth-sig-util envelope and a v2 wrapped key.
struct HostileInputTests {
    // MARK: - Helpers (libsodium called directly, not through nbkey)

    static let wycheproof = Vectors.load("wycheproof_x25519", fields: ["public", "private", "shared", "flags", "wycheproof_result"])

    static func hex(_ c: VectorCase, _ field: String) -> [UInt8] { Hex.decode(c[field]!)! }

    /// crypto_box_beforenm's second step: HSalsa20(shared secret, 16 zero bytes).
    static func hsalsa20(_ shared: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let zero16 = [UInt8](repeating: 0, count: 16)
        #expect(crypto_core_hsalsa20(&out, zero16, shared, nil) == 0)
        return out
    }

    /// crypto_secretbox_easy: tag (16) || ciphertext.
    static func secretbox(_ plaintext: [UInt8], nonce: [UInt8], key: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        #expect(crypto_secretbox_easy(&out, plaintext, UInt64(plaintext.count), nonce, key) == 0)
        return out
    }

    /// The sealed-box nonce: BLAKE2b-192(ephemeral public key || recipient public key).
    static func sealNonce(_ ephemeral: [UInt8], _ recipient: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 24)
        let input = ephemeral + recipient
        #expect(crypto_generichash(&out, 24, input, UInt64(input.count), nil, 0) == 0)
        return out
    }

    static func envelopeJSON(nonce: [UInt8], ephemeral: [UInt8], box: [UInt8]) -> [UInt8] {
        Array(("{\"version\":\"x25519-xsalsa20-poly1305\",\"nonce\":\"\(Base64.encode(nonce))\","
               + "\"ephemPublicKey\":\"\(Base64.encode(ephemeral))\",\"ciphertext\":\"\(Base64.encode(box))\"}").utf8)
    }

    /// Like Support.swift's throughFiles, but a failure is returned with whatever it left in the
    /// directory besides the input (the atomic output must leave nothing), instead of trapping.
    static func attempt(_ bytes: [UInt8], _ body: (InputFile, AtomicOutput) throws -> Void) -> (result: Result<[UInt8], Error>, leftovers: [String]) {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inPath = dir.appendingPathComponent("in").path
        let outPath = dir.appendingPathComponent("out").path
        FileManager.default.createFile(atPath: inPath, contents: Data(bytes))
        do {
            let input = try InputFile(path: inPath)
            let output = try AtomicOutput(.path(outPath, overwrite: false), mode: 0o600)
            do {
                try body(input, output)
                try output.commit()
            } catch {
                output.abort()
                throw error
            }
            return (.success(Array(try Data(contentsOf: URL(fileURLWithPath: outPath)))), [])
        } catch {
            let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? ["<unreadable>"]).filter { $0 != "in" }
            return (.failure(error), leftovers)
        }
    }

    static func attemptOpen(_ sealed: [UInt8], with pair: KeyPair) -> (result: Result<[UInt8], Error>, leftovers: [String]) {
        attempt(sealed) { input, output in try SealedFile.open(input, with: pair, into: output) }
    }

    static func attemptSeal(_ plaintext: [UInt8], to recipient: PublicKey, ephemeral: KeyPair? = nil) -> (result: Result<[UInt8], Error>, leftovers: [String]) {
        attempt(plaintext) { input, output in
            if let ephemeral {
                try SealedFile.seal(input, to: recipient, into: output, ephemeral: ephemeral, progress: nil)
            } else {
                try SealedFile.seal(input, to: recipient, into: output)
            }
        }
    }

    /// Expects `attempt` to have failed with exactly `expected` and to have left nothing behind.
    static func expectFailure<E: Error & Equatable>(_ outcome: (result: Result<[UInt8], Error>, leftovers: [String]), _ expected: E,
                                                    _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        switch outcome.result {
        case .success: Issue.record("\(what): succeeded, expected \(expected)", sourceLocation: sourceLocation)
        case .failure(let error):
            #expect((error as? E) == expected, "\(what): got \(error), expected \(expected)", sourceLocation: sourceLocation)
        }
        #expect(outcome.leftovers.isEmpty, "\(what): left \(outcome.leftovers)", sourceLocation: sourceLocation)
    }

    static let plaintext = Array("Wycheproof says hello to nbkey".utf8)

    // MARK: - Wycheproof X25519 through every X25519 path

    @Test func wycheproofFileCoversTheFlags() {
        let cases = Self.wycheproof
        #expect(cases.count >= 50)
        let zero = cases.filter { $0.expect == "invalid_public_key" }
        #expect(zero.count >= 25)
        for flag in ["LowOrderPublic", "ZeroSharedSecret", "SmallPublicKey", "NonCanonicalPublic", "Twist"] {
            #expect(cases.contains { $0["flags"]!.split(separator: ",").contains(Substring(flag)) }, "\(flag)")
        }
        // Non-canonical keys that are not low order: these must be accepted and read per RFC 7748.
        #expect(cases.contains { $0.expect == "ok" && $0["flags"]!.contains("NonCanonicalPublic") })
        for c in cases {
            #expect((c.expect == "invalid_public_key") == (Self.hex(c, "shared") == [UInt8](repeating: 0, count: 32)), "\(c.id)")
            #expect(["ok", "invalid_public_key"].contains(c.expect), "\(c.id)")
        }
    }

    @Test(arguments: wycheproof)
    func sharedKey(_ c: VectorCase) throws {
        let ours = SecretBytes(copying: Self.hex(c, "private"))
        let theirs = try PublicKey(bytes: Self.hex(c, "public"))
        if c.expect == "invalid_public_key" {
            #expect(throws: SealedBoxError.invalidPublicKey) { try X25519.sharedKey(ourSecret: ours, theirPublic: theirs) }
        } else {
            let key = try X25519.sharedKey(ourSecret: ours, theirPublic: theirs)
            #expect(key.exposedBytes() == Self.hsalsa20(Self.hex(c, "shared")))
        }
    }

    /// A sealed file whose ephemeral key is Wycheproof's `public`, to the key pair of `private`.
    /// The zero cases are authenticated with HSalsa20(0, 0), the key of the all-zero secret, so
    /// only the low-order check can refuse them; the ok cases with HSalsa20(shared).
    @Test(arguments: wycheproof)
    func openSealedFileFromHostileEphemeralKey(_ c: VectorCase) throws {
        let recipient = try KeyPair(secretKey: SecretBytes(copying: Self.hex(c, "private")))
        let ephemeral = Self.hex(c, "public")
        let key = Self.hsalsa20(Self.hex(c, "shared"))
        let sealed = ephemeral + Self.secretbox(Self.plaintext, nonce: Self.sealNonce(ephemeral, recipient.publicKey.bytes), key: key)
        let outcome = Self.attemptOpen(sealed, with: recipient)
        if c.expect == "invalid_public_key" {
            Self.expectFailure(outcome, SealedBoxError.invalidPublicKey, c.id)
        } else {
            #expect((try? outcome.result.get()) == Self.plaintext, "\(c.id): \(outcome.result)")
        }
    }

    @Test(arguments: wycheproof)
    func decryptEnvelopeFromHostileEphemeralKey(_ c: VectorCase) throws {
        let recipient = try KeyPair(secretKey: SecretBytes(copying: Self.hex(c, "private")))
        let nonce = (0..<24).map { UInt8($0 * 7 + 1) }
        let box = Self.secretbox(Self.plaintext, nonce: nonce, key: Self.hsalsa20(Self.hex(c, "shared")))
        let envelope = Self.envelopeJSON(nonce: nonce, ephemeral: Self.hex(c, "public"), box: box)
        if c.expect == "invalid_public_key" {
            #expect(throws: SealedBoxError.invalidPublicKey) { try EthEnvelope.decrypt(envelope, with: recipient, padding: .none) }
            #expect(throws: SealedBoxError.invalidPublicKey) { try EthEnvelope.decrypt(Array(EthEnvelope.hexForm(envelope).utf8), with: recipient, padding: .encryptSafely) }
            // The v1 wrapped-key path maps only authentication failures to wrongWallet: a
            // low-order key stays invalidPublicKey. (Wycheproof's private key is a valid
            // secp256k1 key in all but a negligible share of cases.)
            if let wallet = try? EthAccount(privateKey: SecretBytes(copying: Self.hex(c, "private"))) {
                #expect(throws: SealedBoxError.invalidPublicKey) { try WrappedKeyV1.unwrap(envelope, with: wallet) }
            }
        } else {
            #expect(try EthEnvelope.decrypt(envelope, with: recipient, padding: .none).exposedBytes() == Self.plaintext)
        }
    }

    /// Sealing and encrypting TO Wycheproof's `public`: refused for the zero cases (for any
    /// ephemeral key: a clamped scalar is a multiple of 8, so a low-order point always gives zero),
    /// with no output file; for the ok cases the output is exactly the one built from `shared`.
    @Test(arguments: wycheproof)
    func sealAndEncryptToHostilePublicKey(_ c: VectorCase) throws {
        let target = try PublicKey(bytes: Self.hex(c, "public"))
        let ephemeral = try KeyPair(secretKey: SecretBytes(copying: Self.hex(c, "private")))
        let data = SecretBytes(copying: Self.plaintext)
        let nonce = (0..<24).map { UInt8(255 - $0) }
        if c.expect == "invalid_public_key" {
            Self.expectFailure(Self.attemptSeal(Self.plaintext, to: target), SealedBoxError.invalidPublicKey, "\(c.id) seal, random ephemeral")
            Self.expectFailure(Self.attemptSeal(Self.plaintext, to: target, ephemeral: ephemeral), SealedBoxError.invalidPublicKey,
                               "\(c.id) seal, Wycheproof's private key as ephemeral")
            Self.expectFailure(Self.attemptSeal([], to: target), SealedBoxError.invalidPublicKey, "\(c.id) seal, empty plaintext")
            #expect(throws: SealedBoxError.invalidPublicKey) { try EthEnvelope.encrypt(data, to: target, padding: .none) }
            #expect(throws: SealedBoxError.invalidPublicKey) { try EthEnvelope.encrypt(data, to: target, padding: .encryptSafely) }
            #expect(throws: SealedBoxError.invalidPublicKey) {
                try EthEnvelope.encrypt(data, to: target, padding: .none, ephemeral: ephemeral, nonce: nonce)
            }
        } else {
            let key = Self.hsalsa20(Self.hex(c, "shared"))
            let epk = ephemeral.publicKey.bytes
            let expected = epk + Self.secretbox(Self.plaintext, nonce: Self.sealNonce(epk, target.bytes), key: key)
            #expect((try? Self.attemptSeal(Self.plaintext, to: target, ephemeral: ephemeral).result.get()) == expected, "\(c.id)")
            #expect((try? Self.attemptSeal(Self.plaintext, to: target).result.get())?.count == Self.plaintext.count + 48, "\(c.id)")
            let envelope = try EthEnvelope.encrypt(data, to: target, padding: .none, ephemeral: ephemeral, nonce: nonce)
            #expect(envelope == Self.envelopeJSON(nonce: nonce, ephemeral: epk, box: Self.secretbox(Self.plaintext, nonce: nonce, key: key)),
                    "\(c.id)")
            _ = try EthEnvelope.encrypt(data, to: target, padding: .encryptSafely)
        }
    }

    /// A multi-recipient seal with one low-order recipient: that one fails with no file, the
    /// others complete.
    @Test func multiRecipientSealRefusesOnlyTheLowOrderRecipient() throws {
        let good = KeyPair.generate()
        let bad = try PublicKey(bytes: [0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a,
                                        0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00])
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inPath = dir.appendingPathComponent("in").path
        FileManager.default.createFile(atPath: inPath, contents: Data(Self.plaintext))
        let input = try InputFile(path: inPath)
        let outputs = try ["good", "bad"].map { try AtomicOutput(.path(dir.appendingPathComponent($0).path, overwrite: false), mode: 0o600) }
        let results = try SealedFile.seal(input, toEach: [good.publicKey, bad], into: outputs)
        #expect(results[0] == nil)
        #expect((results[1] as? SealedBoxError) == .invalidPublicKey)
        try outputs[0].commit()
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(left == ["good", "in"])
        let sealed = Array(try Data(contentsOf: dir.appendingPathComponent("good")))
        #expect(try openThroughFiles(sealed, with: good) == Self.plaintext)
    }

    // MARK: - secp256k1 private keys at the edges

    static let n: [UInt8] = Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")!

    /// a - b for 256-bit big-endian numbers, a >= b.
    static func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for i in stride(from: 31, through: 0, by: -1) {
            var d = Int(a[i]) - Int(b[i]) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 256 }
            out[i] = UInt8(d)
        }
        precondition(borrow == 0)
        return out
    }

    static func scalar(_ small: UInt8) -> [UInt8] { [UInt8](repeating: 0, count: 31) + [small] }

    @Test func privateKeyRange() throws {
        let addresses = Dictionary(Vectors.load("address", fields: ["private_key_file", "address"])
            .filter { $0.expect == "ok" }
            .map { ($0["private_key_file"]!.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), $0["address"]!) },
            uniquingKeysWith: { first, _ in first })
        let nMinus1 = Self.subtract(Self.n, Self.scalar(1))
        for accepted in [Self.scalar(1), nMinus1] {
            let account = try EthAccount(privateKey: SecretBytes(copying: accepted))
            let known = addresses[Hex.encode(accepted)]
            #expect(known != nil, "address.json has no case for \(Hex.encode(accepted))")
            if let known { #expect(account.address.checksummed == known, "\(Hex.encode(accepted))") }
            // It signs and recovers like any other key.
            let message = Array("edge".utf8)
            #expect(account.signPersonalMessage(message).signer(of: message) == account.address)
        }
        let rejected: [[UInt8]] = [[UInt8](repeating: 0, count: 32), Self.n, [UInt8](repeating: 0xff, count: 32)]
        for key in rejected {
            #expect(throws: WalletError.privateKeyOutOfRange, "\(Hex.encode(key))") { try EthAccount(privateKey: SecretBytes(copying: key)) }
        }
        // n + 1 too (greater than n, below 2^256 - 1).
        var nPlus1 = Self.n
        nPlus1[31] += 1
        #expect(throws: WalletError.privateKeyOutOfRange) { try EthAccount(privateKey: SecretBytes(copying: nPlus1)) }
    }

    // MARK: - Malformed and high-s signatures in the recovery path

    static let signerKey = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"

    static func signature(r: [UInt8], s: [UInt8], v: UInt8) -> PersonalSignature { try! PersonalSignature(bytes: r + s + [v]) }

    @Test func malformedSignaturesRecoverNothing() {
        let signer = account(Self.signerKey)
        let message = Array("malformed".utf8)
        let good = signer.signPersonalMessage(message)
        #expect(good.signer(of: message) == signer.address)
        let r = Array(good.bytes[0..<32]), s = Array(good.bytes[32..<64])
        let zero = [UInt8](repeating: 0, count: 32), ones = [UInt8](repeating: 0xff, count: 32)
        var nPlus1 = Self.n
        nPlus1[31] += 1
        let bad: [(String, [UInt8], [UInt8])] = [
            ("r = 0", zero, s), ("s = 0", r, zero), ("r = s = 0", zero, zero),
            ("r = n", Self.n, s), ("s = n", r, Self.n), ("r = n + 1", nPlus1, s), ("s = n + 1", r, nPlus1),
            ("r = 2^256 - 1", ones, s), ("s = 2^256 - 1", r, ones), ("r = s = 2^256 - 1", ones, ones),
        ]
        for (what, rr, ss) in bad {
            for v: UInt8 in [0, 1, 27, 28] {
                #expect(Self.signature(r: rr, s: ss, v: v).signer(of: message) == nil, "\(what), v = \(v)")
            }
        }
        for v in 0...255 where ![0, 1, 27, 28].contains(v) {
            #expect(throws: WalletError.signatureRecoveryID(UInt8(v)), "v = \(v)") { try PersonalSignature(bytes: r + s + [UInt8(v)]) }
        }
        for length in [0, 1, 32, 64, 66, 130] {
            let bytes = Array((good.bytes + good.bytes + good.bytes).prefix(length))
            #expect(throws: WalletError.signatureLength(length), "\(length) bytes") { try PersonalSignature(bytes: bytes) }
        }
    }

    /// libsecp256k1's secp256k1_ecdsa_recover does not enforce low s (only signing and
    /// secp256k1_ecdsa_verify do), so the high-s twin (r, n - s) with the recovery id flipped
    /// recovers the SAME signer: nbkey's recovery path accepts malleated signatures, as
    /// Ethereum's ecrecover precompile does (EIP-2 restricts s only for transactions). With the
    /// original v it recovers some other key, never the signer.
    @Test func highSSignatureRecoversTheSameSigner() {
        let signer = account(Self.signerKey)
        var seen: Set<UInt8> = []
        for i in 0..<16 {
            let message = Array("high-s \(i)".utf8)
            let good = signer.signPersonalMessage(message)
            let r = Array(good.bytes[0..<32]), s = Array(good.bytes[32..<64]), v = good.bytes[64]
            seen.insert(v)
            let highS = Self.subtract(Self.n, s)
            #expect(highS[0] >= 0x7f, "n - s of a low s is high")
            let twin = Self.signature(r: r, s: highS, v: v == 27 ? 28 : 27)
            #expect(twin.signer(of: message) == signer.address, "message \(i)")
            #expect(twin.withZeroBasedV.signer(of: message) == signer.address, "message \(i), v 0/1")
            let sameV = Self.signature(r: r, s: highS, v: v).signer(of: message)
            #expect(sameV != signer.address, "message \(i)")
        }
        #expect(seen == [27, 28], "both recovery ids covered")
    }

    @Test func signatureHexForms() throws {
        let good = account(Self.signerKey).signPersonalMessage(Array("hex".utf8))
        let digits = String(good.hex.dropFirst(2))
        #expect(try PersonalSignature(hex: good.hex) == good)
        #expect(try PersonalSignature(hex: digits) == good)
        #expect(try PersonalSignature(hex: "0x" + digits.uppercased()) == good)
        let short = String(digits.dropLast())   // 129 hex digits
        var texts: [String] = ["0x" + short, "0x" + digits + "0", short, digits + "0"]   // 129 and 131 digits
        texts += ["0x" + short + "g", "0x" + short + " ", "0x" + short + "é", short + "x", "0x" + short + "\u{0}"]   // 130, not hex
        texts += [" 0x" + digits, "0x0x" + digits, "0X" + digits, "", "0x"]
        for text in texts {
            #expect(throws: WalletError.badSignature, "\(text.count) characters") { try PersonalSignature(hex: text) }
        }
    }

    // MARK: - One flipped bit at every position

    @Test func everyBitFlipOfASealedFileFails() throws {
        let recipient = try KeyPair(secretKey: SecretBytes(copying: (0..<32).map { UInt8($0 + 1) }))
        let ephemeral = try KeyPair(secretKey: SecretBytes(copying: (0..<32).map { UInt8(200 - $0) }))
        let plaintext = (0..<40).map { UInt8($0 * 3) }
        let sealed = try sealThroughFiles(plaintext, to: recipient.publicKey, ephemeral: ephemeral)
        #expect(sealed.count == 88)
        #expect(try openThroughFiles(sealed, with: recipient) == plaintext)
        var kinds: [String: Int] = [:]
        for position in 0..<sealed.count {
            for bit in 0..<8 {
                var damaged = sealed
                damaged[position] ^= UInt8(1 << bit)
                let outcome = Self.attemptOpen(damaged, with: recipient)
                switch outcome.result {
                case .success: Issue.record("byte \(position) bit \(bit): opened")
                case .failure(let error):
                    if let e = error as? SealedBoxError, e == .authenticationFailed || e == .invalidPublicKey {
                        kinds["\(e)", default: 0] += 1
                    } else {
                        Issue.record("byte \(position) bit \(bit): \(error)")
                    }
                }
                #expect(outcome.leftovers.isEmpty, "byte \(position) bit \(bit): left \(outcome.leftovers)")
            }
        }
        #expect(kinds.values.reduce(0, +) == 88 * 8)
    }

    /// Every bit of the decoded nonce, ephemeral key and ciphertext of an envelope, re-encoded as
    /// valid base64 JSON. Bit 255 of the ephemeral key (byte 31, bit 7) is the exception X25519
    /// makes: RFC 7748 ignores that bit, and the nonce is stored in the envelope rather than derived
    /// from the key bytes (unlike a sealed file), so the flipped envelope has the same box key and
    /// nonce and opens to the same plaintext, in nbkey as in libsodium's crypto_box_open_easy and
    /// tweetnacl (eth-sig-util). The plaintext is still authentic; only the envelope's text differs.
    @Test func everyBitFlipOfAnEnvelopeFailsExceptTheIgnoredBit255() throws {
        let wallet = account(Self.signerKey).encryptionKeyPair
        let ephemeral = try KeyPair(secretKey: SecretBytes(copying: (0..<32).map { UInt8(truncatingIfNeeded: 77 * $0 + 5) }))
        let nonce = (0..<24).map { UInt8(truncatingIfNeeded: $0 * 11 + 3) }
        let message = SecretBytes(copying: Array("short secret".utf8))
        let envelope = try EthEnvelope.encrypt(message, to: wallet.publicKey, padding: .none, ephemeral: ephemeral, nonce: nonce)
        #expect(try EthEnvelope.decrypt(envelope, with: wallet, padding: .none).exposedBytes() == message.exposedBytes())
        let epk = ephemeral.publicKey.bytes
        let box = Self.secretbox(message.exposedBytes(), nonce: nonce,
                                 key: try X25519.sharedKey(ourSecret: wallet.secretKey, theirPublic: ephemeral.publicKey).exposedBytes())
        #expect(envelope == Self.envelopeJSON(nonce: nonce, ephemeral: epk, box: box))
        var opened: [String] = []
        for (field, bytes) in [("nonce", nonce), ("ephemPublicKey", epk), ("ciphertext", box)] {
            for position in 0..<bytes.count {
                for bit in 0..<8 {
                    var damaged = bytes
                    damaged[position] ^= UInt8(1 << bit)
                    let text = Self.envelopeJSON(nonce: field == "nonce" ? damaged : nonce,
                                                 ephemeral: field == "ephemPublicKey" ? damaged : epk,
                                                 box: field == "ciphertext" ? damaged : box)
                    let what = "\(field) byte \(position) bit \(bit)"
                    do {
                        let plaintext = try EthEnvelope.decrypt(text, with: wallet, padding: .none)
                        #expect(plaintext.exposedBytes() == message.exposedBytes(), "\(what): opened to something else")
                        opened.append(what)
                    } catch let e as EnvelopeError {
                        #expect(e == .authenticationFailed, "\(what): \(e)")
                    } catch let e as SealedBoxError {
                        #expect(e == .invalidPublicKey, "\(what): \(e)")
                    } catch {
                        Issue.record("\(what): \(error)")
                    }
                }
            }
        }
        #expect(opened == ["ephemPublicKey byte 31 bit 7"], "only X25519's ignored bit 255 may open")
    }

    @Test func everyBitFlipOfAV2WrappedKeyFails() throws {
        let wallet = account(Self.signerKey)
        let key = try KeyPair(secretKey: SecretBytes(copying: (0..<32).map { UInt8(truncatingIfNeeded: 255 - $0 * 5) }))
        let stored = WrappedKeyV2.wrap(key, for: wallet, salt: (0..<32).map { UInt8(truncatingIfNeeded: $0 * 9) }, nonce: (0..<24).map { UInt8($0 + 100) },
                                       zeroBasedV: false)
        let unwrapped = try WrappedKeyV2.unwrap(stored, with: wallet)
        #expect(unwrapped.key.secretKey.exposedBytes() == key.secretKey.exposedBytes())
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(stored)) as? [String: String])
        let salt = try #require(doc["salt"])
        let dataText = try #require(doc["data"])
        let data = try #require(Base64.decode(dataText))
        #expect(data.count == 24 + 16 + 55)
        for position in 0..<data.count {
            for bit in 0..<8 {
                var damaged = data
                damaged[position] ^= UInt8(1 << bit)
                let text = JSONWriter.object([("data", Base64.encode(damaged)), ("salt", salt)])
                #expect(throws: WrapError.wrongWallet, "byte \(position) bit \(bit)") { try WrappedKeyV2.unwrap(text, with: wallet) }
            }
        }
    }
}
