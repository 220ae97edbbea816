import CSodium
import NumerBayKeys
import NumerBayKeysFiles
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Entry points for the libFuzzer harnesses in `fuzz/` (docs/FUZZING.md). Each runs the real
/// parsers and decoders on arbitrary bytes. A thrown `NBKeyError` is an expected outcome; anything
/// else is a finding: a trap, a sanitizer report, a hang, an error of another type, or a failed
/// cross-check (these trap with a "fuzz check failed" message).
///
/// The keys the harnesses decrypt with are fixed, and most are the ones the vectors use, so the
/// seed corpus (fuzz/corpus, from vectors/*.json) reaches past the authentication step.
public enum Fuzzing {
    /// Every harness, by the name `nbkey-fuzz` and `scripts/fuzz.sh` take.
    public static let harnesses: [(name: String, run: @Sendable ([UInt8]) -> Void)] = [
        ("json", json),
        ("key-file", keyFile),
        ("protected-key-file", protectedKeyFile),
        ("envelope", envelope),
        ("envelope-roundtrip", envelopeRoundTrip),
        ("v1-decimal-list", v1DecimalList),
        ("v2-unwrap", v2Unwrap),
        ("v2-inner", v2Inner),
        ("wrapped-key-input", wrappedKeyInput),
        ("keystore-v3", keystoreV3),
        ("mnemonic", mnemonic),
        ("derivation-path", derivationPath),
        ("private-key-hex", privateKeyHex),
        ("recipients", recipients),
        ("sealed-file", sealedFile),
        ("sealed-roundtrip", sealedRoundTrip),
        ("multi-seal", multiSeal),
        ("secretbox-stream", secretboxStream),
    ]

    public static func harness(named name: String) -> (@Sendable ([UInt8]) -> Void)? {
        harnesses.first { $0.name == name }?.run
    }

    // MARK: - Fixed keys (those of the vectors, so their cases decrypt)

    /// vectors/eth_envelope.json's recipient.
    static let envelopeWallet = account("71aa9d8a88d160db4591ba99c541d6c7454b88450609ac617f230fc557fb3ce5")
    static let envelopeKeys = envelopeWallet.encryptionKeyPair
    /// vectors/wrapped_v1.json's wallet.
    static let v1Wallet = account("be7b8b8024c79a90d600018a28c7f4e05ca99c954e5a84bf0720c781ef7ac2a5")
    /// vectors/wrapped_v2.json's wallet.
    static let v2Wallet = account("d15ebfdd00d3aa39b5ccea668adc98312ff3663484b5989a96c90056f7321740")
    /// The passphrase and password of most protected_key_file.json and keystore_v3.json cases.
    static let passphrase = SecretBytes(copying: Array("correct horse battery staple".utf8))
    /// vectors/sealed_box.json's recipient.
    static let sealedRecipient = try! KeyPair(secretKey: Base64.decodeSecret("fAKP0CxIPYgVjzUPCPxvimDJg2w1nTxAntX1XZDmrnU=")!)
    static let ephemeral = try! KeyPair(secretKey: SecretBytes(copying: [UInt8](repeating: 0x5A, count: 32)))
    static let boxNonce = [UInt8](repeating: 0x4E, count: Sizes.boxNonce)
    static let v2Salt = [UInt8](repeating: 0x53, count: 32)
    static let v2Message = WrappedKeyV2.saltPrefix + Base64.encode(v2Salt)
    static let v2Signature = v2Wallet.signPersonalMessage(Array(v2Message.utf8))

    static func account(_ hex: String) -> EthAccount {
        try! EthAccount(privateKey: SecretBytes(copying: Hex.decode(hex)!))
    }

    // MARK: - Outcome helpers

    /// The value, or nil for a typed error; any other error is a finding.
    static func tolerate<T>(_ body: () throws -> T) -> T? {
        do { return try body() } catch is NBKeyError { return nil } catch {
            fatalError("fuzz: an error that is not an NBKeyError: \(type(of: error)) \(error)")
        }
    }

    /// The value; any error is a finding (the step cannot fail on the inputs it is given).
    static func expect<T>(_ what: String, _ body: () throws -> T) -> T {
        do { return try body() } catch { fatalError("fuzz check failed: \(what) threw \(error)") }
    }

