"""vectors/personal_sign.json: EIP-191 personal_sign (FORMATS.md 7)."""

from eth_account import Account
from eth_account.messages import encode_defunct, _hash_eip191_message
from eth_keys import keys as eth_keys

from _common import webapp, rng, implementation, eth_key, write

NAME = "personal_sign"
r = rng(NAME)

cases = []
DOCS_KEY = bytes.fromhex("b25c7db31feed9122727bf0939dc769a96564b2de4c4726d035b36ecf1e5b364")
DOCS_SIG = ("0xe6ca9bba58c88611fad66a6ce8f996908195593807c4b38bd528d2cff09d4eb3"
            "3e5bfbbf4d3e39b1a2fd816a7680c19ebebaf3a141b239934ad43cb33fcec8ce1c")


def add(id_, comment, key: bytes, msg: bytes):
    cases.append({"id": id_, "comment": comment, "eth_private_key": key.hex(), "message_hex": msg.hex(),
                  "digest_hex": webapp.personal_sign_digest(msg).hex(),
                  "signature": webapp.personal_sign(key, msg)})


add("docs-i-love-sf", "eth-account's documentation example: its key signing 'I♥SF' (published signature)",
    DOCS_KEY, "I♥SF".encode())
add("empty", "empty message: prefix '\\x19Ethereum Signed Message:\\n0'", eth_key(r), b"")
add("hello", "'hello' (5 bytes)", eth_key(r), b"hello")
add("unicode", "UTF-8 text with multi-byte characters; the length is in bytes, not characters",
    eth_key(r), "Grüße, 世界 🌍\n".encode())
add("binary", "32 random bytes, not valid UTF-8 in general", eth_key(r), r.randbytes(32))
add("ten-kb", "10240 random bytes: the decimal length has 5 digits", eth_key(r), r.randbytes(10240))
add("v2-salt-message", "a NumerBay v2 salt message (FORMATS.md 7)", eth_key(r),
    webapp.salt_message(r.randbytes(32)).encode())
add("key-1", "private key 1 signing 'hello'", (1).to_bytes(32, "big"), b"hello")

for c in cases:
    key = bytes.fromhex(c["eth_private_key"])
    msg = bytes.fromhex(c["message_hex"])
    signable = encode_defunct(primitive=msg)
    assert _hash_eip191_message(signable).hex() == c["digest_hex"]
    sig = bytes.fromhex(c["signature"][2:])
    assert len(sig) == 65 and sig[64] in (27, 28)
    s = int.from_bytes(sig[32:64], "big")
    assert s <= webapp.SECP256K1_N // 2, "not low-s"
    addr = Account.from_key(key).address
    assert Account.recover_message(signable, signature=sig) == addr
    # eth-keys: recover from the digest with v as recovery id 0/1, and RFC 6979 re-signing.
    vrs = eth_keys.Signature(sig[:64] + bytes([sig[64] - 27]))
    assert vrs.recover_public_key_from_msg_hash(bytes.fromhex(c["digest_hex"])).to_checksum_address() == addr
    assert eth_keys.PrivateKey(key).sign_msg_hash(bytes.fromhex(c["digest_hex"])) == vrs
assert cases[0]["signature"] == DOCS_SIG

write(NAME, "EIP-191 personal_sign: digest = keccak256('\\x19Ethereum Signed Message:\\n' + decimal byte "
      "length + message); signature = r || s || v (v = 27/28), RFC 6979 nonce, low s.",
      implementation("eth-account", "eth-keys", "eth-hash"), cases)
