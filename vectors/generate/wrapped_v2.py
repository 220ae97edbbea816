"""vectors/wrapped_v2.json: wrapped NumerBay private key, scheme v2 (FORMATS.md 7)."""

import json

import nacl.exceptions
import nacl.public
import nacl.secret
from eth_account import Account
from eth_account.messages import encode_defunct

from _common import webapp, rng, implementation, eth_key, expect_error, write

NAME = "wrapped_v2"
r = rng(NAME)
b64 = webapp.b64e
cases = []

WALLET = eth_key(r)


def sig_fields(wallet: bytes, message: str, v01: bool) -> dict:
    sig = webapp.personal_sign(wallet, message.encode("utf-8"))
    used = webapp.signature_v01(sig) if v01 else sig
    return {"salt_message": message, "signature": sig, "storage_key_hex": webapp.storage_key(used).hex()}


def case(id_, comment, expect, wallet, stored, message=None, v01=False, nb_sk=None):
    c = {"id": id_, "comment": comment, "expect": expect, "eth_private_key": wallet.hex()}
    if message is not None:
        c.update(sig_fields(wallet, message, v01))
    c["stored"] = stored
    if nb_sk is not None:
        c["numerbay_private_key"] = b64(nb_sk)
        c["numerbay_public_key"] = b64(webapp.x25519_public_key(nb_sk))
    c["v01"] = v01
    cases.append(c)


def ok(id_, comment, wallet=WALLET, v01=False, salt_pred=lambda m: True, sig_v=None):
    while True:
        nb, salt, nonce = r.randbytes(32), r.randbytes(32), r.randbytes(24)
        message = webapp.salt_message(salt)
        sig = webapp.personal_sign(wallet, message.encode())
        if salt_pred(message) and (sig_v is None or int(sig[-2:], 16) == sig_v):
            break
    stored = webapp.wrap_v2(wallet, nb, salt, nonce, v01)
    case(id_, comment, "ok", wallet, stored, message, v01, nb)
    return stored, message, nb


def sealed_inner(wallet: bytes, inner: bytes, v01=False):
    """A stored string whose secretbox is authentic for `wallet` but holds `inner` as plaintext."""
    message = webapp.salt_message(r.randbytes(32))
    key = bytes.fromhex(sig_fields(wallet, message, v01)["storage_key_hex"])
    nonce = r.randbytes(24)
    data = b64(bytes(nacl.secret.SecretBox(key).encrypt(inner, nonce)))
    return webapp.js_stringify({"data": data, "salt": message}), message


stored1, msg1, nb1 = ok("random-1", "random key, signature v = 27", sig_v=27)
ok("random-2", "random key, signature v = 28", sig_v=28)
ok("salt-with-slash", "salt base64 contains '/', which the stored JSON keeps unescaped",
   salt_pred=lambda m: "/" in m.split("Salt:")[1])
ok("other-wallet", "random key, another wallet", wallet=eth_key(r))
ok("v01-v27", "stored made with the 0/1 signature form (v 27 -> 0), as some hardware wallets sign", v01=True, sig_v=27)
ok("v01-v28", "stored made with the 0/1 signature form (v 28 -> 1)", v01=True, sig_v=28)
o = json.loads(stored1)
case("reordered-escaped", "random-1's stored object with salt first, whitespace and '\\/' escapes: accepted",
     "ok", WALLET, json.dumps({"salt": o["salt"], "data": o["data"]}, indent=1).replace("/", "\\/"), msg1,
     False, nb1)
assert "\\/" in cases[-1]["stored"]

j = webapp.js_stringify
case("missing-data", "no data field", "format", WALLET, j({"salt": msg1}), msg1)
case("missing-salt", "no salt field", "format", WALLET, j({"data": o["data"]}))
case("salt-without-prefix", "salt is only 'Salt:' + base64, without the sentence and newlines", "format", WALLET,
     j({"data": o["data"], "salt": msg1[msg1.index("Salt:"):]}))
case("salt-crlf", "salt with \\r\\n instead of \\n newlines", "format", WALLET,
     j({"data": o["data"], "salt": msg1.replace("\n", "\r\n")}))
m31 = webapp.SALT_PREFIX + b64(r.randbytes(31))
case("salt-31-bytes", "salt base64 decodes to 31 bytes", "format", WALLET, j({"data": o["data"], "salt": m31}))
m33 = webapp.SALT_PREFIX + b64(r.randbytes(33))
case("salt-33-bytes", "salt base64 decodes to 33 bytes", "format", WALLET, j({"data": o["data"], "salt": m33}))
raw = webapp.b64d(o["data"])
case("data-39-bytes", "data decodes to 39 bytes: shorter than nonce (24) + tag (16)", "format", WALLET,
     j({"data": b64(raw[:39]), "salt": msg1}), msg1)