    static func check(_ condition: Bool, _ what: @autoclosure () -> String) {
        if !condition { fatalError("fuzz check failed: \(what())") }
    }

    // MARK: - JSON reader

    /// The reader on any bytes; on success every string is unescaped both ways (plain and wiped),
    /// must be UTF-8, and must survive the writer; UTF-8 validation agrees with the standard library.
    public static func json(_ data: [UInt8]) {
        let valid = UTF8Validation.isValid(data)
        check(valid == (String(validating: data, as: UTF8.self) != nil), "UTF8Validation disagrees with the standard library")
        data.withUnsafeBytes { raw in
            guard let doc = tolerate({ try JSONDocument(parsing: raw) }) else { return }
            check(valid, "a JSON document that is not UTF-8 was accepted")
            walk(doc, doc.root)
        }
    }

    private static func walk(_ doc: JSONDocument, _ value: JSONValue) {
        switch value {
        case .object(let members):
            for m in members {
                check(UTF8Validation.isValid(m.key), "a member name is not UTF-8")
                let name = String(decoding: m.key, as: UTF8.self)
                check(value.member(name) != nil, "a member is not found by its own name")
                check(doc.object(value)?.contains(name) == true, "JSONObject does not find a member by its own name")
                walk(doc, m.value)
            }
        case .array(let items):
            for item in items { walk(doc, item) }
        case .string:
            guard let plain = doc.stringBytes(value), let secret = doc.secretStringBytes(value) else {
                return check(false, "a string value has no bytes")
            }
            check(plain == secret.exposedBytes(), "stringBytes and secretStringBytes differ")
            check(UTF8Validation.isValid(plain), "an unescaped string is not UTF-8")
            var w = JSONWriter()
            w.add("s", utf8: plain)
            var s = JSONWriter()
            s.add("s", secret: secret)
            check(s.secretBytes.exposedBytes() == w.bytes, "JSONWriter writes a secret string differently")
            w.bytes.withUnsafeBytes { raw in
                let again = expect("parsing JSONWriter's output") { try JSONDocument(parsing: raw) }
                check(again.object(again.root).map { try? $0.stringBytes("s", orThrow: JSONError.notUTF8) } == plain,
                      "JSONWriter's string does not read back the same")
            }
        case .number:
            _ = doc.int(value)
        case .bool, .null:
            break
        }
    }

    // MARK: - Key files

    /// KeyFile.parse; a parsed key serializes to a file that parses to the same key.
    public static func keyFile(_ data: [UInt8]) {
        let file = SecretBytes(copying: data)
        _ = ProtectedKeyFile.isProtected(file)
        guard let pair = tolerate({ try KeyFile.parse(file) }) else { return }
        let again = expect("parsing KeyFile.serialize's output") { try KeyFile.parse(KeyFile.serialize(pair)) }
        check(again.publicKey == pair.publicKey && again.secretKey.constantTimeEquals(pair.secretKey), "key file round trip")
    }

    /// Argon2id limits the harness lets through (libsodium's minimum memory is 8 KiB).
    static let maxOpsLimit = 2
    static let maxMemLimit = 64 << 10

    /// ProtectedKeyFile.unprotect with a fixed passphrase. The Argon2id cost is the input's: one
    /// the library would accept but above the harness's tiny limits is skipped before the call.
    public static func protectedKeyFile(_ data: [UInt8]) {
        let file = SecretBytes(copying: data)
        _ = ProtectedKeyFile.isProtected(file)
        let costly: Bool = data.withUnsafeBytes { raw in
            guard let object = JSONObject(parsing: raw), let ops = object.int("opslimit"), let mem = object.int("memlimit") else { return false }
            let accepted = ProtectedKeyFile.opsLimitRange.contains(ops) && ProtectedKeyFile.memLimitRange.contains(mem)
            return accepted && (ops > maxOpsLimit || mem > maxMemLimit)
        }
        if costly { return }
        _ = tolerate { try ProtectedKeyFile.unprotect(file, passphrase: passphrase) }
    }

    // MARK: - eth-sig-util envelopes and wrapped keys

