"""vectors/wrapped_v1.json: legacy wrapped NumerBay private key, scheme v1 (FORMATS.md 6)."""

import json

import nacl.exceptions
import nacl.public

from _common import webapp, rng, implementation, eth_key, expect_error, write

NAME = "wrapped_v1"
r = rng(NAME)
b64 = webapp.b64e
cases = []

WALLET = eth_key(r)


def ok(id_, comment, nb_sk: bytes, wallet=WALLET):
    esk, nonce = r.randbytes(32), r.randbytes(24)
    cases.append({"id": id_, "comment": comment, "expect": "ok", "eth_private_key": wallet.hex(),
                  "stored": webapp.wrap_v1(wallet, nb_sk, esk, nonce),
                  "numerbay_private_key": b64(nb_sk),
                  "numerbay_public_key": b64(webapp.x25519_public_key(nb_sk)),
                  "ephemeral_secret_key": b64(esk)})


def bad_plaintext(id_, comment, text: str):
    """An authentic envelope (made with PyNaCl) whose plaintext is a malformed decimal list."""
    stored = webapp.envelope_encrypt(webapp.encryption_public_key(WALLET), text, r.randbytes(32), r.randbytes(24))
    cases.append({"id": id_, "comment": comment, "expect": "format", "eth_private_key": WALLET.hex(),
                  "stored": stored})


ok("random-1", "random NumerBay key", r.randbytes(32))
ok("random-2", "random NumerBay key, another wallet", r.randbytes(32), eth_key(r))
k = bytearray(r.randbytes(32))
k[0], k[1], k[2], k[31] = 0, 255, 10, 100
ok("bytes-0-255-10-100", "key with bytes 0, 255, 10 and 100 (one, three, two and three digits)", bytes(k))
ok("all-zero-key", "the all-zero 32-byte key: '0,0,...,0' (valid as a decimal list)", bytes(32))

nums = [str(b) for b in r.randbytes(32)]
j = ",".join
bad_plaintext("31-numbers", "31 numbers", j(nums[:31]))
bad_plaintext("33-numbers", "33 numbers", j(nums + ["7"]))
bad_plaintext("number-256", "one number is 256", j(nums[:5] + ["256"] + nums[6:]))
bad_plaintext("number-999", "one number is 999 (three digits, out of range)", j(nums[:5] + ["999"] + nums[6:]))
bad_plaintext("number-1000", "one number is 1000 (four digits)", j(nums[:5] + ["1000"] + nums[6:]))
bad_plaintext("negative-1", "one number is -1", j(nums[:5] + ["-1"] + nums[6:]))
bad_plaintext("plus-sign", "one number is +1", j(nums[:5] + ["+1"] + nums[6:]))
bad_plaintext("leading-zero", "one number is written 01", j(nums[:5] + ["01"] + nums[6:]))
bad_plaintext("leading-space", "one number is ' 1'", j(nums[:5] + [" 1"] + nums[6:]))
bad_plaintext("space-after-commas", "', ' separators (as Python's str(list) or an array printer would write)",
              ", ".join(nums))
bad_plaintext("empty-item", "an empty item between two commas ('1,,2'), 32 items in all",
              j(nums[:5] + [""] + nums[6:]))
bad_plaintext("trailing-comma", "32 numbers followed by a comma", j(nums) + ",")
bad_plaintext("trailing-newline", "32 numbers followed by a newline", j(nums) + "\n")
bad_plaintext("hex-item", "one number written in hex (0x1f)", j(nums[:5] + ["0x1f"] + nums[6:]))
bad_plaintext("decimal-point", "one number written 1.0", j(nums[:5] + ["1.0"] + nums[6:]))
bad_plaintext("json-array", "the numbers as a JSON array '[...]'", "[" + j(nums) + "]")
bad_plaintext("empty", "empty plaintext", "")
cases.append({"id": "wrong-wallet", "comment": "random-1's stored string opened by another wallet",
              "expect": "authentication_failure", "eth_private_key": eth_key(r).hex(),
              "stored": cases[0]["stored"]})

for c in cases:
    eth_sk = bytes.fromhex(c["eth_private_key"])
    if c["expect"] == "ok":
        env = json.loads(c["stored"])
        box = nacl.public.Box(nacl.public.PrivateKey(eth_sk),
                              nacl.public.PublicKey(webapp.b64d(env["ephemPublicKey"])))
        text = box.decrypt(webapp.b64d(env["ciphertext"]), webapp.b64d(env["nonce"])).decode()
        nb = webapp.b64d(c["numerbay_private_key"], 32)
        assert text == ",".join(str(b) for b in nb), c["id"]
        assert bytes(int(x) for x in text.split(",")) == nb
        assert webapp.unwrap_v1(eth_sk, c["stored"]) == nb
        assert webapp.b64d(c["numerbay_public_key"]) == bytes(nacl.public.PrivateKey(nb).public_key)
        again = webapp.wrap_v1(eth_sk, nb, webapp.b64d(c["ephemeral_secret_key"]), webapp.b64d(env["nonce"]))
        assert again == c["stored"], c["id"]
    else:
        if c["expect"] == "authentication_failure":
            env = json.loads(c["stored"])
            try:
                nacl.public.Box(nacl.public.PrivateKey(eth_sk),
                                nacl.public.PublicKey(webapp.b64d(env["ephemPublicKey"]))).decrypt(
                    webapp.b64d(env["ciphertext"]), webapp.b64d(env["nonce"]))
                raise AssertionError(c["id"])
            except nacl.exceptions.CryptoError:
                pass
        expect_error(c["expect"], webapp.unwrap_v1, eth_sk, c["stored"])

write(NAME, "Wrapped NumerBay private key, scheme v1 (profile field encrypted_private_key, FORMATS.md 6): an "
      "eth-sig-util envelope of the key's bytes as comma-separated decimals (Uint8Array.toString()).",
      implementation("PyNaCl"), cases)