case("data-bad-base64", "data contains '*'", "format", WALLET, j({"data": "*" + o["data"][1:], "salt": msg1}), msg1)
case("not-json", "not JSON", "format", WALLET, "data=" + o["data"])
case("data-not-string", "data is a number", "format", WALLET, j({"data": 5, "salt": msg1}), msg1)
flipped = bytearray(raw)
flipped[30] ^= 1
case("tampered-data", "bit 0 of data's byte 30 (in the tag) flipped", "authentication_failure", WALLET,
     j({"data": b64(bytes(flipped)), "salt": msg1}), msg1)
case("salt-changed", "another valid salt: the signature, and so the key, differ", "authentication_failure", WALLET,
     j({"data": o["data"], "salt": (m := webapp.salt_message(r.randbytes(32)))}), m)
w2 = eth_key(r)
case("wrong-wallet", "random-1's stored string opened by another wallet", "authentication_failure", w2, stored1, msg1)
s, m = sealed_inner(WALLET, j({"key": b64(r.randbytes(32))}).encode())
case("inner-missing-data", "authentic box whose inner JSON has no data field", "format", WALLET, s, m)
s, m = sealed_inner(WALLET, j({"data": b64(r.randbytes(31))}).encode())
case("inner-key-31-bytes", "authentic box whose inner data decodes to 31 bytes", "format", WALLET, s, m)
s, m = sealed_inner(WALLET, j({"data": b64(r.randbytes(33))}).encode())
case("inner-key-33-bytes", "authentic box whose inner data decodes to 33 bytes", "format", WALLET, s, m)
s, m = sealed_inner(WALLET, b64(r.randbytes(32)).encode())
case("inner-not-json", "authentic box whose inner plaintext is bare base64, not JSON", "format", WALLET, s, m)
s, m = sealed_inner(WALLET, b'{"data":"' + b64(r.randbytes(32)).encode() + b'","x":"\xff"}')
case("inner-not-utf8", "authentic box whose inner plaintext has a 0xFF byte", "format", WALLET, s, m)


def one_shot_open(eth_sk: bytes, c: dict):
    obj = json.loads(c["stored"])
    sig = bytes(Account.sign_message(encode_defunct(text=obj["salt"]), eth_sk).signature)
    keys = [webapp.keccak256(sig), webapp.keccak256(sig[:64] + bytes([sig[64] - 27]))]
    for key in keys:
        try:
            return nacl.secret.SecretBox(key).decrypt(webapp.b64d(obj["data"])), keys.index(key)
        except nacl.exceptions.CryptoError:
            pass
    raise nacl.exceptions.CryptoError("no key opens it")


for c in cases:
    eth_sk = bytes.fromhex(c["eth_private_key"])
    if "salt_message" in c:
        signable = encode_defunct(text=c["salt_message"])
        sig = bytes.fromhex(c["signature"][2:])
        assert Account.recover_message(signable, signature=sig) == Account.from_key(eth_sk).address
        assert sig[64] in (27, 28)
        used = sig[:64] + bytes([sig[64] - 27]) if c["v01"] else sig
        assert webapp.keccak256(used).hex() == c["storage_key_hex"]
    if c["expect"] == "ok":
        inner, which = one_shot_open(eth_sk, c)
        assert which == (1 if c["v01"] else 0)
        assert json.loads(inner) == {"data": c["numerbay_private_key"]}
        assert bytes.fromhex(c["storage_key_hex"]) == [webapp.keccak256(bytes.fromhex(c["signature"][2:])),
                                                       webapp.keccak256(bytes.fromhex(webapp.signature_v01(
                                                           c["signature"])[2:]))][which]
        nb = webapp.unwrap_v2(eth_sk, c["stored"])
        assert b64(nb) == c["numerbay_private_key"]
        assert bytes(nacl.public.PrivateKey(nb).public_key) == webapp.b64d(c["numerbay_public_key"])
        obj = json.loads(c["stored"])
        data = webapp.b64d(obj["data"])
        salt = webapp.b64d(obj["salt"][len(webapp.SALT_PREFIX):])
        again = webapp.wrap_v2(eth_sk, nb, salt, data[:24], c["v01"])
        assert again == c["stored"] or c["id"] == "reordered-escaped", c["id"]
        assert json.loads(again) == obj
    else:
        if c["expect"] == "authentication_failure":
            try:
                one_shot_open(eth_sk, c)
                raise AssertionError(c["id"])
            except nacl.exceptions.CryptoError:
                pass
        expect_error(c["expect"], webapp.unwrap_v2, eth_sk, c["stored"])

write(NAME, "Wrapped NumerBay private key, scheme v2 (profile field encrypted_private_key_v2, FORMATS.md 7): "
      "secretbox under keccak256(personal_sign(salt message)).",
      implementation("PyNaCl", "eth-account", "eth-keys", "eth-hash"), cases)