    /// EthEnvelope.decrypt (JSON or 0x-hex) to a fixed wallet, plain and encryptSafely; what opens
    /// is UTF-8, and goes on to the v1 decimal list parser.
    public static func envelope(_ data: [UInt8]) {
        guard let plain = tolerate({ try EthEnvelope.decrypt(data, with: envelopeKeys, padding: .none) }) else { return }
        check(plain.withUnsafeBytes { UTF8Validation.isValid($0) }, "decrypt returned non-UTF-8")
        if let inner = tolerate({ try EthEnvelope.decrypt(data, with: envelopeKeys, padding: .encryptSafely) }) {
            check(inner.withUnsafeBytes { UTF8Validation.isValid($0) }, "decryptSafely returned non-UTF-8")
        }
        _ = tolerate { try WrappedKeyV1.parseDecimalList(plain) }
    }

    /// The input as plaintext: encrypt (plain and encryptSafely) with a fixed ephemeral key and
    /// nonce, then decrypt the JSON and the 0x-hex forms: the plaintext must come back. Only
    /// non-UTF-8 plaintext may be refused.
    public static func envelopeRoundTrip(_ data: [UInt8]) {
        let plain = SecretBytes(copying: data)
        let utf8 = UTF8Validation.isValid(data)
        for safe in [false, true] {
            guard let json = tolerate({
                try EthEnvelope.encrypt(plain, to: envelopeKeys.publicKey, padding: safe ? .encryptSafely : .none,
                                        ephemeral: ephemeral, nonce: boxNonce)
            }) else {
                return check(!utf8, "encrypt refused UTF-8 plaintext")
            }
            check(utf8, "encrypt accepted non-UTF-8 plaintext")
            for text in [json, Array(EthEnvelope.hexForm(json).utf8)] {
                let back = expect("decrypting an envelope just made (safe: \(safe))") {
                    try EthEnvelope.decrypt(text, with: envelopeKeys, padding: safe ? .encryptSafely : .none)
                }
                check(back.exposedBytes() == data, "envelope round trip (safe: \(safe))")
            }
        }
    }

    /// WrappedKeyV1.parseDecimalList. The accepted form is unique (no leading zeros, no spaces),
    /// so the key printed back must be the input itself.
    public static func v1DecimalList(_ data: [UInt8]) {
        guard let key = tolerate({ try WrappedKeyV1.parseDecimalList(SecretBytes(copying: data)) }) else { return }
        check(key.count == 32, "a v1 key that is not 32 bytes")
        check(WrappedKeyV1.decimalList(key).exposedBytes() == data, "the v1 list printed back differs from the input")
    }

    /// WrappedKeyV2.unwrap of the stored string, with a fixed wallet.
    public static func v2Unwrap(_ data: [UInt8]) {
        _ = tolerate { try WrappedKeyV2.unwrap(data, with: v2Wallet) }
    }

    /// Reaches v2's inner parser: the input after its first byte is the inner plaintext, sealed
    /// with the fixed wallet's storage key (the first byte's low bit: of the 0/1-v signature).
    public static func v2Inner(_ data: [UInt8]) {
        guard let first = data.first else { return }
        let zeroBased = first & 1 == 1
        let signature = zeroBased ? v2Signature.withZeroBasedV : v2Signature
        let box = SecretBox.seal(SecretBytes(copying: data.dropFirst()), nonce: boxNonce, key: WrappedKeyV2.storageKey(signature))
        let stored = JSONWriter.object([("data", Base64.encode(boxNonce + box)), ("salt", v2Message)])
        guard let out = tolerate({ try WrappedKeyV2.unwrap(stored, with: v2Wallet) }) else { return }
        check(out.usedZeroBasedV == zeroBased, "usedZeroBasedV is wrong")
    }

    /// WrappedKeyInput (profile detection), then the unwrap the CLI would run.
    public static func wrappedKeyInput(_ data: [UInt8]) {
        guard let input = tolerate({ try WrappedKeyInput(data) }) else { return }
        switch input.scheme {
        case .v1: _ = tolerate { try WrappedKeyV1.unwrap(input.stored, with: v1Wallet) }
        case .v2: _ = tolerate { try WrappedKeyV2.unwrap(input.stored, with: v2Wallet) }
        }
    }

    // MARK: - Wallet sources

