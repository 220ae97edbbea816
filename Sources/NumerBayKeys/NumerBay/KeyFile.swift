/// `numerbay.json` as the web app's "Export key file" writes it:
/// `{"public_key":"<b64>","private_key":"<b64>"}`, no whitespace, no trailing newline.
public enum KeyFile {
    /// The export form, in wiped memory (it holds the private key).
    public static func serialize(_ pair: KeyPair) -> SecretBytes {
        let prefix = Array("{\"public_key\":\"\(pair.publicKey.base64)\",\"private_key\":\"".utf8)
        let suffix = Array("\"}".utf8)
        let secretB64 = Base64.encodeSecret(pair.secretKey)
        let out = SecretBytes(count: prefix.count + secretB64.count + suffix.count)
        out.withUnsafeMutableBytes { o in
            o.copyBytes(from: prefix)
            secretB64.withUnsafeBytes { s in
                UnsafeMutableRawBufferPointer(rebasing: o[prefix.count...]).copyBytes(from: s)
            }
            UnsafeMutableRawBufferPointer(rebasing: o[(prefix.count + secretB64.count)...]).copyBytes(from: suffix)
        }
        return out
    }

    /// Any valid JSON object with both fields (extra fields and whitespace allowed); both keys
    /// canonical base64 of 32 bytes, and the public key must be the private key's.
    public static func parse(_ file: SecretBytes) throws -> KeyPair {
        try file.withUnsafeBytes { raw in
            let doc: JSONDocument
            do {
                doc = try JSONDocument(parsing: raw)
            } catch JSONError.notUTF8 {
                throw KeyError.notUTF8
            } catch let e as JSONError {
                throw KeyError.notJSON(reason: e.message)
            }
            guard case .object = doc.root else { throw KeyError.notJSON(reason: "not a JSON object") }
            guard let pkValue = doc.root.member("public_key") else { throw KeyError.missingField("public_key") }
            guard let skValue = doc.root.member("private_key") else { throw KeyError.missingField("private_key") }
            guard let pkText = doc.string(pkValue) else { throw KeyError.badEncoding(what: "public_key") }
            guard let skText = doc.secretStringBytes(skValue) else { throw KeyError.badEncoding(what: "private_key") }
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
