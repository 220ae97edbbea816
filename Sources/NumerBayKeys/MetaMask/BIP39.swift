import Foundation

extension UInt8 {
    var lowercasedASCII: UInt8 { (0x41...0x5A).contains(self) ? self | 0x20 : self }
}

/// BIP-39 mnemonics (English list): words → checked entropy → seed, as MetaMask derives it.
public enum BIP39 {
    static let words: [String] = englishWords.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    private static let indexOfWord: [String: Int] = Dictionary(uniqueKeysWithValues: words.enumerated().map { ($1, $0) })
    /// The word counts BIP-39 defines: 128 to 256 bits of entropy, 32 bits apart.
    public static let allowedWordCounts = [12, 15, 18, 21, 24]

    /// The 64-byte seed: PBKDF2-HMAC-SHA512(NFKD(mnemonic), "mnemonic" + NFKD(passphrase), 2048).
    /// The mnemonic must be valid: every word in the list, a valid checksum.
    /// - Throws: `MnemonicError.notUTF8` for a mnemonic or passphrase that is not UTF-8;
    ///   `MnemonicError.wordCount`, `.unknownWord` or `.checksum` for an invalid mnemonic.
    public static func seed(mnemonic: SecretBytes, passphrase: SecretBytes) throws -> SecretBytes {
        let sentence = try normalizedSentence(mnemonic)
        // salt = "mnemonic" + the passphrase, which is secret: built in wiped memory.
        let label = Array("mnemonic".utf8)
        let normalized = try nfkd(passphrase, .passphrase)
        let salt = SecretBytes(count: label.count + normalized.count)
        salt.withUnsafeMutableBytes { s in
            s.copyBytes(from: label)
            normalized.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: s[label.count...]).copyMemory(from: $0) }
        }
        return Libcrypto.pbkdf2(password: sentence, salt: salt, iterations: 2048, digest: .sha512, length: 64)
    }

    /// NFKD, then the words in lower case joined by single spaces, after checking words and
    /// checksum. Words are read as MetaMask's import reads them: any letter case, separated by
    /// any run of white space or ASCII punctuation (newlines, commas, quotes: a pasted list).
    package static func normalizedSentence(_ mnemonic: SecretBytes) throws -> SecretBytes {
        let text = try nfkd(mnemonic, .mnemonic)
        var wordList = text.withUnsafeBytes(words)
        defer { for i in wordList.indices { Sodium.wipe(&wordList[i]) } }
        guard allowedWordCounts.contains(wordList.count) else {
            throw MnemonicError.wordCount(wordList.count)
        }
        var bits = [Bool]()
        for (position, word) in wordList.enumerated() {
            guard let index = indexOfWord[String(decoding: word, as: UTF8.self)] else {
                throw MnemonicError.unknownWord(position: position + 1)
            }
            for b in (0..<11).reversed() { bits.append(index >> b & 1 == 1) }
        }
        let checksumBits = bits.count / 33
        let entropyBits = bits.count - checksumBits
        var entropy = [UInt8](repeating: 0, count: entropyBits / 8)
        defer { Sodium.wipe(&entropy) }
        for i in 0..<entropyBits where bits[i] { entropy[i / 8] |= 0x80 >> UInt8(i % 8) }
        let hash = SHA256.hash(entropy)
        for i in 0..<checksumBits where bits[entropyBits + i] != (hash[i / 8] & (0x80 >> UInt8(i % 8)) != 0) {
            throw MnemonicError.checksum
        }
        var joined = [UInt8]()
        defer { Sodium.wipe(&joined) }
        for (i, w) in wordList.enumerated() {
            if i > 0 { joined.append(0x20) }
            joined.append(contentsOf: w)
        }
        return SecretBytes(copying: joined)
    }

    /// What MetaMask's `\w+` leaves between words, among ASCII characters: all but letters,
    /// digits and `_`.
    private static let asciiPunctuation = Set<UInt32>(Array(0x21...0x2F) + Array(0x3A...0x40) + Array(0x5B...0x5E) + [0x60] + Array(0x7B...0x7E))

    /// The words of UTF-8 `text`, ASCII letters in lower case. Scalars are decoded in place.
    static func words(_ text: UnsafeRawBufferPointer) -> [[UInt8]] {
        var result: [[UInt8]] = [], word: [UInt8] = []
        var bytes = text.makeIterator(), parser = UTF8.ForwardParser()
        while case .valid(let encoded) = parser.parseScalar(from: &bytes) {
            let scalar = UTF8.decode(encoded)
            let isSeparator = scalar.properties.isWhitespace || asciiPunctuation.contains(scalar.value)
            if !isSeparator {
                word += scalar.isASCII ? [UInt8(ascii: scalar).lowercasedASCII] : Array(encoded)
            } else if !word.isEmpty {
                result.append(word)
                word = []
            }
        }
        if !word.isEmpty { result.append(word) }
        return result
    }

    /// Unicode NFKD. ASCII is its own NFKD, so only non-ASCII text passes through a String
    /// (which cannot be wiped). Ill-formed UTF-8 is refused: decoding would replace it with
    /// U+FFFD, and different byte strings would give the same seed.
    static func nfkd(_ text: SecretBytes, _ what: MnemonicError.Text) throws -> SecretBytes {
        guard text.isValidUTF8 else { throw MnemonicError.notUTF8(what) }
        let ascii = text.withUnsafeBytes { $0.allSatisfy { $0 < 0x80 } }
        if ascii { return text }
        let string = text.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        return SecretBytes(copying: Array(string.decomposedStringWithCompatibilityMapping.utf8))
    }
}