    /// KeystoreV3.parse; then decrypt with a fixed password when the KDF is cheap
    /// (scrypt n·r·p ≤ 2^11, PBKDF2 ≤ 1024 iterations).
    public static func keystoreV3(_ data: [UInt8]) {
        guard let parsed = tolerate({ try KeystoreV3.parse(data) }) else { return }
        switch parsed.kdf {
        case .scrypt(let n, let r, let p):
            guard n <= 1 << 11, r <= 8, p <= 8, n * UInt64(r) * UInt64(p) <= 1 << 11 else { return }
        case .pbkdf2(let c):
            guard c <= 1024 else { return }
        }
        _ = tolerate { try KeystoreV3.decrypt(data, password: passphrase, name: "fuzz") }
    }

    /// BIP39.normalizedSentence; an accepted sentence is its own normal form; then the seed and
    /// MetaMask's first account.
    public static func mnemonic(_ data: [UInt8]) {
        let text = SecretBytes(copying: data)
        guard let sentence = tolerate({ try BIP39.normalizedSentence(text) }) else { return }
        let again = expect("normalizing a normalized sentence") { try BIP39.normalizedSentence(sentence) }
        check(again.constantTimeEquals(sentence), "normalizedSentence is not idempotent")
        let seed = expect("the seed of a valid mnemonic") { try BIP39.seed(mnemonic: text, passphrase: SecretBytes(count: 0)) }
        check(seed.count == 64, "a seed that is not 64 bytes")
        if let key = tolerate({ try BIP32.derive(seed: seed, path: BIP32.metaMaskPath(account: 0)) }) {
            _ = expect("an account from a derived key") { try EthAccount(privateKey: key) }
        }
    }

    /// BIP32.parsePath; the canonical form of an accepted path parses to the same steps.
    public static func derivationPath(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        guard let path = tolerate({ try BIP32.parsePath(text) }) else { return }
        let canonical = "m" + path.map { "/\($0 & ~BIP32.hardened)" + ($0 & BIP32.hardened != 0 ? "'" : "") }.joined()
        check(expect("the canonical path") { try BIP32.parsePath(canonical) } == path, "path round trip")
    }

    /// EthAccount(privateKeyFile:); an accepted key's hex is in the text.
    public static func privateKeyHex(_ data: [UInt8]) {
        guard let account = tolerate({ try EthAccount(privateKeyFile: SecretBytes(copying: data)) }) else { return }
        let hex = Hex.encode(account.privateKey.exposedBytes())
        check(String(decoding: data, as: UTF8.self).lowercased().contains(hex), "the key is not the text's hex")
        _ = account.address
    }

    /// Recipient.parseList (key lines or sales JSON); no output name may leave its folder.
    public static func recipients(_ data: [UInt8]) {
        guard let list = tolerate({ try Recipient.parseList(data) }) else { return }
        check(!list.recipients.isEmpty || !list.unusable.isEmpty, "an empty recipient list was accepted")
        for r in list.recipients {
            let name = r.outputName(forBaseName: "data.csv")
            check(!name.contains("/") && !name.utf8.contains(0), "output name \(name.debugDescription) leaves its folder")
        }
    }

    // MARK: - Sealed files

    /// SealedFile.open of the input as a file, with a fixed key, against libsodium's one-shot
    /// crypto_box_seal_open: both open or neither, to the same plaintext.
    public static func sealedFile(_ data: [UInt8]) {
        Scratch.lock.withLock { _ in sealedFileLocked(data) }
    }

    private static func sealedFileLocked(_ data: [UInt8]) {
        let (opened, plaintext) = openSealed(data)
        let oneShot = oneShotOpen(data, with: sealedRecipient)
        check(opened == (oneShot != nil),
              "SealedFile.open \(opened ? "opened" : "refused") what crypto_box_seal_open \(oneShot != nil ? "opens" : "refuses")")
        if opened { check(plaintext == oneShot, "SealedFile.open and crypto_box_seal_open disagree on the plaintext") }
    }

    /// The input as plaintext: SealedFile.seal (fixed ephemeral key) opens with
    /// crypto_box_seal_open, and crypto_box_seal's output opens with SealedFile.open.
    public static func sealedRoundTrip(_ data: [UInt8]) {
        Scratch.lock.withLock { _ in sealedRoundTripLocked(data) }
    }

