"""vectors/mnemonic_account.json: Ethereum accounts of BIP-39 mnemonics along BIP-32 paths
(FORMATS.md 8, docs/CLI.md `--mnemonic-file`).

Computed with eth-account's HD wallet (Account.from_mnemonic) and cross-checked with a BIP-32
model over hashlib/hmac and eth-keys (Interop/python/webapp.py: bip39_seed from the `mnemonic`
package and hashlib, bip32_derive). No negatives: bad mnemonics are in bip39.json."""

from eth_account import Account
from mnemonic import Mnemonic

from _common import webapp, rng, implementation, write

NAME = "mnemonic_account"
r = rng(NAME)
M = Mnemonic("english")
Account.enable_unaudited_hdwallet_features()
cases = []

ABOUT = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
HARDHAT = "test test test test test test test test test test test junk"
ETH_ACCOUNT_DOC = ("coral allow abandon recipe top tray caught video climb similar prepare bracket antenna "
                   "rubber announce gauge volume hub hood burden skill immense add acid")


def case(id_, comment, mnemonic, passphrase="", path="m/44'/60'/0'/0/0"):
    key, addr = webapp.mnemonic_account(mnemonic, passphrase, path)
    acct = Account.from_mnemonic(mnemonic, passphrase=passphrase, account_path=path)
    assert bytes(acct.key) == key and acct.address == addr
    cases.append({"id": id_, "comment": comment, "mnemonic": mnemonic, "passphrase": passphrase,
                  "derivation_path": path, "eth_private_key": key.hex(), "address": addr})
    return key, addr


def mm(i):
    return f"m/44'/60'/0'/0/{i}"


# Published values (checked below): Hardhat's default development accounts (mnemonic "test test
# ... junk", Hardhat Network's documented default accounts, also Foundry anvil's), the eth-account documentation's from_mnemonic
# example, and the widely used first MetaMask account of the all-"abandon ... about" mnemonic.
case("hardhat-account-0", "Hardhat's default mnemonic, account 0 (published: 0xf39F...2266)", HARDHAT, "", mm(0))
case("hardhat-account-1", "Hardhat's default mnemonic, account 1 (published: 0x7099...79C8)", HARDHAT, "", mm(1))
case("hardhat-account-2", "Hardhat's default mnemonic, account 2 (published: 0x3C44...93BC)", HARDHAT, "", mm(2))
case("eth-account-doc-example", "eth-account's documented from_mnemonic example, 24 words "
     "(published: 0x9AdA...569d)", ETH_ACCOUNT_DOC)
case("abandon-about-account-0", "BIP-39 vector 1's mnemonic, empty passphrase, MetaMask account 0 "
     "(widely published: 0x9858...Da94)", ABOUT, "", mm(0))
case("abandon-about-trezor-passphrase", "BIP-39 vector 1's mnemonic with passphrase TREZOR, account 0", ABOUT, "TREZOR", mm(0))
KNOWN = {
    "hardhat-account-0": ("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
                          "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
    "hardhat-account-1": ("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
                          "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
    "hardhat-account-2": ("5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
                          "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
    "eth-account-doc-example": (None, "0x9AdA5dAD14d925f4df1378409731a9B71Bc8569d"),
    "abandon-about-account-0": ("1ab42cc412b618bdea3a599e3c9bae199ebf030895b039e9db1e30dafb12b727",
                                "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"),
}
for c in cases:
    if c["id"] in KNOWN:
        k, a = KNOWN[c["id"]]
        assert c["address"] == a and (k is None or c["eth_private_key"] == k), c["id"]

# Every mnemonic length, MetaMask's indices 0, 1, 2, 7 and 2^31 - 1, empty and non-empty passphrases.
for nbytes in (16, 20, 24, 28, 32):
    words = M.to_mnemonic(r.randbytes(nbytes))
    n = len(words.split())
    case(f"words-{n}-index-0", f"random {n}-word mnemonic, empty passphrase, m/44'/60'/0'/0/0", words, "", mm(0))
    case(f"words-{n}-index-1-passphrase", f"the same {n}-word mnemonic, passphrase 'correct horse', index 1",
         words, "correct horse", mm(1))
W = M.to_mnemonic(r.randbytes(16))
for i in (0, 1, 2, 7, 2147483647):
    case(f"index-{i}", f"random 12-word mnemonic, MetaMask account index {i}" +
         (" (2^31 - 1, the largest non-hardened index)" if i == 2147483647 else ""), W, "", mm(i))
U = M.to_mnemonic(r.randbytes(32))
case("unicode-passphrase-composed", "24 words, passphrase 'nbkey ☕ ｐａｓｓ é' (é composed): NFKD salt",
     U, "nbkey \u2615 \uff50\uff41\uff53\uff53 \u00e9", mm(0))
case("unicode-passphrase-decomposed", "the same with é decomposed (e + U+0301): same account as "
     "unicode-passphrase-composed", U, "nbkey \u2615 \uff50\uff41\uff53\uff53 e\u0301", mm(0))
assert cases[-1]["address"] == cases[-2]["address"]
case("passphrase-with-spaces", "passphrase with inner, leading and trailing spaces, kept as given", U, "  two  words ", mm(3))

# Other paths: hardened and normal steps other than MetaMask's.
P = M.to_mnemonic(r.randbytes(16))
for id_, path, comment in [
    ("path-account-1", "m/44'/60'/1'/0/0", "BIP-44 account 1 (hardened third step 1')"),
    ("path-change-1", "m/44'/60'/0'/1/3", "BIP-44 change chain 1, index 3"),
    ("path-short", "m/0'/1", "two steps: hardened 0', normal 1"),
    ("path-ledger-live", "m/44'/60'/2'/0/0", "Ledger Live's layout, account 2"),
    ("path-legacy-ledger", "m/44'/60'/0'/5", "legacy Ledger (MEW) layout m/44'/60'/0'/N, N = 5"),
    ("path-all-hardened", "m/44'/60'/0'/0'/0'", "all five steps hardened"),
    ("path-hardened-max", "m/2147483647'/0", "hardened index 2^31 - 1 then normal 0"),
    ("path-etc", "m/44'/61'/0'/0/0", "coin type 61 (Ethereum Classic)"),
    ("path-long", "m/1/2/3/4/5/6/7/8/9/10", "ten normal steps"),
]:
    case(id_, f"random 12-word mnemonic, {comment}", P, "", path)
case("path-with-passphrase", "random 12-word mnemonic, passphrase 'TREZOR', m/44'/60'/3'/1/2", P, "TREZOR",
     "m/44'/60'/3'/1/2")

write(NAME, "Ethereum account of a BIP-39 mnemonic (FORMATS.md 8): seed = BIP-39 (NFKD, PBKDF2-HMAC-SHA512), "
      "then BIP-32 private derivation along derivation_path (' = hardened); the key is the last child's "
      "private key, the address its EIP-55 address. MetaMask uses m/44'/60'/0'/0/i with an empty passphrase.",
      implementation("eth-account", "eth-keys", "mnemonic") + "; hashlib/hmac BIP-32 model", cases)