/// BIP-32 private derivation with HMAC-SHA512 (libcrypto) and libsecp256k1's tweak.
public enum BIP32 {
    /// The bit that marks a hardened index (written `'`).
    public static let hardened: UInt32 = 0x8000_0000
    /// MetaMask's path for account i: m/44'/60'/0'/0/i.
    public static func metaMaskPath(account: UInt32) -> [UInt32] { [44 | hardened, 60 | hardened, hardened, 0, account] }

    /// Parses `m/44'/60'/0'/0/0` (hardened steps marked `'`, `h` or `H`).
    /// - Throws: `MnemonicError.path` for any other text, or an index of 2^31 or more.
    public static func parsePath(_ text: String) throws -> [UInt32] {
        var parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.first == "m" else { throw MnemonicError.path(text) }
        parts.removeFirst()
        return try parts.map { part in
            var digits = Substring(part)
            var step: UInt32 = 0
            if let last = digits.last, "'hH".contains(last) { step = hardened; digits = digits.dropLast() }
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                  !(digits.count > 1 && digits.first == "0"), let n = UInt32(digits), n < hardened else {
                throw MnemonicError.path(text)
            }
            return step | n
        }
    }

    /// The private key at `path` below the master key of `seed`.
    /// - Throws: `MnemonicError.invalidDerivedKey` when a step gives an invalid key (probability
    ///   below 2^-127).
    public static func derive(seed: SecretBytes, path: [UInt32]) throws -> SecretBytes {
        let master = Libcrypto.hmacSHA512(key: SecretBytes(copying: Array("Bitcoin seed".utf8)), data: seed)
        var key = master.slice(0..<32)
        var chain = master.slice(32..<64)
        guard Secp256k1.isValidSecretKey(key) else { throw MnemonicError.invalidDerivedKey }
        for index in path {
            let data = SecretBytes(count: 37)
            data.withUnsafeMutableBytes { d in
                if index & hardened != 0 {
                    d[0] = 0
                    key.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: d[1..<33]).copyBytes(from: $0) }
                } else {
                    UnsafeMutableRawBufferPointer(rebasing: d[0..<33]).copyBytes(from: Secp256k1.compressedPublicKey(of: key))
                }
                for k in 0..<4 { d[33 + k] = UInt8(truncatingIfNeeded: index >> (24 - 8 * UInt32(k))) }
            }
            let i = Libcrypto.hmacSHA512(key: chain, data: data)
            let child = key.slice(0..<32)
            // A tweak ≥ n or a zero result: BIP-32 says to use the next index; it has
            // probability below 2^-127, so report it instead.
            guard Secp256k1.addTweak(child, i.slice(0..<32)) else { throw MnemonicError.invalidDerivedKey }
            key = child
            chain = i.slice(32..<64)
        }
        return key
    }
}

/// Why a mnemonic, passphrase or derivation path was refused.
public enum MnemonicError: NBKeyError, Equatable {
    /// Which secret text an error is about.
    public enum Text: String, Sendable {
        /// The BIP-39 mnemonic.
        case mnemonic
        /// The optional BIP-39 passphrase (the "25th word").
        case passphrase = "BIP-39 passphrase"
    }

    /// The mnemonic or passphrase is not well-formed UTF-8.
    case notUTF8(Text)
    /// The mnemonic has this many words, not 12, 15, 18, 21 or 24.
    case wordCount(Int)
    /// The word at this position (from 1) is not in the English list.
    case unknownWord(position: Int)
    /// The words' checksum bits do not match the entropy.
    case checksum
    /// A derivation path that is not `m/` and indices below 2^31.
    case path(String)
    /// A BIP-32 step gave an invalid key.
    case invalidDerivedKey
    /// An account index of 2^31 or more.
    case accountIndex

    /// The error as one line for the user.
    public var message: String {
        switch self {
        case .notUTF8(let what): return "the \(what.rawValue) is not valid UTF-8 text"
        case .wordCount(let n): return "mnemonic has \(n) word\(n == 1 ? "" : "s"); a BIP-39 mnemonic has 12, 15, 18, 21 or 24"
        case .unknownWord(let p): return "mnemonic word \(p) is not in the BIP-39 English word list"
        case .checksum: return "mnemonic checksum is wrong: a word is mistyped or out of order"
        case .path(let p): return "derivation path \(p) is not of the form m/44'/60'/0'/0/0"
        case .invalidDerivedKey: return "this derivation step gives an invalid key (BIP-32 says to skip the index)"
        case .accountIndex: return "account index must be between 0 and 2147483647"
        }
    }
}