    private static func sealedRoundTripLocked(_ data: [UInt8]) {
        Scratch.write(data)
        let input = expect("opening the scratch file") { try InputFile(path: Scratch.path) }
        let output = expect("an anonymous output") { try AtomicOutput(.standardOutput, mode: 0o600) }
        defer { output.abort() }
        expect("SealedFile.seal") { try SealedFile.seal(input, to: sealedRecipient.publicKey, into: output, ephemeral: ephemeral, progress: nil) }
        let sealed = Scratch.contents(of: output.fd)
        check(sealed.count == data.count + Sizes.sealOverhead, "sealed length")
        check(oneShotOpen(sealed, with: sealedRecipient) == data, "crypto_box_seal_open does not open SealedFile.seal's output")

        var box = [UInt8](repeating: 0, count: data.count + Sizes.sealOverhead)
        Sodium.mustSucceed(crypto_box_seal(&box, data, UInt64(data.count), sealedRecipient.publicKey.bytes), "crypto_box_seal")
        let (opened, plaintext) = openSealed(box)
        check(opened && plaintext == data, "SealedFile.open does not open crypto_box_seal's output")
    }

    /// Multi-recipient sealing's frames and carries against libsodium's one-shot open. Input: byte 0
    /// picks 1-4 recipients, bytes 1-3 a plaintext length below 3 MiB (so short inputs still cross
    /// the 4 KiB grid and the 1 MiB chunks), the rest a pattern repeated to that length. Each output
    /// must open with its own recipient's key to the plaintext, and not with the next one's.
    public static func multiSeal(_ data: [UInt8]) {
        guard data.count >= 4 else { return }
        let count = 1 + Int(data[0] % 4)
        let length = (Int(data[1]) << 16 | Int(data[2]) << 8 | Int(data[3])) % (3 << 20)
        let pattern = data.count > 4 ? Array(data[4...]) : [0]
        let plaintext = (0..<length).map { pattern[$0 % pattern.count] }
        Scratch.lock.withLock { _ in
            Scratch.write(plaintext)
            let input = expect("opening the scratch file") { try InputFile(path: Scratch.path) }
            let keys = Array(multiRecipients[0..<count])
            let outputs = (0..<count).map { _ in expect("an anonymous output") { try AtomicOutput(.standardOutput, mode: 0o600) } }
            defer { for o in outputs { o.abort() } }
            let results = expect("SealedFile.seal(toEach:)") { try SealedFile.seal(input, toEach: keys.map(\.publicKey), into: outputs) }
            for (i, output) in outputs.enumerated() {
                check(results[i] == nil, "recipient \(i) failed: \(String(describing: results[i]))")
                let sealed = Scratch.contents(of: output.fd)
                check(sealed.count == length + Sizes.sealOverhead, "sealed length for recipient \(i)")
                check(oneShotOpen(sealed, with: keys[i]) == plaintext, "recipient \(i)'s file does not open to the plaintext")
                let j = (i + 1) % count
                if j != i { check(oneShotOpen(sealed, with: keys[j]) == nil, "recipient \(i)'s file opens with recipient \(j)'s key") }
            }
        }
    }

    static let multiRecipients = [sealedRecipient] + (1...3).map { i in
        try! KeyPair(secretKey: SecretBytes(copying: [UInt8](repeating: UInt8(0x10 * i), count: 32)))
    }

    /// libsodium's one-shot crypto_box_seal_open (`SealedBox.open`), the reference the streaming
    /// code is checked against: the plaintext, or nil when it refuses.
    package static func oneShotOpen(_ sealed: [UInt8], with recipient: KeyPair) -> [UInt8]? {
        try? SealedBox.open(sealed, with: recipient)
    }

    private static func openSealed(_ file: [UInt8]) -> (Bool, [UInt8]) {
        Scratch.write(file)
        let input = expect("opening the scratch file") { try InputFile(path: Scratch.path) }
        let output = expect("an anonymous output") { try AtomicOutput(.standardOutput, mode: 0o600) }
        defer { output.abort() }
        guard tolerate({ try SealedFile.open(input, with: sealedRecipient, into: output) }) != nil else { return (false, []) }
        return (true, Scratch.contents(of: output.fd))
    }

