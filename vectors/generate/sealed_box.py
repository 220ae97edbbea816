"""vectors/sealed_box.json: artifact files, libsodium sealed boxes (FORMATS.md 3)."""

import hashlib

import nacl.bindings
import nacl.exceptions
import nacl.public

from _common import webapp, rng, implementation, expect_error, write

NAME = "sealed_box"
r = rng(NAME)
b64 = webapp.b64e

# Curve25519 points of small order (the well-known list, as in libsodium's and Project
# Wycheproof's X25519 tests), 32 bytes little-endian. The second group are the same points
# with bit 255 set, which X25519 ignores. Each one is checked below: libsodium's
# crypto_scalarmult must refuse it (all-zero shared secret).
LOW_ORDER = [
    ("zero", "the all-zero point (u = 0)",
     "0000000000000000000000000000000000000000000000000000000000000000"),
    ("one", "u = 1 (order 4)",
     "0100000000000000000000000000000000000000000000000000000000000000"),
    ("order-8-a", "a point of order 8 (u = e0eb7a7c...)",
     "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
    ("order-8-b", "a point of order 8 (u = 5f9c95bc...)",
     "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
    ("p-minus-1", "u = p - 1 (order 2)",
     "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    ("p", "u = p, a non-canonical encoding of 0",
     "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    ("p-plus-1", "u = p + 1, a non-canonical encoding of 1",
     "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    ("zero-high-bit", "u = 0 with bit 255 set",
     "0000000000000000000000000000000000000000000000000000000000000080"),
    ("order-8-a-high-bit", "the order-8 point e0eb7a7c... with bit 255 set",
     "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880"),
    ("order-8-b-high-bit", "the order-8 point 5f9c95bc... with bit 255 set",
     "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7"),
    ("p-minus-1-high-bit", "u = p - 1 with bit 255 set",
     "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
]

cases = []


def pattern(n):
    return bytes(i % 251 for i in range(n))


def new_pair():
    sk = r.randbytes(32)
    return bytes(nacl.public.PrivateKey(sk).public_key), sk


RPK, RSK = new_pair()


def positive(id_, comment, plaintext, inline=True, pattern_len=None):
    esk = r.randbytes(32)
    sealed = webapp.seal(RPK, plaintext, esk)
    c = {"id": id_, "comment": comment, "expect": "ok",
         "recipient_public_key": b64(RPK), "recipient_secret_key": b64(RSK),
         "ephemeral_secret_key": b64(esk)}
    if pattern_len is None:
        c["plaintext_b64"] = b64(plaintext)
    else:
        c["plaintext_pattern_length"] = pattern_len
    c["plaintext_sha256"] = hashlib.sha256(plaintext).hexdigest()
    if inline:
        c["sealed_b64"] = b64(sealed)
    else:
        c["sealed_sha256"] = hashlib.sha256(sealed).hexdigest()
    cases.append(c)
    return sealed


def negative(id_, comment, expect, sealed, rpk=RPK, rsk=RSK):
    cases.append({"id": id_, "comment": comment, "expect": expect,
                  "recipient_public_key": b64(rpk), "recipient_secret_key": b64(rsk),
                  "sealed_b64": b64(sealed)})


for n in (0, 1, 31, 32, 33, 63, 64, 65):
    what = "empty plaintext: a 48-byte file" if n == 0 else f"{n}-byte random plaintext"
    positive(f"random-{n}", what, r.randbytes(n))
for n in (65535, 65536, 65537):
    positive(f"random-{n}", f"{n}-byte random plaintext (around a 64 KiB chunk boundary)", r.randbytes(n))
for n, label in ((1024 * 1024 + 7, "1mib-plus-7"), (5 * 1024 * 1024, "5mib")):
    positive(f"pattern-{label}", f"{n}-byte pattern plaintext (byte i = i % 251), sealed file given by SHA-256",
             pattern(n), inline=False, pattern_len=n)

base_pt = r.randbytes(100)
base = webapp.seal(RPK, base_pt, r.randbytes(32))


def flip(data, index, bit=0):
    b = bytearray(data)
    b[index] ^= 1 << bit
    return bytes(b)


negative("empty-input", "a 0-byte file is not a sealed box", "format", b"")
negative("47-bytes", "47 bytes: one short of the 48-byte minimum (ephemeral key + tag)", "format", base[:47])
negative("flip-ephemeral-key", "100-byte plaintext; bit 0 of byte 5 of the ephemeral public key flipped",
         "authentication_failure", flip(base, 5))
negative("flip-ephemeral-key-bit-255",
         "bit 255 of the ephemeral public key flipped: X25519 ignores it, but the nonce (BLAKE2b over the key bytes) changes",
         "authentication_failure", flip(base, 31, 7))
negative("flip-tag", "bit 0 of the first tag byte (offset 32) flipped", "authentication_failure", flip(base, 32))
negative("flip-first-ciphertext-byte", "bit 0 of the first ciphertext byte (offset 48) flipped",
         "authentication_failure", flip(base, 48))
negative("flip-last-ciphertext-byte", "bit 7 of the last byte flipped", "authentication_failure",
         flip(base, len(base) - 1, 7))
negative("truncated-one-byte", "the last byte removed", "authentication_failure", base[:-1])
negative("appended-byte", "one zero byte appended", "authentication_failure", base + b"\x00")
opk, osk = new_pair()
negative("wrong-recipient-key", "sealed to another recipient; opened with this key pair", "authentication_failure",
         webapp.seal(opk, base_pt, r.randbytes(32)))
negative("empty-plaintext-flip-tag", "48-byte box of an empty plaintext with the last tag byte flipped",
         "authentication_failure", flip(webapp.seal(RPK, b"", r.randbytes(32)), 47))

for label, what, hexpt in LOW_ORDER:
    point = bytes.fromhex(hexpt)
    try:
        nacl.bindings.crypto_scalarmult(RSK, point)
        raise AssertionError(f"{label}: libsodium accepted a point listed as low order")
    except nacl.exceptions.RuntimeError:
        pass
    negative(f"low-order-ephemeral-{label}",
             f"ephemeral key {what}; tag made with the all-zero shared secret's key, so only a low-order check rejects it",
             "invalid_public_key", webapp.seal_low_order(RPK, r.randbytes(20), point))

# Verify every case with libsodium's one-shot crypto_box_seal_open (nacl.public.SealedBox).
for c in cases:
    rpk = webapp.b64d(c["recipient_public_key"])
    rsk = webapp.b64d(c["recipient_secret_key"])
    assert bytes(nacl.public.PrivateKey(rsk).public_key) == rpk
    if c["expect"] == "ok":
        pt = (webapp.b64d(c["plaintext_b64"]) if "plaintext_b64" in c
              else pattern(c["plaintext_pattern_length"]))
        assert hashlib.sha256(pt).hexdigest() == c["plaintext_sha256"]
        sealed = webapp.seal(rpk, pt, webapp.b64d(c["ephemeral_secret_key"]))
        if "sealed_b64" in c:
            assert sealed == webapp.b64d(c["sealed_b64"]), c["id"]
        else:
            assert hashlib.sha256(sealed).hexdigest() == c["sealed_sha256"], c["id"]
        assert len(sealed) == len(pt) + 48
        assert nacl.public.SealedBox(nacl.public.PrivateKey(rsk)).decrypt(sealed) == pt, c["id"]
    else:
        sealed = webapp.b64d(c["sealed_b64"])
        try:
            nacl.public.SealedBox(nacl.public.PrivateKey(rsk)).decrypt(sealed)
            raise AssertionError(f"{c['id']}: libsodium opened a negative case")
        except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError, nacl.exceptions.TypeError):
            pass
        expect_error(c["expect"], webapp.seal_open, rsk, sealed)

write(NAME, "Artifact files: libsodium sealed boxes (crypto_box_seal, FORMATS.md 3), "
      "ephemeral public key || tag || ciphertext. Positive cases are reproducible from ephemeral_secret_key.",
      implementation("PyNaCl", "pycryptodome"), cases)
