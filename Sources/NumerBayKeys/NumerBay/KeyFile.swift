/// `numerbay.json` as the web app's "Export key file" writes it:
/// `{"public_key":"<b64>","private_key":"<b64>"}`, no whitespace, no trailing newline.
public enum KeyFile {
    /// The export form, in wiped memory (it holds the private key).
    public static func serialize(_ pair: KeyPair) -> SecretBytes {
        var w = JSONWriter()
        w.add("public_key", pair.publicKey.base64)
        w.add("private_key", secret: Base64.encodeSecret(pair.secretKey))
        return w.secretBytes
    }

    /// Any valid JSON object with both fields (extra fields and whitespace allowed); both keys
    /// canonical base64 of 32 bytes, and the public key must be the private key's.
    /// - Throws: `KeyError`.
    public static func parse(_ file: SecretBytes) throws -> KeyPair {
        try file.withUnsafeBytes { raw in
            let object = try JSONObject(parsing: raw, invalid: { $0 == .notUTF8 ? KeyError.notUTF8 : KeyError.notJSON(reason: $0.message) },
                                        notAnObject: KeyError.notJSON(reason: "not a JSON object"))
            for field in ["public_key", "private_key"] where !object.contains(field) { throw KeyError.missingField(field) }
            let pkText = try object.string("public_key", orThrow: KeyError.badEncoding(what: "public_key"))
            let skText = try object.secretString("private_key", orThrow: KeyError.badEncoding(what: "private_key"))
            let publicKey: PublicKey
            do {
                publicKey = try PublicKey(base64: pkText)
            } catch KeyError.badEncoding {
                throw KeyError.badEncoding(what: "public_key")
            } catch KeyError.badLength(_, let e, let g) {
                throw KeyError.badLength(what: "public_key", expected: e, got: g)
            }
            guard let sk = skText.withUnsafeBytes({ Base64.decodeSecret(bytes: $0) }) else {
                throw KeyError.badEncoding(what: "private_key")
            }
            guard sk.count == Sizes.secretKey else {
                throw KeyError.badLength(what: "private_key", expected: Sizes.secretKey, got: sk.count)
            }
            let pair = try KeyPair(secretKey: sk)
            guard pair.publicKey == publicKey else { throw KeyError.mismatch }
            return pair
        }
    }
}
