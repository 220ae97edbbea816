/// eth-sig-util's x25519-xsalsa20-poly1305 envelope, what `eth_decrypt` opens:
/// `{"version":"x25519-xsalsa20-poly1305","nonce":"<b64 24>","ephemPublicKey":"<b64 32>","ciphertext":"<b64>"}`
/// with ciphertext = crypto_box_easy(utf8 data) from a fresh ephemeral key pair.
public enum EthEnvelope {
    /// The one envelope version there is, the `version` field's value.
    public static let version = "x25519-xsalsa20-poly1305"
    /// encryptSafely pads so that plaintext + tag is a multiple of this.
    static let safeBlock = 2048

    /// What the envelope's plaintext is: the data itself, or encryptSafely's padded JSON.
    public enum Padding: Sendable, Equatable {
        /// eth-sig-util's `encrypt` / `decrypt`: the plaintext is the data, and its length shows.
        case none
        /// eth-sig-util's `encryptSafely` / `decryptSafely`: the plaintext is
        /// `{"data":"…","padding":"000…"}`, padded so that plaintext + tag is a multiple of 2048
        /// bytes (FORMATS.md §5).
        case encryptSafely
    }

    /// Encrypts UTF-8 `data` to `recipient`, as eth-sig-util's `encrypt` (`padding: .none`) or
    /// `encryptSafely` (`.encryptSafely`). Returns the envelope's JSON text.
    /// - Throws: `EnvelopeError.notUTF8` when `data` is not UTF-8 text;
    ///   `SealedBoxError.invalidPublicKey` for a low-order `recipient`.
    public static func encrypt(_ data: SecretBytes, to recipient: PublicKey, padding: Padding) throws -> [UInt8] {
        try encrypt(data, to: recipient, padding: padding, ephemeral: KeyPair.generate(), nonce: Sodium.randomBytes(Sizes.boxNonce))
    }

    /// With a given ephemeral key pair and nonce: only known-answer tests and fuzzing need this.
    package static func encrypt(_ data: SecretBytes, to recipient: PublicKey, padding: Padding, ephemeral: KeyPair,
                                nonce: [UInt8]) throws -> [UInt8] {
        guard data.withUnsafeBytes({ UTF8Validation.isValid($0) }) else { throw EnvelopeError.notUTF8 }
        let plaintext = padding == .encryptSafely ? padded(data) : data
        let key = try X25519.sharedKey(ourSecret: ephemeral.secretKey, theirPublic: recipient)
        let box = SecretBox.seal(plaintext, nonce: nonce, key: key)
        return JSONWriter.object([
            ("version", version),
            ("nonce", Base64.encode(nonce)),
            ("ephemPublicKey", ephemeral.publicKey.base64),
            ("ciphertext", Base64.encode(box)),
        ])
    }

    /// `0x` + hex of the JSON text's bytes: the other form eth_decrypt accepts.
    public static func hexForm(_ json: [UInt8]) -> String { "0x" + Hex.encode(json) }

    /// encryptSafely's padding length for `data` (see FORMATS.md §5). Where eth-sig-util throws
    /// (the count would be negative) this pads to the next multiple instead.
    public static func paddingLength(for data: SecretBytes) -> Int {
        let unpadded = innerSafeJSON(data, paddingCount: 0).count
        let rest = unpadded % safeBlock
        guard rest > 0 else { return 0 }
        let count = safeBlock - rest - Sizes.boxTag
        return count < 0 ? count + safeBlock : count
    }

    static func padded(_ data: SecretBytes) -> SecretBytes {
        let count = paddingLength(for: data)
        return innerSafeJSON(data, paddingCount: count)
    }

    /// JSON.stringify({"data": data, "padding": "000…"}).
    private static func innerSafeJSON(_ data: SecretBytes, paddingCount: Int) -> SecretBytes {
        var w = JSONWriter()
        w.add("data", secret: data)
        w.add("padding", String(repeating: "0", count: paddingCount))
        return w.secretBytes
    }