    /// A differential check of SecretboxStream's chunk boundary logic against libsodium's one-shot
    /// crypto_secretbox_easy / crypto_secretbox_open_easy. Input: flags, a split count c (low 4
    /// bits), c chunk lengths (below 128 bytes; or ×64 with the high bit), then the message.
    /// flags bit 0: XOR the chunks last to first; bit 1: also check that one flipped ciphertext bit
    /// fails both; the key's first byte is the flags byte.
    public static func secretboxStream(_ data: [UInt8]) {
        guard data.count >= 2 else { return }
        let flags = data[0]
        let splits = Int(data[1] & 15)
        guard data.count >= 2 + splits else { return }
        let message = Array(data[(2 + splits)...])
        var ranges: [Range<Int>] = []
        var start = 0
        for c in data[2..<(2 + splits)] {
            let length = min(message.count - start, c & 0x80 != 0 ? Int(c & 0x7F) * 64 : Int(c))
            ranges.append(start..<(start + length))
            start += length
        }
        ranges.append(start..<message.count)
        let xorOrder = flags & 1 != 0 ? Array(ranges.reversed()) : ranges
        var keyBytes = [UInt8](repeating: 0x6B, count: Sizes.secretboxKey)
        keyBytes[0] = flags
        let key = SecretBytes(copying: keyBytes)
        let nonce = [UInt8](repeating: 0x6E, count: Sizes.secretboxNonce)

        var boxed = [UInt8](repeating: 0, count: message.count + Sizes.secretboxTag)
        Sodium.mustSucceed(crypto_secretbox_easy(&boxed, message, UInt64(message.count), nonce, keyBytes), "crypto_secretbox_easy")

        // Seal in chunks: XOR (in any order), then Poly1305 in order.
        let sealer = SecretboxStream(key: key, nonce: nonce)
        var ciphertext = message
        ciphertext.withUnsafeMutableBytes { buf in
            for r in xorOrder { sealer.xor(UnsafeMutableRawBufferPointer(rebasing: buf[r]), at: Int64(r.lowerBound)) }
            for r in ranges { sealer.authenticate(UnsafeRawBufferPointer(rebasing: buf[r])) }
        }
        check(sealer.tag() + ciphertext == boxed, "chunked seal differs from crypto_secretbox_easy (splits \(ranges))")

        // Open in chunks: Poly1305 over the ciphertext in order, XOR in any order.
        let opener = SecretboxStream(key: key, nonce: nonce)
        var plaintext = Array(boxed[Sizes.secretboxTag...])
        plaintext.withUnsafeMutableBytes { buf in
            for r in ranges { opener.authenticate(UnsafeRawBufferPointer(rebasing: buf[r])) }
            for r in xorOrder { opener.xor(UnsafeMutableRawBufferPointer(rebasing: buf[r]), at: Int64(r.lowerBound)) }
        }
        check(opener.verify(Array(boxed[0..<Sizes.secretboxTag])), "chunked open refuses crypto_secretbox_easy's box (splits \(ranges))")
        var oneShot = [UInt8](repeating: 0, count: message.count)
        check(crypto_secretbox_open_easy(&oneShot, boxed, UInt64(boxed.count), nonce, keyBytes) == 0, "crypto_secretbox_open_easy")
        check(plaintext == message && oneShot == message, "chunked open differs from crypto_secretbox_open_easy (splits \(ranges))")

        if flags & 2 != 0, !message.isEmpty {
            var tampered = boxed
            let bit = Int(flags >> 2) % 8
            tampered[Sizes.secretboxTag + (Int(flags) * 131) % message.count] ^= UInt8(1) << bit
            let checker = SecretboxStream(key: key, nonce: nonce)
            tampered.withUnsafeBytes { buf in
                for r in ranges {
                    checker.authenticate(UnsafeRawBufferPointer(rebasing: buf[(r.lowerBound + Sizes.secretboxTag)..<(r.upperBound + Sizes.secretboxTag)]))
                }
            }
            check(!checker.verify(Array(tampered[0..<Sizes.secretboxTag])), "a flipped ciphertext bit still verifies")
            check(crypto_secretbox_open_easy(&oneShot, tampered, UInt64(tampered.count), nonce, keyBytes) != 0,
                  "crypto_secretbox_open_easy accepts a flipped bit")
        }
    }

    /// One anonymous file per process that InputFile opens by path (/proc/self/fd/N of an
    /// unlinked temporary file): nothing is left behind, and parallel fuzzing jobs do not collide.
    /// Hold `lock` while using it: tests run the sealed harnesses on several threads at once.
    enum Scratch {
        static let lock = Mutex<Void>(())

