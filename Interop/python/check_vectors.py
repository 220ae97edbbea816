#!/usr/bin/env python3
"""Checks every vectors/*.json against independent implementations.

PyNaCl (libsodium), eth-account / eth-keys / eth-keyfile, eth-hash, the `mnemonic` package
(Trezor's BIP-39 code), hashlib and pycryptodome: never nbkey's Swift code. Positive
cases must reproduce the stored outputs exactly (cases with an ephemeral key are encrypted
again and compared byte for byte); negative cases must fail, and fail with the `expect` kind
(classified by webapp.py, which is built on the same libraries). Unknown or missing
top-level and case fields are failures too.

Usage: .venv/bin/python Interop/python/check_vectors.py [VECTORS_DIR]
Prints one line per failure and ends with `python: N passed, M failed` (N = cases that
passed, M = failed cases plus file-level failures); exits 1 if M > 0 or N == 0.
"""

from __future__ import annotations

import base64
import glob
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import unicodedata  # noqa: E402

import nacl.bindings  # noqa: E402
import nacl.pwhash  # noqa: E402
import nacl.exceptions  # noqa: E402
import nacl.public  # noqa: E402
import nacl.secret  # noqa: E402
from eth_account import Account  # noqa: E402
from eth_account.messages import encode_defunct, _hash_eip191_message  # noqa: E402
from eth_hash.auto import keccak  # noqa: E402
from eth_keys import keys as eth_keys  # noqa: E402
from mnemonic import Mnemonic  # noqa: E402

import webapp  # noqa: E402

TOP_FIELDS = {"operation", "description", "generator", "implementation", "cases"}
# Vector files that have a checker of their own, run beside this one by the test command.
OWN_CHECKER = {"wycheproof_x25519": "Interop/python/check_wycheproof.py"}
ID_RE = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")
HEX64_RE = re.compile(r"\A[0-9a-f]{64}\Z")
HEX_RE = re.compile(r"\A(?:[0-9a-f]{2})*\Z")
SIG_RE = re.compile(r"\A0x[0-9a-f]{130}\Z")

