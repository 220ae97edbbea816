"""vectors/eth_envelope.json: eth-sig-util envelopes as eth_decrypt takes them (FORMATS.md 5)."""

import json

import nacl.exceptions
import nacl.public
import nacl.secret

from _common import webapp, rng, implementation, eth_key, expect_error, write

NAME = "eth_envelope"
r = rng(NAME)
b64 = webapp.b64e
cases = []

WALLET = eth_key(r)
ENC_PK = webapp.encryption_public_key(WALLET)


def encrypt(data: str, safe=False):
    esk, nonce = r.randbytes(32), r.randbytes(24)
    fn = webapp.encrypt_safely if safe else webapp.envelope_encrypt
    return fn(ENC_PK, data, esk, nonce), esk


def ok(id_, comment, data, safe=False, hex_form=False):
    env, esk = encrypt(data, safe)
    c = {"id": id_, "comment": comment, "expect": "ok", "recipient_eth_private_key": WALLET.hex(),
         "safe": safe, "envelope": webapp.envelope_to_hex(env) if hex_form else env,
         "plaintext": data, "ephemeral_secret_key": b64(esk)}
    if safe:
        c["padding_length"] = webapp.safe_padding_length(data)
    cases.append(c)
    return env


def bad(id_, comment, expect, envelope, safe=False, wallet=WALLET):
    cases.append({"id": id_, "comment": comment, "expect": expect, "recipient_eth_private_key": wallet.hex(),
                  "safe": safe, "envelope": envelope})


def fields(env):
    return json.loads(env)


def rebuild(obj):
    return webapp.js_stringify(obj)


def flip_b64(text, index):
    raw = bytearray(webapp.b64d(text))
    raw[index] ^= 1
    return b64(bytes(raw))


ok("empty", "empty string: the ciphertext is only the 16-byte tag", "")
base = ok("ascii", "short ASCII text", "hello NumerBay")
ok("unicode", "multi-byte UTF-8, quotes, slash and a newline", 'Grüße, 世界 🌍 "quoted" a/b\n')
ok("ten-kb", "10240 ASCII characters", "".join(chr(0x61 + r.randrange(26)) for _ in range(10240)))
ok("hex-form", "the 0x-hex form of the envelope's UTF-8 bytes (lowercase hex)", "hex form plaintext", hex_form=True)
ok("safe-small", "encryptSafely of a short string; .data returned", "secret key material", safe=True)
ok("safe-large", "encryptSafely of ~5 KB of mixed text (several 2048-byte blocks)",
   "".join(r.choice("abcé世🌍/\"\\\n") for _ in range(2000)), safe=True)
ok("safe-where-eth-sig-util-throws",
   "encryptSafely where L mod 2048 = 2040: eth-sig-util throws; nbkey pads to the next multiple (2040 zeros)",
   "x" * (2040 - 24), safe=True)
assert cases[-1]["padding_length"] == 2040
ok("safe-hex-form", "encryptSafely, handed over in 0x-hex form", "hex and safe", safe=True, hex_form=True)
env_safe, esk = encrypt("padded", safe=True)
cases.append({"id": "safe-envelope-read-unsafe",
              "comment": "an encryptSafely envelope read with plain eth_decrypt: the whole padded JSON text comes back",
              "expect": "ok", "recipient_eth_private_key": WALLET.hex(), "safe": False, "envelope": env_safe,
              "plaintext": webapp.safe_plaintext("padded"), "ephemeral_secret_key": b64(esk)})
o = fields(base)
cases.append({"id": "reordered-keys-whitespace",
              "comment": "the ascii case's fields in another order with whitespace: any JSON object is accepted",
              "expect": "ok", "recipient_eth_private_key": WALLET.hex(), "safe": False,
              "envelope": json.dumps({k: o[k] for k in ("ciphertext", "ephemPublicKey", "nonce", "version")},
                                     indent=2) + "\n",
              "plaintext": "hello NumerBay"})

o = fields(base)
bad("version-v2", "version 'x25519-xsalsa20-poly1305-v2' is not supported", "unsupported_version",
    rebuild({**o, "version": "x25519-xsalsa20-poly1305-v2"}))
bad("nonce-23-bytes", "nonce decodes to 23 bytes", "format", rebuild({**o, "nonce": b64(webapp.b64d(o["nonce"])[:23])}))
bad("ephemeral-key-31-bytes", "ephemPublicKey decodes to 31 bytes", "format",
    rebuild({**o, "ephemPublicKey": b64(webapp.b64d(o["ephemPublicKey"])[:31])}))
bad("ciphertext-15-bytes", "ciphertext decodes to 15 bytes, shorter than the tag", "format",
    rebuild({**o, "ciphertext": b64(webapp.b64d(o["ciphertext"])[:15])}))
bad("bad-base64", "ciphertext contains '!'", "format", rebuild({**o, "ciphertext": "!" + o["ciphertext"][1:]}))
bad("missing-ciphertext", "no ciphertext field", "format", rebuild({k: v for k, v in o.items() if k != "ciphertext"}))
bad("missing-nonce", "no nonce field", "format", rebuild({k: v for k, v in o.items() if k != "nonce"}))
bad("not-json", "not JSON at all", "format", "x25519-xsalsa20-poly1305 " + o["ciphertext"])
bad("hex-bad-digit", "0x-hex form with a 'zz' pair", "format", webapp.envelope_to_hex(base)[:10] + "zz"
    + webapp.envelope_to_hex(base)[12:])