        static let fd: Int32 = {
            let dir = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
            var template = Array((dir + "/nbkey-fuzz-XXXXXX").utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            precondition(fd >= 0, "fuzz: cannot create a scratch file in \(dir)")
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
            return fd
        }()
        static var path: String { "/proc/self/fd/\(fd)" }

        static func write(_ bytes: [UInt8]) {
            precondition(ftruncate(fd, 0) == 0, "fuzz: ftruncate")
            bytes.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(done))
                    precondition(n > 0, "fuzz: pwrite")
                    done += n
                }
            }
        }

        static func contents(of fd: Int32) -> [UInt8] {
            var out = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(out.count)) }
                precondition(n >= 0, "fuzz: pread")
                if n == 0 { return out }
                out.append(contentsOf: chunk[0..<n])
            }
        }
    }

    // MARK: - Seeds that need the fixed keys

    /// Valid inputs for the fixed keys that the vectors cannot give (tiny KDF costs, this
    /// harness's own wallets), by harness name. `nbkey-fuzz seeds DIR` writes them.
    public static func syntheticSeeds() -> [(harness: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        let pair = try! KeyPair(secretKey: SecretBytes(copying: (0..<32).map { UInt8($0 * 7 + 1) }))
        // Protected key files at the cheapest accepted Argon2id cost.
        let salt = [UInt8](repeating: 0x73, count: Int(crypto_pwhash_saltbytes()))
        for (ops, mem) in [(1, 8192), (2, 65536)] {
            out.append(("protected-key-file", try! ProtectedKeyFile.protect(pair, passphrase: passphrase, salt: salt, nonce: boxNonce,
                                                                            opsLimit: ops, memLimit: mem)))
        }
        out.append(("key-file", KeyFile.serialize(pair).exposedBytes()))
        // Envelopes to the fixed wallet, plain and encryptSafely, JSON and 0x-hex.
        for (text, safe) in [("hello", false), ("{\"data\":\"x\"}", false), ("hello ☕", true), ("", true)] {
            let json = try! EthEnvelope.encrypt(SecretBytes(copying: Array(text.utf8)), to: envelopeKeys.publicKey,
                                                padding: safe ? .encryptSafely : .none,
                                                ephemeral: ephemeral, nonce: boxNonce)
            out.append(("envelope", json))
            out.append(("envelope", Array(EthEnvelope.hexForm(json).utf8)))
            out.append(("envelope-roundtrip", Array(text.utf8)))
        }
        // v1 and v2 wrapped keys for the fixed wallets, bare and in profiles.
        let v1 = try! EthEnvelope.encrypt(WrappedKeyV1.decimalList(pair.secretKey), to: v1Wallet.encryptionKeyPair.publicKey, padding: .none,
                                          ephemeral: ephemeral, nonce: boxNonce)
        out.append(("envelope", try! EthEnvelope.encrypt(WrappedKeyV1.decimalList(pair.secretKey), to: envelopeKeys.publicKey,
                                                         padding: .none, ephemeral: ephemeral, nonce: boxNonce)))
        out.append(("v1-decimal-list", WrappedKeyV1.decimalList(pair.secretKey).exposedBytes()))
        for zeroBased in [false, true] {
            let v2 = WrappedKeyV2.wrap(pair, for: v2Wallet, salt: v2Salt, nonce: boxNonce, zeroBasedV: zeroBased)
            out.append(("v2-unwrap", v2))
            out.append(("wrapped-key-input", v2))
            let profile = JSONWriter.object([("encrypted_private_key_v2", String(decoding: v2, as: UTF8.self)),
                                             ("public_key_v2", pair.publicKey.base64),
                                             ("encrypted_private_key", String(decoding: v1, as: UTF8.self)),
                                             ("public_key", pair.publicKey.base64)])
            out.append(("wrapped-key-input", profile))
            out.append(("v2-inner", [zeroBased ? 1 : 0] + WrappedKeyV2.innerJSON(pair.secretKey).exposedBytes()))
        }
        out.append(("wrapped-key-input", v1))
        out.append(("wrapped-key-input", Array(EthEnvelope.hexForm(v1).utf8)))
        out.append(("wrapped-key-input", JSONWriter.object([("encrypted_private_key", String(decoding: v1, as: UTF8.self)),
                                                            ("public_key", pair.publicKey.base64)])))
        // Keystores at tiny KDF costs, with a valid MAC for the fixed password.
        for kdf in [KeystoreV3.KDF.scrypt(n: 16, r: 1, p: 1), .scrypt(n: 256, r: 8, p: 1), .pbkdf2(iterations: 1), .pbkdf2(iterations: 1000)] {
            out.append(("keystore-v3", keystore(kdf: kdf, key: v1Wallet.privateKey)))
        }
        // Sealed files to the fixed recipient, made with the fixed ephemeral key.
        for n in [0, 1, 63, 64, 65, 1000] {
            let plaintext = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 13) }
            let sealed: [UInt8] = Scratch.lock.withLock { _ in
                Scratch.write(plaintext)
                let output = try! AtomicOutput(.standardOutput, mode: 0o600)
                defer { output.abort() }
                try! SealedFile.seal(try! InputFile(path: Scratch.path), to: sealedRecipient.publicKey, into: output,
                                     ephemeral: ephemeral, progress: nil)
                return Scratch.contents(of: output.fd)
            }
            out.append(("sealed-file", sealed))
            out.append(("sealed-roundtrip", plaintext))
            out.append(("secretbox-stream", [UInt8(n & 3), 3, 1, 63, 0x81] + plaintext))
        }
        // Multi-recipient: lengths around the 4 KiB grid less the header, and around 1 MiB chunks.
        for length in [0, 1, 4047, 4048, 4096, (1 << 20) - 48, 1 << 20, (2 << 20) + 7] {
            out.append(("multi-seal", [UInt8(length % 4), UInt8(length >> 16), UInt8((length >> 8) & 255), UInt8(length & 255)]
                        + Array("numerbay".utf8)))
        }
        out.append(("private-key-hex", Array(" 0x\(Hex.encode(v1Wallet.privateKey.exposedBytes()))\n".utf8)))
        for path in ["m/44'/60'/0'/0/0", "m/44h/60H/0'/0/2147483647", "m"] { out.append(("derivation-path", Array(path.utf8))) }
        out.append(("recipients", Array("# buyers\n\(pair.publicKey.base64)\n  \(ephemeral.publicKey.base64) # second\n".utf8)))
        out.append(("recipients", Array("{\"results\":[{\"id\":17,\"buyer_public_key\":\"\(pair.publicKey.base64)\"},{\"id\":\"a-b_c\",\"buyer_public_key\":\"\(ephemeral.publicKey.base64)\"}]}".utf8)))
        return out
    }

    static func keystore(kdf: KeystoreV3.KDF, key: SecretBytes) -> [UInt8] {
        let salt = [UInt8](repeating: 0x11, count: 16), iv = [UInt8](repeating: 0x22, count: 16)
        let derived = try! KeystoreV3.deriveKey(.init(kdf: kdf, salt: salt, iv: iv, ciphertext: [], mac: []), password: passphrase)
        let ciphertext = Libcrypto.aes128CTR(key: derived.slice(0..<16), iv: iv, key.exposedBytes()).exposedBytes()
        let mac = Keccak256.hash(derived.slice(16..<32).exposedBytes() + ciphertext)
        let params: String
        switch kdf {
        case .scrypt(let n, let r, let p): params = "\"kdf\":\"scrypt\",\"kdfparams\":{\"dklen\":32,\"n\":\(n),\"r\":\(r),\"p\":\(p),\"salt\":\"\(Hex.encode(salt))\"}"
        case .pbkdf2(let c): params = "\"kdf\":\"pbkdf2\",\"kdfparams\":{\"c\":\(c),\"dklen\":32,\"prf\":\"hmac-sha256\",\"salt\":\"\(Hex.encode(salt))\"}"
        }
        return Array(("{\"version\":3,\"crypto\":{\"cipher\":\"aes-128-ctr\",\"cipherparams\":{\"iv\":\"\(Hex.encode(iv))\"},"
            + "\"ciphertext\":\"\(Hex.encode(ciphertext))\",\(params),\"mac\":\"\(Hex.encode(mac))\"}}").utf8)
    }
}