# Case fields per operation: (allowed expect values or None when the file has no negatives,
# {name: (type, presence)}). presence: "always"; "optional"; "ok" (present exactly when
# expect is "ok"); "ok-optional" (allowed only when expect is "ok"). Pairings such as
# "exactly one of json / json_b64" are enforced by the per-operation checks below.
S, I, B = str, int, bool
SCHEMAS = {
    "key_file": ({"ok", "format", "key_mismatch"}, {
        "json": (S, "optional"), "json_b64": (S, "optional"),
        "public_key": (S, "ok"), "private_key": (S, "ok"), "canonical": (B, "ok")}),
    "sealed_box": ({"ok", "format", "authentication_failure", "invalid_public_key"}, {
        "recipient_public_key": (S, "always"), "recipient_secret_key": (S, "always"),
        "ephemeral_secret_key": (S, "optional"),
        "plaintext_b64": (S, "ok-optional"), "plaintext_pattern_length": (I, "ok-optional"),
        "plaintext_sha256": (S, "ok"),
        "sealed_b64": (S, "optional"), "sealed_sha256": (S, "ok-optional")}),
    "encryption_public_key": (None, {
        "eth_private_key": (S, "always"), "encryption_public_key": (S, "always")}),
    "address": ({"ok", "invalid_key", "format"}, {
        "private_key_file": (S, "always"), "address": (S, "ok")}),
    "keccak256": (None, {"input_hex": (S, "always"), "digest_hex": (S, "always")}),
    "personal_sign": (None, {
        "eth_private_key": (S, "always"), "message_hex": (S, "always"),
        "digest_hex": (S, "always"), "signature": (S, "always")}),
    "eth_envelope": ({"ok", "format", "authentication_failure", "invalid_public_key", "unsupported_version"}, {
        "recipient_eth_private_key": (S, "always"), "safe": (B, "always"), "envelope": (S, "always"),
        "plaintext": (S, "ok"), "ephemeral_secret_key": (S, "ok-optional"),
        "padding_length": (I, "ok-optional")}),
    "encrypt_safely_padding": (None, {
        "data": (S, "always"), "unpadded_length": (I, "always"), "padding_length": (I, "always"),
        "eth_sig_util_throws": (B, "always")}),
    "wrapped_v1": ({"ok", "format", "authentication_failure"}, {
        "eth_private_key": (S, "always"), "stored": (S, "always"),
        "numerbay_private_key": (S, "ok"), "numerbay_public_key": (S, "ok"),
        "ephemeral_secret_key": (S, "ok-optional")}),
    "wrapped_v2": ({"ok", "format", "authentication_failure"}, {
        "eth_private_key": (S, "always"), "salt_message": (S, "optional"), "signature": (S, "optional"),
        "storage_key_hex": (S, "optional"), "stored": (S, "always"),
        "numerbay_private_key": (S, "ok"), "numerbay_public_key": (S, "ok"), "v01": (B, "always")}),
    "bip39": ({"ok", "format"}, {
        "mnemonic": (S, "always"), "passphrase": (S, "always"), "seed_hex": (S, "ok"),
        "entropy_hex": (S, "ok-optional"), "bad_word": (S, "optional")}),
    "mnemonic_account": (None, {
        "mnemonic": (S, "always"), "passphrase": (S, "always"), "derivation_path": (S, "always"),
        "eth_private_key": (S, "always"), "address": (S, "always")}),
    "keystore_v3": ({"ok", "wrong_password", "format", "unsupported", "kdf_limits"}, {
        "keystore": (S, "always"), "password": (S, "always"),
        "eth_private_key": (S, "ok"), "address": (S, "ok")}),
    "protected_key_file": ({"ok", "wrong_passphrase", "format", "kdf_limits", "key_mismatch"}, {
        "file": (S, "always"), "passphrase": (S, "always"),
        "public_key": (S, "ok"), "private_key": (S, "ok")}),
}


