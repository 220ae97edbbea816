import NumerBayBridge
import NumerBayKeys
import NumerBayKeysFiles

/// The `hint:` line under an error (also shown on the bridge page). The libraries' errors say
/// what went wrong; what to do about it, in this command line's options and commands, is said
/// only here.
enum Hints {
    static func hint(for error: any NBKeyError) -> String? {
        switch error {
        case let error as CLIError:
            return error.hint
        case SealedBoxError.authenticationFailed:
            return "check that you used the key file of the account that bought this file"
        case FileError.exists:
            return "use --force to replace it"
        case FileError.sameFile:
            return "use --in-place to replace the input after it authenticates"
        case WrapError.wrongWallet:
            return "check that the wallet source is the account registered on NumerBay ('nbkey wallet address')"
        case BridgeError.decryptDenied:
            return "MetaMask also gives this answer when it could not read the request: if you approved, "
                + "the envelope is malformed or was made for another account"
        case BridgeError.unsupported:
            return "hardware wallets and MetaMask Mobile cannot do v1 (eth_decrypt, eth_getEncryptionPublicKey): "
                + "use v2 (wrap --scheme v2; unwrap a profile's encrypted_private_key_v2)"
        case BridgeError.noWallet:
            return "open the URL in the browser that has your wallet extension (MetaMask, Rabby, Brave, …)"
        case BridgeError.accountsChanged:
            return "select the account you want in the wallet, then run the command again"
        case BridgeError.timeout:
            return "open the URL printed above in the browser that has your wallet, or raise --browser-timeout"
        default:
            return nil
        }
    }
}
