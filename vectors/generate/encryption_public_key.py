"""vectors/encryption_public_key.json: MetaMask's eth_getEncryptionPublicKey (FORMATS.md 4)."""

import nacl.bindings
import nacl.public

from _common import webapp, rng, implementation, eth_key, write

NAME = "encryption_public_key"
r = rng(NAME)
N = webapp.SECP256K1_N

cases = []


def add(id_, comment, key: bytes):
    cases.append({"id": id_, "comment": comment, "eth_private_key": key.hex(),
                  "encryption_public_key": webapp.encryption_public_key(key)})


def key_where(pred):
    while True:
        k = eth_key(r)
        if pred(k):
            return k


add("key-1", "private key 1: bytes 00..01, used little-endian by X25519, so the last byte 0x01 is the top byte",
    (1).to_bytes(32, "big"))
add("key-n-minus-1", "private key n-1 (largest valid secp256k1 key)", (N - 1).to_bytes(32, "big"))
add("eth-account-docs-key", "the private key used in eth-account's documentation examples",
    bytes.fromhex("b25c7db31feed9122727bf0939dc769a96564b2de4c4726d035b36ecf1e5b364"))
add("last-byte-high-bit-set",
    "random key whose last byte has bit 7 set: X25519 clamping clears it (byte 31 &= 0x7f)",
    key_where(lambda k: k[31] & 0x80))
add("last-byte-bit-6-clear",
    "random key whose last byte has bits 7 and 6 clear: X25519 clamping sets bit 6 (byte 31 |= 0x40)",
    key_where(lambda k: k[31] & 0xC0 == 0))
add("first-byte-low-bits-set",
    "random key whose first byte has its 3 low bits set: X25519 clamping clears them (byte 0 &= 0xf8)",
    key_where(lambda k: k[0] & 0x07 == 0x07))
for i in range(1, 3):
    add(f"random-{i}", "random valid secp256k1 private key", eth_key(r))

# Verify with libsodium: crypto_scalarmult_base on the raw key, and on the clamped key.
for c in cases:
    k = bytes.fromhex(c["eth_private_key"])
    assert 1 <= int.from_bytes(k, "big") < N
    pub = webapp.b64d(c["encryption_public_key"], 32)
    assert nacl.bindings.crypto_scalarmult_base(k) == pub
    assert bytes(nacl.public.PrivateKey(k).public_key) == pub
    clamped = bytearray(k)
    clamped[0] &= 248
    clamped[31] = (clamped[31] & 127) | 64
    assert nacl.bindings.crypto_scalarmult_base(bytes(clamped)) == pub

write(NAME, "MetaMask's encryption public key (eth_getEncryptionPublicKey, FORMATS.md 4): base64 of "
      "X25519(eth private key bytes as-is, base point).", implementation("PyNaCl"), cases)