class CheckFailure(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise CheckFailure(msg)


def b64(text, length=None):
    return webapp.b64d(text, length)


def eth_key_hex(text):
    need(HEX64_RE.match(text), f"not 64 lowercase hex digits: {text!r}")
    return bytes.fromhex(text)


def fails_as(kind, fn, *args):
    """fn(*args) must raise a webapp error of this kind."""
    try:
        fn(*args)
    except webapp.WebappError as e:
        need(e.kind == kind, f"failed as {e.kind} ({e}), expected {kind}")
        return
    raise CheckFailure(f"accepted, expected {kind}")


def check_schema(op, case):
    expects, fields = SCHEMAS[op]
    base = {"id", "comment"} | ({"expect"} if expects else set())
    unknown = set(case) - base - set(fields)
    need(not unknown, f"unknown field(s) {sorted(unknown)}")
    need(isinstance(case.get("id"), str) and ID_RE.match(case["id"]), "id missing or not kebab-case")
    need(isinstance(case.get("comment"), str) and case["comment"] and "\n" not in case["comment"],
         "comment missing, empty or not one line")
    if expects:
        need(case.get("expect") in expects, f"expect {case.get('expect')!r} not one of {sorted(expects)}")
    is_ok = (case.get("expect", "ok") == "ok")
    for name, (typ, presence) in fields.items():
        present = name in case
        if present:
            v = case[name]
            need(type(v) is typ, f"field {name} is {type(v).__name__}, expected {typ.__name__}")
        if presence == "always":
            need(present, f"missing field {name}")
        elif presence == "ok":
            need(present == is_ok, f"field {name} must be present exactly when expect is ok")
        elif presence == "ok-optional":
            need(is_ok or not present, f"field {name} is only allowed when expect is ok")


# ---------------------------------------------------------------- per operation

def check_key_file(c):
    need(("json" in c) != ("json_b64" in c), "exactly one of json / json_b64")
    text = base64.b64decode(c["json_b64"], validate=True) if "json_b64" in c else c["json"]
    if c["expect"] == "ok":
        pk, sk = b64(c["public_key"], 32), b64(c["private_key"], 32)
        need(bytes(nacl.public.PrivateKey(sk).public_key) == pk, "public_key is not X25519(private_key)")
        obj = json.loads(text)
        need(obj["public_key"] == c["public_key"] and obj["private_key"] == c["private_key"],
             "keys in the text differ from the expected keys")
        need(webapp.keyfile_load(text) == (pk, sk), "loader gives other keys")
        export = json.dumps({"public_key": c["public_key"], "private_key": c["private_key"]},
                            separators=(",", ":"))
        need(c["canonical"] == (text == export), "canonical flag is wrong")
    else:
        fails_as(c["expect"], webapp.keyfile_load, text)


def pattern(n):
    return bytes(i % 251 for i in range(n))


def check_sealed_box(c):
    rpk, rsk = b64(c["recipient_public_key"], 32), b64(c["recipient_secret_key"], 32)
    need(bytes(nacl.public.PrivateKey(rsk).public_key) == rpk, "recipient key pair does not match")
    opener = nacl.public.SealedBox(nacl.public.PrivateKey(rsk))
    need(("sealed_b64" in c) != ("sealed_sha256" in c), "exactly one of sealed_b64 / sealed_sha256")
    if c["expect"] == "ok":
        need(("plaintext_b64" in c) != ("plaintext_pattern_length" in c),
             "exactly one of plaintext_b64 / plaintext_pattern_length")
        pt = b64(c["plaintext_b64"]) if "plaintext_b64" in c else pattern(c["plaintext_pattern_length"])
        need(hashlib.sha256(pt).hexdigest() == c["plaintext_sha256"], "plaintext_sha256 mismatch")
        if "sealed_sha256" in c:
            need("ephemeral_secret_key" in c, "sealed_sha256 needs ephemeral_secret_key")
        sealed = None
        if "ephemeral_secret_key" in c:
            sealed = webapp.seal(rpk, pt, b64(c["ephemeral_secret_key"], 32))
            if "sealed_sha256" in c:
                need(hashlib.sha256(sealed).hexdigest() == c["sealed_sha256"], "rebuilt box: sealed_sha256 mismatch")
            else:
                need(sealed == b64(c["sealed_b64"]), "rebuilt box differs from sealed_b64")
        if "sealed_b64" in c:
            sealed = b64(c["sealed_b64"])
        need(opener.decrypt(sealed) == pt, "SealedBox.decrypt gives another plaintext")
    else:
        need("ephemeral_secret_key" not in c, "negative case with ephemeral_secret_key")
        sealed = b64(c["sealed_b64"])
        try:
            opener.decrypt(sealed)
            raise CheckFailure("libsodium opened a negative case")
        except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError, nacl.exceptions.TypeError):
            pass
        fails_as(c["expect"], webapp.seal_open, rsk, sealed)


def check_encryption_public_key(c):
    k = eth_key_hex(c["eth_private_key"])
    need(1 <= int.from_bytes(k, "big") < webapp.SECP256K1_N, "not a valid secp256k1 key")
    need(nacl.bindings.crypto_scalarmult_base(k) == b64(c["encryption_public_key"], 32),
         "X25519 public key differs")


def check_address(c):
    text = c["private_key_file"]
    if c["expect"] == "ok":
        s = text.strip()
        s = s[2:] if s.startswith("0x") else s
        key = bytes.fromhex(s)
        need(len(key) == 32, "not 32 bytes")
        need(webapp.parse_private_key_file(text) == key, "private key file parsed differently")
        need(Account.from_key(key).address == c["address"], "eth-account gives another address")
        need(eth_keys.PrivateKey(key).public_key.to_checksum_address() == c["address"],
             "eth-keys gives another address")
    else:
        fails_as(c["expect"], webapp.parse_private_key_file, text)


def check_keccak256(c):
    need(HEX_RE.match(c["input_hex"]) and HEX64_RE.match(c["digest_hex"]), "bad hex")
    need(keccak(bytes.fromhex(c["input_hex"])).hex() == c["digest_hex"], "eth-hash gives another digest")