bad("tampered-ciphertext", "bit 0 of the ciphertext's first byte (a tag byte) flipped", "authentication_failure",
    rebuild({**o, "ciphertext": flip_b64(o["ciphertext"], 0)}))
bad("tampered-ciphertext-last-byte", "bit 0 of the ciphertext's last byte flipped", "authentication_failure",
    rebuild({**o, "ciphertext": flip_b64(o["ciphertext"], -1)}))
bad("tampered-ephemeral-key", "bit 0 of the ephemeral public key's byte 3 flipped", "authentication_failure",
    rebuild({**o, "ephemPublicKey": flip_b64(o["ephemPublicKey"], 3)}))
bad("tampered-nonce", "bit 0 of the nonce's byte 0 flipped", "authentication_failure",
    rebuild({**o, "nonce": flip_b64(o["nonce"], 0)}))
bad("wrong-wallet", "the ascii envelope opened by another wallet", "authentication_failure", base, wallet=eth_key(r))
nonce = r.randbytes(24)
low = webapp.js_stringify({
    "version": webapp.ENVELOPE_VERSION, "nonce": b64(nonce), "ephemPublicKey": b64(bytes(32)),
    "ciphertext": b64(nacl.secret.SecretBox(webapp.zero_shared_box_key()).encrypt(b"low order", nonce).ciphertext)})
bad("low-order-ephemeral-key",
    "ephemPublicKey all zero; the box is valid under the all-zero shared secret's key (tweetnacl opens it, libsodium refuses)",
    "invalid_public_key", low)
nonce = r.randbytes(24)
esk = r.randbytes(32)
nonutf8 = webapp.js_stringify({
    "version": webapp.ENVELOPE_VERSION, "nonce": b64(nonce), "ephemPublicKey": b64(webapp.x25519_public_key(esk)),
    "ciphertext": b64(nacl.public.Box(nacl.public.PrivateKey(esk), nacl.public.PublicKey(webapp.b64d(ENC_PK)))
                      .encrypt(b"caf\xe9 \xff\xfe", nonce).ciphertext)})
bad("plaintext-not-utf8", "authentic box whose plaintext bytes are not UTF-8 (Latin-1 0xE9, 0xFF 0xFE)", "format",
    nonutf8)
bad("safe-inner-not-json", "safe: the decrypted text is not JSON", "format", encrypt("not json")[0], safe=True)
bad("safe-inner-missing-data", "safe: the decrypted JSON has padding but no data field", "format",
    encrypt('{"padding":"000"}')[0], safe=True)
bad("safe-inner-data-not-string", "safe: .data is a number, not a string", "format",
    encrypt('{"data":5,"padding":""}')[0], safe=True)


def one_shot(eth_sk, envelope):
    """Independent open: json + base64 + nacl.public.Box (libsodium crypto_box_open_easy)."""
    if envelope.startswith("0x"):
        envelope = bytes.fromhex(envelope[2:]).decode("utf-8")
    obj = json.loads(envelope)
    assert obj["version"] == "x25519-xsalsa20-poly1305"
    box = nacl.public.Box(nacl.public.PrivateKey(eth_sk),
                          nacl.public.PublicKey(webapp.b64d(obj["ephemPublicKey"])))
    return box.decrypt(webapp.b64d(obj["ciphertext"]), webapp.b64d(obj["nonce"])).decode("utf-8")


for c in cases:
    sk = bytes.fromhex(c["recipient_eth_private_key"])
    env = c["envelope"]
    if c["expect"] == "ok":
        text = one_shot(sk, env)
        got = json.loads(text)["data"] if c["safe"] else text
        assert got == c["plaintext"], c["id"]
        if c["safe"]:
            pad = json.loads(text)["padding"]
            assert pad == "0" * c["padding_length"]
            assert (len(text.encode()) + 16) % 2048 == 0
        assert (webapp.decrypt_safely if c["safe"] else webapp.envelope_decrypt)(sk, env) == c["plaintext"]
        if "ephemeral_secret_key" in c:
            plain = env[2:] if env.startswith("0x") else env
            plain = bytes.fromhex(plain).decode() if env.startswith("0x") else plain
            nonce = webapp.b64d(json.loads(plain)["nonce"])
            fn = webapp.encrypt_safely if c["safe"] else webapp.envelope_encrypt
            again = fn(webapp.encryption_public_key(sk), c["plaintext"], webapp.b64d(c["ephemeral_secret_key"]), nonce)
            assert (webapp.envelope_to_hex(again) if env.startswith("0x") else again) == env, c["id"]
    else:
        if c["expect"] in ("authentication_failure", "invalid_public_key"):
            try:
                one_shot(sk, env)
                raise AssertionError(c["id"])
            except nacl.exceptions.CryptoError:
                pass
        expect_error(c["expect"], webapp.decrypt_safely if c["safe"] else webapp.envelope_decrypt, sk, env)

write(NAME, "eth-sig-util x25519-xsalsa20-poly1305 envelopes (FORMATS.md 5) as eth_decrypt / decryptSafely take them, "
      "to the wallet's encryption public key.", implementation("PyNaCl", "pycryptodome"), cases)
