import ArgumentParser
extension NBKey.Wallet {
    struct Address: ParsableCommand {}
    struct EncryptionPublicKey: ParsableCommand {}
    struct Encrypt: ParsableCommand {}
    struct Decrypt: ParsableCommand {}
    struct SignMessage: ParsableCommand {}
}
extension NBKey {
    struct Wrap: ParsableCommand {}
    struct Unwrap: ParsableCommand {}
}