def check_personal_sign(c):
    key = eth_key_hex(c["eth_private_key"])
    need(HEX_RE.match(c["message_hex"]) and HEX64_RE.match(c["digest_hex"]), "bad hex")
    need(SIG_RE.match(c["signature"]), "signature is not 0x + 130 lowercase hex")
    msg = bytes.fromhex(c["message_hex"])
    digest = keccak(b"\x19Ethereum Signed Message:\n" + str(len(msg)).encode() + msg)
    need(digest.hex() == c["digest_hex"], "digest differs")
    signable = encode_defunct(primitive=msg)
    need(_hash_eip191_message(signable) == digest, "eth-account hashes the message differently")
    sig = bytes(Account.sign_message(signable, key).signature)
    need("0x" + sig.hex() == c["signature"], "eth-account gives another signature")
    need(Account.recover_message(signable, signature=bytes.fromhex(c["signature"][2:]))
         == Account.from_key(key).address, "signature does not recover the signer")


def _open_envelope_one_shot(eth_sk, envelope):
    if envelope.startswith("0x"):
        envelope = bytes.fromhex(envelope[2:]).decode("utf-8")
    obj = json.loads(envelope)
    need(obj["version"] == "x25519-xsalsa20-poly1305", "version")
    box = nacl.public.Box(nacl.public.PrivateKey(eth_sk), nacl.public.PublicKey(b64(obj["ephemPublicKey"], 32)))
    return box.decrypt(b64(obj["ciphertext"]), b64(obj["nonce"], 24)), obj


def check_eth_envelope(c):
    sk = eth_key_hex(c["recipient_eth_private_key"])
    env = c["envelope"]
    if c["expect"] == "ok":
        need(c["safe"] == ("padding_length" in c), "padding_length is present exactly for safe positives")
        raw, obj = _open_envelope_one_shot(sk, env)
        text = raw.decode("utf-8")
        if c["safe"]:
            inner = json.loads(text)
            need(inner["data"] == c["plaintext"], "decryptSafely .data differs")
            need(inner.get("padding") == "0" * c["padding_length"], "padding differs from padding_length")
            need(c["padding_length"] == webapp.safe_padding_length(c["plaintext"]), "padding_length is not nbkey's")
            need(webapp.decrypt_safely(sk, env) == c["plaintext"], "webapp.decrypt_safely differs")
        else:
            need(text == c["plaintext"], "plaintext differs")
            need(webapp.envelope_decrypt(sk, env) == c["plaintext"], "webapp.envelope_decrypt differs")
        if "ephemeral_secret_key" in c:
            esk = b64(c["ephemeral_secret_key"], 32)
            inner_text = webapp.safe_plaintext(c["plaintext"]) if c["safe"] else c["plaintext"]
            box = nacl.public.Box(nacl.public.PrivateKey(esk),
                                  nacl.public.PublicKey(nacl.bindings.crypto_scalarmult_base(sk)))
            nonce = b64(obj["nonce"], 24)
            again = json.dumps({"version": "x25519-xsalsa20-poly1305", "nonce": obj["nonce"],
                                "ephemPublicKey": webapp.b64e(nacl.bindings.crypto_scalarmult_base(esk)),
                                "ciphertext": webapp.b64e(box.encrypt(inner_text.encode("utf-8"), nonce).ciphertext)},
                               separators=(",", ":"))
            if env.startswith("0x"):
                again = "0x" + again.encode("utf-8").hex()
            need(again == env, "re-encryption with ephemeral_secret_key differs from envelope")
    else:
        need("padding_length" not in c, "padding_length on a negative case")
        if c["expect"] in ("authentication_failure", "invalid_public_key"):
            try:
                _open_envelope_one_shot(sk, env)
                raise CheckFailure("libsodium opened a negative case")
            except nacl.exceptions.CryptoError:
                pass
        fails_as(c["expect"], webapp.decrypt_safely if c["safe"] else webapp.envelope_decrypt, sk, env)