    /// eth_decrypt: `text` is the envelope JSON or its `0x`-hex form (surrounding white space
    /// ignored). With `padding: .encryptSafely`, returns decryptSafely's `.data`. The result is
    /// UTF-8.
    /// - Throws: `EnvelopeError` for an envelope that is malformed (`notJSON`, `badHex`,
    ///   `missingField`, `unsupportedVersion`, `badBase64`, `badLength`), that does not open
    ///   (`authenticationFailed`) or whose plaintext is not UTF-8 (`notUTF8`) or, with
    ///   `.encryptSafely`, not encryptSafely's JSON (`safeInner`);
    ///   `SealedBoxError.invalidPublicKey` for a low-order ephemeral key.
    public static func decrypt(_ text: [UInt8], with recipient: KeyPair, padding: Padding) throws -> SecretBytes {
        let json = try jsonForm(text)
        let parts = try json.withUnsafeBytes { raw -> (nonce: [UInt8], ephemeral: PublicKey, box: [UInt8]) in
            let object = try JSONObject(parsing: raw, invalid: { _ in EnvelopeError.notJSON }, notAnObject: EnvelopeError.notJSON)
            let v = try object.string("version", orThrow: EnvelopeError.missingField("version"))
            guard v == version else { throw EnvelopeError.unsupportedVersion }
            func field(_ name: String, length: Int?) throws -> [UInt8] {
                let s = try object.string(name, orThrow: EnvelopeError.missingField(name))
                guard let bytes = Base64.decode(s) else { throw EnvelopeError.badBase64(name) }
                if let length, bytes.count != length { throw EnvelopeError.badLength(name, expected: length, got: bytes.count) }
                return bytes
            }
            let nonce = try field("nonce", length: Sizes.boxNonce)
            let epk = try PublicKey(bytes: field("ephemPublicKey", length: Sizes.publicKey))
            let box = try field("ciphertext", length: nil)
            guard box.count >= Sizes.boxTag else { throw EnvelopeError.badLength("ciphertext", expected: Sizes.boxTag, got: box.count) }
            return (nonce, epk, box)
        }
        let key = try X25519.sharedKey(ourSecret: recipient.secretKey, theirPublic: parts.ephemeral)
        guard let plaintext = SecretBox.open(parts.box, nonce: parts.nonce, key: key) else {
            throw EnvelopeError.authenticationFailed
        }
        guard plaintext.withUnsafeBytes({ UTF8Validation.isValid($0) }) else { throw EnvelopeError.notUTF8 }
        return padding == .encryptSafely ? try unpadded(plaintext) : plaintext
    }

    /// The envelope's JSON text, from the JSON or its `0x`-hex form (surrounding white space
    /// ignored): what eth_decrypt is sent, as `0x` + hex of these bytes.
    /// - Throws: `EnvelopeError.badHex` when the `0x` form is not hexadecimal.
    public static func jsonForm(_ text: [UInt8]) throws -> [UInt8] {
        let json = trimmed(text)
        guard json.count >= 2, json[0] == UInt8(ascii: "0"), json[1] | 0x20 == UInt8(ascii: "x") else { return json }
        guard let raw = Hex.decodeSecret(json[2...]) else { throw EnvelopeError.badHex }
        return raw.exposedBytes()
    }

    /// decryptSafely: the plaintext is `{"data": "...", "padding": "..."}`; returns `.data`
    /// (`decrypt(_:with:padding:)` with `.encryptSafely` calls this).
    /// - Throws: `EnvelopeError.safeInner` when the plaintext is not such JSON.
    public static func unpadded(_ plaintext: SecretBytes) throws -> SecretBytes {
        try plaintext.withUnsafeBytes { raw in
            let inner = try JSONObject(parsing: raw, invalid: { _ in EnvelopeError.safeInner }, notAnObject: EnvelopeError.safeInner)
            return try inner.secretString("data", orThrow: EnvelopeError.safeInner)
        }
    }

    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        let space: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        var s = 0, e = bytes.count
        while s < e, space.contains(bytes[s]) { s += 1 }
        while e > s, space.contains(bytes[e - 1]) { e -= 1 }
        return Array(bytes[s..<e])
    }
}

/// Why an eth-sig-util envelope could not be made or opened.
public enum EnvelopeError: NBKeyError, Equatable {
    /// The envelope text is not a JSON object.
    case notJSON
    /// The envelope's `0x` form has a character that is not a hex digit, or an odd count.
    case badHex
    /// The envelope has no string field of this name.
    case missingField(String)
    /// The `version` field is not `x25519-xsalsa20-poly1305`.
    case unsupportedVersion
    /// This field is not valid base64.
    case badBase64(String)
    /// This field decodes to the wrong number of bytes.
    case badLength(String, expected: Int, got: Int)
    /// The box did not open: sealed to another key, or changed.
    case authenticationFailed
    /// The data to encrypt, or the plaintext opened, is not UTF-8 text.
    case notUTF8
    /// The plaintext is not encryptSafely's `{"data","padding"}` JSON.
    case safeInner

    /// The error as one line for the user.
    public var message: String {
        switch self {
        case .notJSON: return "envelope is not a JSON object"
        case .badHex: return "envelope's 0x form is not hexadecimal"
        case .missingField(let f): return "envelope has no \"\(f)\" field"
        case .unsupportedVersion: return "envelope version is not supported (only x25519-xsalsa20-poly1305)"
        case .badBase64(let f): return "envelope's \(f) is not valid base64"
        case .badLength(let f, let e, let g): return "envelope's \(f) must be \(e) bytes\(f == "ciphertext" ? " or more" : ""), got \(g)"
        case .authenticationFailed: return "authentication failed: this wallet cannot open this envelope, or it was changed"
        case .notUTF8: return "envelope plaintext is not UTF-8 text"
        case .safeInner: return "envelope plaintext is not encryptSafely's {\"data\",\"padding\"} JSON"
        }
    }
}
