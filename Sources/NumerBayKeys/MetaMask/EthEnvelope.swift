internal import CSodium

/// eth-sig-util's x25519-xsalsa20-poly1305 envelope, what `eth_decrypt` opens:
/// `{"version":"x25519-xsalsa20-poly1305","nonce":"<b64 24>","ephemPublicKey":"<b64 32>","ciphertext":"<b64>"}`
/// with ciphertext = crypto_box_easy(utf8 data) from a fresh ephemeral key pair.
public enum EthEnvelope {
    public static let version = "x25519-xsalsa20-poly1305"
    /// encryptSafely pads so that plaintext + tag is a multiple of this.
    static let safeBlock = 2048

    /// Encrypts UTF-8 `data` to `recipient`, as eth-sig-util's `encrypt` (or `encryptSafely`).
    /// Returns the envelope's JSON text.
    public static func encrypt(_ data: SecretBytes, to recipient: PublicKey, safe: Bool) throws -> [UInt8] {
        try encrypt(data, to: recipient, safe: safe, ephemeral: KeyPair.generate(), nonce: Sodium.randomBytes(Sizes.boxNonce))
    }

    package static func encrypt(_ data: SecretBytes, to recipient: PublicKey, safe: Bool, ephemeral: KeyPair, nonce: [UInt8]) throws -> [UInt8] {
        guard data.withUnsafeBytes({ UTF8Validation.isValid($0) }) else { throw EnvelopeError.notUTF8 }
        let plaintext = safe ? padded(data) : data
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
    /// ignored). With `safe`, returns decryptSafely's `.data`. The result is UTF-8.
    public static func decrypt(_ text: [UInt8], with recipient: KeyPair, safe: Bool) throws -> SecretBytes {
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
        return safe ? try unpadded(plaintext) : plaintext
    }

    /// The envelope's JSON text, from the JSON or its `0x`-hex form (surrounding white space
    /// ignored): what eth_decrypt is sent, as `0x` + hex of these bytes.
    public static func jsonForm(_ text: [UInt8]) throws -> [UInt8] {
        let json = trimmed(text)
        guard json.count >= 2, json[0] == UInt8(ascii: "0"), json[1] | 0x20 == UInt8(ascii: "x") else { return json }
        guard let raw = Hex.decodeSecret(json[2...]) else { throw EnvelopeError.badHex }
        return raw.exposedBytes()
    }

    /// decryptSafely: the plaintext is `{"data": "...", "padding": "..."}`; returns `.data`.
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

public enum EnvelopeError: NBKeyError, Equatable {
    case notJSON
    case badHex
    case missingField(String)
    case unsupportedVersion
    case badBase64(String)
    case badLength(String, expected: Int, got: Int)
    case authenticationFailed
    case notUTF8
    case safeInner

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