def check_encrypt_safely_padding(c):
    data = c["data"]
    L = len(json.dumps({"data": data, "padding": ""}, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    need(L == c["unpadded_length"], f"unpadded_length is {c['unpadded_length']}, computed {L}")
    mod = L % 2048
    count = 0 if mod == 0 else 2048 - mod - 16
    need(c["eth_sig_util_throws"] == (count < 0), "eth_sig_util_throws is wrong")
    need(c["padding_length"] == (count + 2048 if count < 0 else count), "padding_length is wrong")
    if mod:
        need((L + c["padding_length"] + 16) % 2048 == 0, "padded box output is not a multiple of 2048")


def check_wrapped_v1(c):
    sk = eth_key_hex(c["eth_private_key"])
    if c["expect"] == "ok":
        raw, obj = _open_envelope_one_shot(sk, c["stored"])
        nb = b64(c["numerbay_private_key"], 32)
        need(raw.decode("ascii") == ",".join(str(b) for b in nb), "decimal list differs")
        need(bytes(nacl.public.PrivateKey(nb).public_key) == b64(c["numerbay_public_key"], 32),
             "numerbay_public_key does not match")
        need(webapp.unwrap_v1(sk, c["stored"]) == nb, "webapp.unwrap_v1 differs")
        if "ephemeral_secret_key" in c:
            again = webapp.wrap_v1(sk, nb, b64(c["ephemeral_secret_key"], 32), b64(obj["nonce"], 24))
            need(again == c["stored"], "re-wrapping with ephemeral_secret_key differs from stored")
    else:
        if c["expect"] == "authentication_failure":
            try:
                _open_envelope_one_shot(sk, c["stored"])
                raise CheckFailure("libsodium opened a negative case")
            except nacl.exceptions.CryptoError:
                pass
        fails_as(c["expect"], webapp.unwrap_v1, sk, c["stored"])


def check_wrapped_v2(c):
    sk = eth_key_hex(c["eth_private_key"])
    trio = [k in c for k in ("salt_message", "signature", "storage_key_hex")]
    need(all(trio) or not any(trio), "salt_message, signature, storage_key_hex go together")
    if all(trio):
        signable = encode_defunct(text=c["salt_message"])
        sig = bytes(Account.sign_message(signable, sk).signature)
        need(SIG_RE.match(c["signature"]) and "0x" + sig.hex() == c["signature"], "signature differs")
        used = sig[:64] + bytes([sig[64] - 27]) if c["v01"] else sig
        need(keccak(used).hex() == c["storage_key_hex"], "storage_key_hex differs")
    if c["expect"] == "ok":
        need(all(trio), "positive case without salt_message/signature/storage_key_hex")
        obj = json.loads(c["stored"])
        need(obj["salt"] == c["salt_message"], "salt_message differs from the stored salt")
        inner = nacl.secret.SecretBox(bytes.fromhex(c["storage_key_hex"])).decrypt(b64(obj["data"]))
        need(json.loads(inner.decode("utf-8")) == {"data": c["numerbay_private_key"]}, "inner JSON differs")
        nb = b64(c["numerbay_private_key"], 32)
        need(bytes(nacl.public.PrivateKey(nb).public_key) == b64(c["numerbay_public_key"], 32),
             "numerbay_public_key does not match")
        need(webapp.unwrap_v2(sk, c["stored"]) == nb, "webapp.unwrap_v2 differs")
        data = b64(obj["data"])
        salt = b64(obj["salt"][len(webapp.SALT_PREFIX):], 32)
        again = webapp.wrap_v2(sk, nb, salt, data[:24], c["v01"])
        need(json.loads(again) == obj, "re-wrapping gives another object")
        if c["stored"] == json.dumps(obj, separators=(",", ":"), ensure_ascii=False):
            need(again == c["stored"], "re-wrapping differs byte for byte")
    else:
        need(not c["v01"], "v01 on a negative case")
        fails_as(c["expect"], webapp.unwrap_v2, sk, c["stored"])


# ---------------------------------------------------------------- wallet sources, protected key files

BIP39 = Mnemonic("english")
HEX128_RE = re.compile(r"\A[0-9a-f]{128}\Z")


# White space or ASCII punctuation (all but letters, digits and _) separates words.
_WORD_SEPARATORS = re.compile(r"[\s!-/:-@\[-^`{-~]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _nfkd_words(text):
    """MetaMask's import: lower case, then the runs of \\w (non-ASCII characters stay in their word)."""
    return [w.translate(_ASCII_LOWER) for w in _WORD_SEPARATORS.split(unicodedata.normalize("NFKD", text)) if w]


def check_bip39(c):
    words = " ".join(_nfkd_words(c["mnemonic"]))
    if c["expect"] == "ok":
        need("bad_word" not in c, "bad_word on a positive case")
        need(HEX128_RE.match(c["seed_hex"]), "seed_hex is not 128 lowercase hex digits")
        need(BIP39.check(words), "mnemonic package: checksum or words invalid")
        seed = hashlib.pbkdf2_hmac("sha512", words.encode("utf-8"),
                                   ("mnemonic" + unicodedata.normalize("NFKD", c["passphrase"])).encode("utf-8"), 2048)
        need(seed.hex() == c["seed_hex"], "hashlib PBKDF2 gives another seed")
        need(Mnemonic.to_seed(words, c["passphrase"]).hex() == c["seed_hex"], "mnemonic package gives another seed")
        need(webapp.bip39_seed(c["mnemonic"], c["passphrase"]).hex() == c["seed_hex"], "webapp.bip39_seed differs")
        if "entropy_hex" in c:
            need(bytes(BIP39.to_entropy(words)).hex() == c["entropy_hex"], "entropy differs")
            need(BIP39.to_mnemonic(bytes.fromhex(c["entropy_hex"])) == words, "entropy gives other words")
    else:
        need(not BIP39.check(words), "mnemonic package accepts a negative case")
        fails_as("format", webapp.bip39_seed, c["mnemonic"], c["passphrase"])
        try:
            webapp.bip39_entropy(c["mnemonic"])
        except webapp.FormatError as e:
            need(getattr(e, "bad_word", None) == c.get("bad_word"),
                 f"first unknown word is {getattr(e, 'bad_word', None)!r}, bad_word says {c.get('bad_word')!r}")
        if "bad_word" in c:
            need(c["bad_word"] in _nfkd_words(c["mnemonic"]) and c["bad_word"] not in BIP39.wordlist,
                 "bad_word is not an unknown word of the mnemonic")


def check_mnemonic_account(c):
    key = eth_key_hex(c["eth_private_key"])
    words = " ".join(_nfkd_words(c["mnemonic"]))
    need(BIP39.check(words), "mnemonic package: invalid mnemonic")
    Account.enable_unaudited_hdwallet_features()
    acct = Account.from_mnemonic(words, passphrase=c["passphrase"], account_path=c["derivation_path"])
    need(bytes(acct.key) == key, "eth-account derives another key")
    need(acct.address == c["address"], "eth-account gives another address")
    need(webapp.bip32_derive(Mnemonic.to_seed(words, c["passphrase"]), c["derivation_path"]) == key,
         "BIP-32 model (hmac + eth-keys) derives another key")
    need(eth_keys.PrivateKey(key).public_key.to_checksum_address() == c["address"], "eth-keys gives another address")


def check_keystore_v3(c):
    text, pw = c["keystore"], c["password"]
    if c["expect"] == "ok":
        key = eth_key_hex(c["eth_private_key"])
        need(bytes(Account.decrypt(json.loads(text), pw)) == key, "eth-account decrypts another key")
        need(webapp.keystore_decrypt(text, pw) == key, "webapp.keystore_decrypt gives another key")
        need(Account.from_key(key).address == c["address"], "address differs")
    else:
        if c["expect"] == "wrong_password":
            try:
                Account.decrypt(json.loads(text), pw)
                raise CheckFailure("eth-account opened a wrong_password case")
            except ValueError as e:
                need("MAC mismatch" in str(e), f"eth-account fails otherwise: {e}")
        fails_as(c["expect"], webapp.keystore_decrypt, text, pw)


def check_protected_key_file(c):
    text, pp = c["file"], c["passphrase"]
    if c["expect"] == "ok":
        pk, sk = b64(c["public_key"], 32), b64(c["private_key"], 32)
        need(bytes(nacl.public.PrivateKey(sk).public_key) == pk, "key pair does not match")
        o = json.loads(text)
        key = nacl.pwhash.argon2id.kdf(32, pp.encode("utf-8"), b64(o["salt"], 16),
                                       opslimit=o["opslimit"], memlimit=o["memlimit"])
        inner = nacl.secret.SecretBox(key).decrypt(b64(o["ciphertext"]), b64(o["nonce"], 24))
        need(webapp.keyfile_load(inner) == (pk, sk), "the inner key file holds other keys")
        need(o["public_key"] == c["public_key"], "outer public_key differs")
        need(webapp.unprotect(text, pp) == inner.decode("utf-8"), "webapp.unprotect differs")
    else:
        fails_as(c["expect"], webapp.unprotect, text, pp)


CHECKS = {name[len("check_"):]: fn for name, fn in globals().items() if name.startswith("check_")
          and name != "check_schema"}


def main(argv):
    vdir = argv[1] if len(argv) > 1 else os.path.join(ROOT, "vectors")
    passed = failed = 0

    def fail(where, msg):
        nonlocal failed
        failed += 1
        print(f"FAIL {where}: {msg}")

    files = sorted(glob.glob(os.path.join(vdir, "*.json")))
    if not files:
        fail(vdir, "no vector files")
    seen = set()
    for path in files:
        fname = os.path.basename(path)
        seen.add(fname[:-len(".json")])
        try:
            with open(path, "rb") as f:
                doc = json.loads(f.read().decode("utf-8"))
        except (OSError, ValueError) as e:
            fail(fname, f"cannot load: {e}")
            continue
        if not isinstance(doc, dict) or set(doc) != TOP_FIELDS:
            fail(fname, f"top-level fields must be exactly {sorted(TOP_FIELDS)}, got "
                        f"{sorted(doc) if isinstance(doc, dict) else type(doc).__name__}")
            continue
        op = doc["operation"]
        if op in OWN_CHECKER and fname == op + ".json":
            continue  # checked, with the same rules, by its own script
        if op not in SCHEMAS or fname != op + ".json":
            fail(fname, f"unknown operation {op!r} or file name does not match it")
            continue
        if doc["generator"] != f"vectors/generate/{op}.py" or not os.path.isfile(
                os.path.join(os.path.dirname(os.path.abspath(vdir)), doc["generator"])):
            fail(fname, f"generator {doc['generator']!r} is not vectors/generate/{op}.py or is missing")
        if not (isinstance(doc["description"], str) and doc["description"]
                and isinstance(doc["implementation"], str) and doc["implementation"]):
            fail(fname, "description and implementation must be non-empty strings")
        if not isinstance(doc["cases"], list) or not doc["cases"]:
            fail(fname, "cases must be a non-empty list")
            continue
        ids = set()
        for i, case in enumerate(doc["cases"]):
            cid = case.get("id") if isinstance(case, dict) else None
            where = f"{op}/{cid if isinstance(cid, str) else '#' + str(i)}"
            try:
                need(isinstance(case, dict), "case is not an object")
                check_schema(op, case)
                need(cid not in ids, "duplicate id")
                ids.add(cid)
                CHECKS[op](case)
            except Exception as e:  # any error in a case is that case's failure
                fail(where, f"{type(e).__name__ + ': ' if not isinstance(e, CheckFailure) else ''}{e}")
                continue
            passed += 1
    for op in sorted(set(SCHEMAS) - seen):
        fail(f"{op}.json", "missing")
    print(f"python: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
