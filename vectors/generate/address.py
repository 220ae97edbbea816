"""vectors/address.json: --private-key-file parsing and the EIP-55 address (FORMATS.md 8)."""

from eth_account import Account
from eth_keys import keys as eth_keys
from eth_utils import to_checksum_address

from _common import webapp, rng, implementation, eth_key, expect_error, write

NAME = "address"
r = rng(NAME)
N = webapp.SECP256K1_N

cases = []


def ok(id_, comment, text):
    k = webapp.parse_private_key_file(text)
    cases.append({"id": id_, "comment": comment, "expect": "ok", "private_key_file": text,
                  "address": webapp.address(k)})


def bad(id_, comment, expect, text):
    cases.append({"id": id_, "comment": comment, "expect": expect, "private_key_file": text})


def hx(k: int) -> str:
    return k.to_bytes(32, "big").hex()


ok("key-1", "private key 1 (well-known address 0x7E5F4552...), as 64 hex digits and a newline", hx(1) + "\n")
ok("key-2", "private key 2 (well-known address 0x2B5AD5c4...), with 0x prefix and no newline", "0x" + hx(2))
ok("key-n-minus-1", "private key n-1, the largest valid one", hx(N - 1) + "\n")
ok("eth-account-docs-key", "eth-account's documentation key (address 0x5ce94549...), 0x prefix and newline",
   "0xb25c7db31feed9122727bf0939dc769a96564b2de4c4726d035b36ecf1e5b364\n")
ok("random-plain", "random key, lowercase hex, no prefix, no newline", eth_key(r).hex())
ok("random-0x-newline", "random key, 0x prefix, trailing newline", "0x" + eth_key(r).hex() + "\n")
ok("random-uppercase", "random key in uppercase hex with 0x prefix", "0x" + eth_key(r).hex().upper() + "\n")
ok("random-surrounding-spaces", "random key with spaces before and after", "  " + eth_key(r).hex() + "  ")
ok("random-crlf-tabs", "random key, a tab before, CRLF after", "\t0x" + eth_key(r).hex() + "\r\n")
ok("random-mixed-case", "random key with mixed-case hex digits",
   "".join(ch.upper() if i % 3 == 0 else ch for i, ch in enumerate(eth_key(r).hex())) + "\n")

bad("key-0", "private key 0 is not a valid secp256k1 key", "invalid_key", hx(0) + "\n")
bad("key-n", "private key n (the group order) is not valid", "invalid_key", hx(N) + "\n")
bad("key-n-plus-1", "private key n+1 is not valid (it is not reduced mod n)", "invalid_key", hx(N + 1) + "\n")
bad("key-2-256-minus-1", "private key 2^256-1 (all ff) is not valid", "invalid_key", "0x" + "ff" * 32 + "\n")
k = eth_key(r).hex()
bad("63-hex-digits", "one hex digit short", "format", k[:63] + "\n")
bad("65-hex-digits", "one hex digit too many", "format", k + "0\n")
bad("non-hex-char", "a 'g' among 64 characters", "format", k[:10] + "g" + k[11:] + "\n")
bad("empty", "an empty file", "format", "")
bad("0x-alone", "just the 0x prefix", "format", "0x\n")
bad("only-whitespace", "only a newline", "format", "\n")
bad("double-0x", "0x0x followed by 64 hex digits", "format", "0x0x" + k + "\n")

# Verify: eth-account and eth-keys must agree, and refuse the invalid keys.
for c in cases:
    text = c["private_key_file"]
    if c["expect"] == "ok":
        s = text.strip()
        s = s[2:] if s.startswith("0x") else s
        key = bytes.fromhex(s)
        addr = Account.from_key(key).address
        assert addr == c["address"] == to_checksum_address(c["address"].lower())
        assert eth_keys.PrivateKey(key).public_key.to_checksum_address() == addr
    else:
        expect_error(c["expect"], webapp.parse_private_key_file, text)
        if c["expect"] == "invalid_key":
            try:
                eth_keys.PrivateKey(bytes.fromhex(text.strip().removeprefix("0x")))
                raise AssertionError(c["id"])
            except Exception as e:  # eth-keys: ValidationError
                assert "ValidationError" in type(e).__name__, e
KNOWN = {"key-1": "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
         "key-2": "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF",
         "eth-account-docs-key": "0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E"}
for c in cases:
    if c["id"] in KNOWN:
        assert c["address"] == KNOWN[c["id"]], c["id"]

write(NAME, "Ethereum account address (FORMATS.md 8): the text of a --private-key-file (64 hex digits, "
      "optional 0x, surrounding whitespace ignored) and the EIP-55 address of that key.",
      implementation("eth-account", "eth-keys", "eth-hash"), cases)
