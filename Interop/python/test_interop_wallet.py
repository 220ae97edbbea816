"""Interop of nbkey's wallet commands (FORMATS.md sections 4-8) with eth-account, PyNaCl and
webapp.py (the reference model of the NumerBay web app's formats).

Every Ethereum private key is random per run and reaches nbkey only through
--private-key-file, never argv."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
from types import SimpleNamespace

import nacl.exceptions
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from nacl.public import Box, PrivateKey, PublicKey
from nacl.secret import SecretBox

import webapp
from conftest import (KEYFILE_RE, SECP256K1_N, assert_failed, b64, file_mode, random_eth_key,
                      secret_forms, unb64, write_secret)

ENVELOPE_RE = re.compile(
    r'\{"version":"x25519-xsalsa20-poly1305","nonce":"([A-Za-z0-9+/=]+)",'
    r'"ephemPublicKey":"([A-Za-z0-9+/=]+)","ciphertext":"([A-Za-z0-9+/=]*)"\}')
V2_RE = re.compile(
    r'\{"data":"([A-Za-z0-9+/=]+)","salt":"Sign this to retrieve your encryption key\.\\n\\n'
    r'Salt:([A-Za-z0-9+/]{43}=)"\}')

MESSAGES = [
    pytest.param(b"", id="empty"),
    pytest.param(b"Hello, NumerBay!", id="ascii"),
    pytest.param("Grüße, 世界 🌍 — ключ\n\"quoted\"\\".encode(), id="unicode"),
    pytest.param(os.urandom(10 * 1024), id="10KB-random-bytes"),
    pytest.param(webapp.salt_message(os.urandom(32)).encode(), id="salt-message"),
]

TEXTS = [
    pytest.param("", id="empty"),
    pytest.param("hello", id="ascii"),
    pytest.param("Grüße, 世界 🌍 \"q\" \\ / \n\t\r\x01\x1f\x7f \u2028", id="unicode-escapes"),
    pytest.param("x" * 10000, id="10000-chars"),
    # L = len('{"data":"","padding":""}') + 2016 = 2040: L mod 2048 > 2032, where
    # eth-sig-util's encryptSafely throws; the better behaviour pads to the next multiple.
    pytest.param("y" * 2016, id="safe-overflow-2016"),
    pytest.param("z" * 2024, id="safe-exact-2048"),
]


def keyfile_json(sk: bytes) -> bytes:
    return webapp.keyfile_json(webapp.x25519_public_key(sk), sk).encode()


def make_wallet(tmp_path, eth_sk: bytes | None = None, form: str = "0x{}\n", name="wallet.key"):
    eth_sk = eth_sk if eth_sk is not None else random_eth_key()
    path = write_secret(tmp_path / name, form.format(eth_sk.hex()))
    return SimpleNamespace(sk=eth_sk, path=path, address=Account.from_key(eth_sk).address,
                           enc_pk=webapp.encryption_public_key(eth_sk),
                           leaks=secret_forms(eth_sk))


@pytest.fixture
def wallet(tmp_path):
    return make_wallet(tmp_path)


@pytest.fixture
def nb_key(tmp_path):
    """A random NumerBay key pair (PyNaCl) and its export-form key file."""
    sk = os.urandom(32)
    path = write_secret(tmp_path / "numerbay.json", keyfile_json(sk))
    return SimpleNamespace(sk=sk, pk=webapp.x25519_public_key(sk), path=path,
                           leaks=secret_forms(sk))


def expect_keyfile(path, sk: bytes):
    raw = path.read_bytes()
    assert raw == keyfile_json(sk), f"key file not byte-exact export form:\n{raw!r}\n{keyfile_json(sk)!r}"
    assert KEYFILE_RE.fullmatch(raw)
    assert file_mode(path) == 0o600, oct(file_mode(path))


# ------------------------------------------------------------------------------------------
# address / encryption public key
# ------------------------------------------------------------------------------------------

KEY_FORMS = [
    pytest.param("{}", id="plain"),
    pytest.param("0x{}", id="0x"),
    pytest.param("0x{}\n", id="0x-newline"),
    pytest.param("{}\n", id="newline"),
    pytest.param("  0x{}  \r\n\n", id="surrounding-whitespace"),
]

EDGE_KEYS = [
    pytest.param(None, id="random1"),
    pytest.param(None, id="random2"),
    pytest.param((1).to_bytes(32, "big"), id="k=1"),
    pytest.param((SECP256K1_N - 1).to_bytes(32, "big"), id="k=n-1"),
    pytest.param(bytes([0]) + os.urandom(31), id="leading-zero-byte"),
]


@pytest.mark.parametrize("form", KEY_FORMS)
def test_address_and_encryption_key_key_file_forms(nbkey, tmp_path, form):
    w = make_wallet(tmp_path, form=form)
    r = nbkey.ok("wallet", "address", "--private-key-file", w.path)
    assert r.stdout == (w.address + "\n").encode(), r.describe()
    r2 = nbkey.ok("wallet", "encryption-public-key", "--private-key-file", w.path)
    assert r2.stdout == (w.enc_pk + "\n").encode(), r2.describe()
    for res in (r, r2):
        for leak in w.leaks:
            assert leak not in res.stdout and leak not in res.stderr


@pytest.mark.parametrize("eth_sk", EDGE_KEYS)
def test_address_and_encryption_key_edge_keys(nbkey, tmp_path, eth_sk):
    w = make_wallet(tmp_path, eth_sk)
    assert nbkey.ok("wallet", "address", "--private-key-file", w.path).stdout \
        == (w.address + "\n").encode()
    pk = bytes(PrivateKey(w.sk).public_key)  # PyNaCl, the eth key used as-is as X25519 secret
    assert nbkey.ok("wallet", "encryption-public-key", "--private-key-file", w.path).stdout \
        == (b64(pk) + "\n").encode()


def test_address_uppercase_hex_key_file(nbkey, tmp_path):
    """`64 hex` digits: a key file in upper case hex is still hex."""
    w = make_wallet(tmp_path)
    write_secret(w.path, "0x" + w.sk.hex().upper())
    assert nbkey.ok("wallet", "address", "--private-key-file", w.path).stdout \
        == (w.address + "\n").encode()


# ------------------------------------------------------------------------------------------
# personal_sign
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("msg", MESSAGES)
@pytest.mark.parametrize("via", ["file", "stdin"])
def test_sign_message_matches_eth_account(nbkey, tmp_path, wallet, msg, via):
    expected = bytes(Account.sign_message(encode_defunct(primitive=msg), wallet.sk).signature)
    if via == "file":
        src = tmp_path / "msg.bin"
        src.write_bytes(msg)
        r = nbkey.ok("wallet", "sign-message", "--private-key-file", wallet.path, src)
    else:
        r = nbkey.ok("wallet", "sign-message", "--private-key-file", wallet.path, "-", input=msg)
    assert re.fullmatch(rb"0x[0-9a-f]{130}\n", r.stdout), r.describe()
    got = bytes.fromhex(r.stdout[2:-1].decode())
    assert got == expected, f"signature differs:\n expected 0x{expected.hex()}\n got      0x{got.hex()}"
    assert got[64] in (27, 28)
    assert int.from_bytes(got[32:64], "big") <= SECP256K1_N // 2, "s must be low"
    assert Account.recover_message(encode_defunct(primitive=msg), signature=got) == wallet.address
    assert webapp.personal_sign(wallet.sk, msg) == "0x" + got.hex()


# ------------------------------------------------------------------------------------------
# eth-sig-util envelopes
# ------------------------------------------------------------------------------------------

def open_envelope(eth_sk: bytes, text: str) -> bytes:
    """Independent opening with PyNaCl Box directly (no webapp)."""
    m = ENVELOPE_RE.fullmatch(text)
    assert m, f"not the exact JSON.stringify envelope form: {text!r}"
    nonce, epk, ct = (unb64(g) for g in m.groups())
    assert len(nonce) == 24 and len(epk) == 32 and len(ct) >= 16
    return Box(PrivateKey(eth_sk), PublicKey(epk)).decrypt(ct, nonce)


@pytest.mark.parametrize("text", TEXTS)
def test_wallet_encrypt_plain_opened_by_pynacl_and_webapp(nbkey, tmp_path, wallet, text):
    src = tmp_path / "in.txt"
    src.write_bytes(text.encode())
    r = nbkey.ok("wallet", "encrypt", "--to", wallet.enc_pk, src)
    assert r.stdout.endswith(b"\n") and not r.stdout.endswith(b"\n\n"), r.describe()
    env = r.stdout[:-1].decode()
    assert open_envelope(wallet.sk, env) == text.encode()
    assert webapp.envelope_decrypt(wallet.sk, env) == text


@pytest.mark.parametrize("text", TEXTS)
def test_wallet_encrypt_safe_opened_by_webapp(nbkey, tmp_path, wallet, text):
    r = nbkey.ok("wallet", "encrypt", "--to", wallet.enc_pk, "--safe", "-", input=text.encode())
    env = r.stdout[:-1].decode()
    inner = open_envelope(wallet.sk, env)
    ct_len = len(unb64(ENVELOPE_RE.fullmatch(env).group(3)))
    unpadded = len(webapp.js_stringify({"data": text, "padding": ""}).encode())
    if unpadded % 2048:
        assert ct_len % 2048 == 0, f"safe box output is {ct_len} bytes, not a multiple of 2048"
    else:
        # eth-sig-util adds no padding when L mod 2048 == 0, so box output is L + 16
        assert ct_len == unpadded + 16, ct_len
    assert inner.decode() == webapp.safe_plaintext(text), "padding differs from encryptSafely"
    assert webapp.decrypt_safely(wallet.sk, env) == text


@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
def test_wallet_encrypt_hex_opened_by_webapp(nbkey, wallet, safe):
    text = "hex form ✓ " + secrets.token_hex(20)
    args = ["wallet", "encrypt", "--to", wallet.enc_pk, "--hex"] + (["--safe"] if safe else []) + ["-"]
    r = nbkey.ok(*args, input=text.encode())
    out = r.stdout.decode()
    assert re.fullmatch(r"0x[0-9a-f]+\n", out), r.describe()
    env = bytes.fromhex(out[2:-1]).decode()
    assert ENVELOPE_RE.fullmatch(env), env
    if safe:
        assert webapp.decrypt_safely(wallet.sk, out.strip()) == text
    else:
        assert webapp.envelope_decrypt(wallet.sk, out.strip()) == text


def test_wallet_encrypt_fresh_randomness(nbkey, wallet):
    a = nbkey.ok("wallet", "encrypt", "--to", wallet.enc_pk, "-", input=b"same").stdout
    b = nbkey.ok("wallet", "encrypt", "--to", wallet.enc_pk, "-", input=b"same").stdout
    ma, mb = ENVELOPE_RE.fullmatch(a[:-1].decode()), ENVELOPE_RE.fullmatch(b[:-1].decode())
    assert ma.group(1) != mb.group(1), "nonce must be random"
    assert ma.group(2) != mb.group(2), "ephemeral key must be fresh"


def test_wallet_encrypt_rejects_non_utf8(nbkey, tmp_path, wallet):
    assert_failed(nbkey("wallet", "encrypt", "--to", wallet.enc_pk, "-", input=b"ok \xff\xfe no"))


@pytest.mark.parametrize("to", ["not base64!", b64(os.urandom(31)), ""], ids=["not-b64", "31-bytes", "empty"])
def test_wallet_encrypt_bad_recipient(nbkey, to):
    assert_failed(nbkey("wallet", "encrypt", "--to", to, "-", input=b"hello"), code=None)


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("form", ["json-file", "json-stdin-whitespace", "hex-file", "hex-stdin"])
def test_webapp_envelope_opened_by_nbkey(nbkey, tmp_path, wallet, text, form):
    env = webapp.envelope_encrypt(wallet.enc_pk, text)
    payload = webapp.envelope_to_hex(env) if form.startswith("hex") else env
    if form.endswith("file"):
        src = tmp_path / "env.txt"
        src.write_text(payload)
        r = nbkey.ok("wallet", "decrypt", "--private-key-file", wallet.path, src)
    else:
        r = nbkey.ok("wallet", "decrypt", "--private-key-file", wallet.path, "-",
                     input=("\n  " + payload + " \r\n\n").encode())
    assert r.stdout == text.encode(), r.describe()


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("hexform", [False, True], ids=["json", "hex"])
def test_webapp_encrypt_safely_opened_by_nbkey(nbkey, wallet, text, hexform):
    env = webapp.encrypt_safely(wallet.enc_pk, text)
    payload = webapp.envelope_to_hex(env) if hexform else env
    r = nbkey.ok("wallet", "decrypt", "--private-key-file", wallet.path, "--safe", "-",
                 input=payload.encode())
    assert r.stdout == text.encode(), r.describe()


# ------------------------------------------------------------------------------------------
# Wrapped keys, scheme v1
# ------------------------------------------------------------------------------------------

def test_nbkey_wrap_v1_opened_by_webapp(nbkey, wallet, nb_key):
    r = nbkey.ok("wrap", "--key", nb_key.path, "--scheme", "v1", "--private-key-file", wallet.path)
    assert r.stdout.endswith(b"\n") and not r.stdout.endswith(b"\n\n"), r.describe()
    stored = r.stdout[:-1].decode()
    # the plaintext is exactly Uint8Array.prototype.toString()
    assert open_envelope(wallet.sk, stored) == ",".join(str(x) for x in nb_key.sk).encode()
    assert webapp.unwrap_v1(wallet.sk, stored) == nb_key.sk
    for leak in nb_key.leaks + wallet.leaks:
        assert leak not in r.stdout and leak not in r.stderr


@pytest.mark.parametrize("via", ["file", "stdin", "profile", "profile-extra-fields"])
def test_webapp_wrap_v1_unwrapped_by_nbkey(nbkey, tmp_path, wallet, nb_key, via):
    stored = webapp.wrap_v1(wallet.sk, nb_key.sk)
    out = tmp_path / "restored.json"
    if via == "profile":
        payload = json.dumps({"public_key": b64(nb_key.pk), "encrypted_private_key": stored})
    elif via == "profile-extra-fields":
        payload = json.dumps({"id": 7, "username": "seller", "public_key": b64(nb_key.pk),
                              "encrypted_private_key": stored, "public_key_v2": None,
                              "encrypted_private_key_v2": None}, indent=2)
    else:
        payload = stored
    if via == "stdin":
        r = nbkey.ok("unwrap", "--private-key-file", wallet.path, "-", "-o", out,
                     input=(payload + "\n").encode())
    else:
        src = tmp_path / "stored.txt"
        src.write_text(payload)
        r = nbkey.ok("unwrap", "--private-key-file", wallet.path, src, "-o", out)
    expect_keyfile(out, nb_key.sk)
    for leak in nb_key.leaks + wallet.leaks:
        assert leak not in r.stdout and leak not in r.stderr


def test_nbkey_wrap_v1_roundtrip_nbkey_unwrap(nbkey, tmp_path, wallet, nb_key):
    stored = nbkey.ok("wrap", "--key", nb_key.path, "--scheme", "v1",
                      "--private-key-file", wallet.path).stdout
    out = tmp_path / "back.json"
    nbkey.ok("unwrap", "--private-key-file", wallet.path, "-", "-o", out, input=stored)
    expect_keyfile(out, nb_key.sk)


def test_unwrap_v1_profile_public_key_mismatch_fails(nbkey, tmp_path, wallet, nb_key):
    stored = webapp.wrap_v1(wallet.sk, nb_key.sk)
    other_pk = webapp.x25519_public_key(os.urandom(32))
    src, out = tmp_path / "profile.json", tmp_path / "restored.json"
    src.write_text(json.dumps({"public_key": b64(other_pk), "encrypted_private_key": stored}))
    assert_failed(nbkey("unwrap", "--private-key-file", wallet.path, src, "-o", out),
                  out=out, leaked=nb_key.leaks + wallet.leaks)


def test_unwrap_v1_wrong_wallet_fails(nbkey, tmp_path, wallet, nb_key):
    other = make_wallet(tmp_path, name="other.key")
    src, out = tmp_path / "stored.txt", tmp_path / "restored.json"
    src.write_text(webapp.wrap_v1(wallet.sk, nb_key.sk))
    assert_failed(nbkey("unwrap", "--private-key-file", other.path, src, "-o", out),
                  out=out, leaked=other.leaks)


@pytest.mark.parametrize("plain", [
    "1,2,3",
    ",".join(["1"] * 31 + ["256"]),
    ",".join(["1"] * 31 + ["-1"]),
    ",".join(["1"] * 33),
    ",".join(["1"] * 31 + [""]),
    ",".join(["1"] * 31 + ["0x1"]),
], ids=["3-numbers", "256", "negative", "33-numbers", "empty-item", "hex-item"])
def test_unwrap_v1_bad_decimal_list_fails(nbkey, tmp_path, wallet, plain):
    src, out = tmp_path / "stored.txt", tmp_path / "restored.json"
    src.write_text(webapp.envelope_encrypt(wallet.enc_pk, plain))
    assert_failed(nbkey("unwrap", "--private-key-file", wallet.path, src, "-o", out), out=out,
                  leaked=wallet.leaks)


# ------------------------------------------------------------------------------------------
# Wrapped keys, scheme v2
# ------------------------------------------------------------------------------------------

def test_nbkey_wrap_v2_opened_by_webapp_and_by_hand(nbkey, wallet, nb_key):
    r = nbkey.ok("wrap", "--key", nb_key.path, "--scheme", "v2", "--private-key-file", wallet.path)
    assert r.stdout.endswith(b"\n") and not r.stdout.endswith(b"\n\n"), r.describe()
    stored = r.stdout[:-1].decode()
    m = V2_RE.fullmatch(stored)
    assert m, f"not the exact v2 stored form: {stored!r}"
    assert len(unb64(m.group(2))) == 32
    assert webapp.unwrap_v2(wallet.sk, stored) == nb_key.sk
    # by hand: eth-account personal_sign (v = 27/28) -> keccak256 -> secretbox
    salt = json.loads(stored)["salt"]
    sig = bytes(Account.sign_message(encode_defunct(text=salt), wallet.sk).signature)
    key = webapp.keccak256(sig)
    blob = unb64(m.group(1))
    inner = SecretBox(key).decrypt(blob[24:], blob[:24])
    assert inner == ('{"data":"%s"}' % b64(nb_key.sk)).encode()
    for leak in nb_key.leaks + wallet.leaks:
        assert leak not in r.stdout and leak not in r.stderr


def test_nbkey_wrap_v2_fresh_salt(nbkey, wallet, nb_key):
    a = nbkey.ok("wrap", "--key", nb_key.path, "--scheme", "v2", "--private-key-file", wallet.path)
    b = nbkey.ok("wrap", "--key", nb_key.path, "--scheme", "v2", "--private-key-file", wallet.path)
    assert json.loads(a.stdout)["salt"] != json.loads(b.stdout)["salt"]


@pytest.mark.parametrize("via", ["file", "stdin", "profile", "profile-extra-fields"])
def test_webapp_wrap_v2_unwrapped_by_nbkey(nbkey, tmp_path, wallet, nb_key, via):
    stored = webapp.wrap_v2(wallet.sk, nb_key.sk, os.urandom(32), os.urandom(24))
    out = tmp_path / "restored.json"
    if via == "profile":
        payload = json.dumps({"public_key_v2": b64(nb_key.pk), "encrypted_private_key_v2": stored})
    elif via == "profile-extra-fields":
        payload = json.dumps({"id": 7, "username": "buyer", "public_key": None,
                              "encrypted_private_key": None, "public_key_v2": b64(nb_key.pk),
                              "encrypted_private_key_v2": stored}, indent=2)
    else:
        payload = stored
    if via == "stdin":
        r = nbkey.ok("unwrap", "--private-key-file", wallet.path, "-", "-o", out,
                     input=payload.encode())
    else:
        src = tmp_path / "stored.txt"
        src.write_text(payload)
        r = nbkey.ok("unwrap", "--private-key-file", wallet.path, src, "-o", out)
    expect_keyfile(out, nb_key.sk)
    for leak in nb_key.leaks + wallet.leaks:
        assert leak not in r.stdout and leak not in r.stderr


def test_nbkey_wrap_v2_roundtrip_nbkey_unwrap(nbkey, tmp_path, wallet, nb_key):
    stored = nbkey.ok("wrap", "--key", nb_key.path, "--scheme", "v2",
                      "--private-key-file", wallet.path).stdout
    out = tmp_path / "back.json"
    nbkey.ok("unwrap", "--private-key-file", wallet.path, "-", "-o", out, input=stored)
    expect_keyfile(out, nb_key.sk)


def test_webapp_wrap_v2_with_v01_signature_unwrapped_and_reported(nbkey, tmp_path, wallet, nb_key):
    """Wrapped by a hardware wallet whose signature has v = 0/1: nbkey must unwrap it and say
    so on stderr."""
    stored01 = webapp.wrap_v2(wallet.sk, nb_key.sk, os.urandom(32), os.urandom(24), v01=True)
    with pytest.raises(nacl.exceptions.CryptoError):  # the 27/28 key does not open it, so it really is the 0/1 form
        salt = json.loads(stored01)["salt"]
        sig = bytes(Account.sign_message(encode_defunct(text=salt), wallet.sk).signature)
        blob = unb64(json.loads(stored01)["data"])
        SecretBox(webapp.keccak256(sig)).decrypt(blob[24:], blob[:24])
    src, out = tmp_path / "stored01.txt", tmp_path / "restored.json"
    src.write_text(stored01)
    r = nbkey.ok("unwrap", "--private-key-file", wallet.path, src, "-o", out)
    expect_keyfile(out, nb_key.sk)
    assert r.stderr.strip(), "nbkey must say on stderr that the 0/1 signature form was used:\n" + r.describe()
    assert not r.err_text.startswith("error:"), r.describe()
    # and the ordinary 27/28 form does not produce that notice
    stored = webapp.wrap_v2(wallet.sk, nb_key.sk, os.urandom(32), os.urandom(24))
    src2, out2 = tmp_path / "stored.txt", tmp_path / "restored2.json"
    src2.write_text(stored)
    r2 = nbkey.ok("unwrap", "--private-key-file", wallet.path, src2, "-o", out2)
    assert r2.stderr != r.stderr, r2.describe()


def test_unwrap_v2_profile_public_key_mismatch_fails(nbkey, tmp_path, wallet, nb_key):
    stored = webapp.wrap_v2(wallet.sk, nb_key.sk, os.urandom(32), os.urandom(24))
    other_pk = webapp.x25519_public_key(os.urandom(32))
    src, out = tmp_path / "profile.json", tmp_path / "restored.json"
    src.write_text(json.dumps({"public_key_v2": b64(other_pk), "encrypted_private_key_v2": stored}))
    assert_failed(nbkey("unwrap", "--private-key-file", wallet.path, src, "-o", out),
                  out=out, leaked=nb_key.leaks + wallet.leaks)


def test_unwrap_v2_wrong_wallet_fails_with_message(nbkey, tmp_path, wallet, nb_key):
    other = make_wallet(tmp_path, name="other.key")
    src, out = tmp_path / "stored.txt", tmp_path / "restored.json"
    src.write_text(webapp.wrap_v2(wallet.sk, nb_key.sk, os.urandom(32), os.urandom(24)))
    assert_failed(nbkey("unwrap", "--private-key-file", other.path, src, "-o", out), out=out,
                  leaked=other.leaks, stderr_contains="this wallet did not wrap this key")


def test_unwrap_v2_tampered_data_fails(nbkey, tmp_path, wallet, nb_key):
    stored = json.loads(webapp.wrap_v2(wallet.sk, nb_key.sk, os.urandom(32), os.urandom(24)))
    blob = bytearray(unb64(stored["data"]))
    blob[-1] ^= 1
    stored["data"] = b64(bytes(blob))
    src, out = tmp_path / "stored.txt", tmp_path / "restored.json"
    src.write_text(webapp.js_stringify(stored))
    assert_failed(nbkey("unwrap", "--private-key-file", wallet.path, src, "-o", out), out=out,
                  leaked=wallet.leaks)


@pytest.mark.parametrize("mutate", ["salt-prefix", "data-short", "data-not-b64", "no-salt"])
def test_unwrap_v2_malformed_fails(nbkey, tmp_path, wallet, nb_key, mutate):
    stored = json.loads(webapp.wrap_v2(wallet.sk, nb_key.sk, os.urandom(32), os.urandom(24)))
    if mutate == "salt-prefix":
        stored["salt"] = stored["salt"].replace("Sign this", "Sign that")
    elif mutate == "data-short":
        stored["data"] = b64(os.urandom(39))
    elif mutate == "data-not-b64":
        stored["data"] = "%%%" + stored["data"]
    else:
        del stored["salt"]
    src, out = tmp_path / "stored.txt", tmp_path / "restored.json"
    src.write_text(webapp.js_stringify(stored))
    assert_failed(nbkey("unwrap", "--private-key-file", wallet.path, src, "-o", out), out=out,
                  leaked=wallet.leaks)


def test_unwrap_refuses_existing_output_without_force(nbkey, tmp_path, wallet, nb_key):
    src, out = tmp_path / "stored.txt", tmp_path / "restored.json"
    src.write_text(webapp.wrap_v1(wallet.sk, nb_key.sk))
    out.write_bytes(b"old key file")
    assert_failed(nbkey("unwrap", "--private-key-file", wallet.path, src, "-o", out))
    assert out.read_bytes() == b"old key file"
    nbkey.ok("unwrap", "--private-key-file", wallet.path, src, "-o", out, "--force")
    expect_keyfile(out, nb_key.sk)


def test_wrap_rejects_mismatched_key_file(nbkey, tmp_path, wallet):
    sk = os.urandom(32)
    bad = write_secret(tmp_path / "bad.json", webapp.keyfile_json(
        webapp.x25519_public_key(os.urandom(32)), sk))
    for scheme in ("v1", "v2"):
        assert_failed(nbkey("wrap", "--key", bad, "--scheme", scheme, "--private-key-file",
                            wallet.path), leaked=secret_forms(sk) + wallet.leaks)


# ------------------------------------------------------------------------------------------
# Bad private key files, for every command that reads one
# ------------------------------------------------------------------------------------------

def _nonhex():
    h = list(secrets.token_hex(32))
    h[secrets.randbelow(64)] = "g"
    return "".join(h)


BAD_KEYS = [
    pytest.param("0x" + "00" * 32 + "\n", id="zero"),
    pytest.param("0x%064x\n" % SECP256K1_N, id="n"),
    pytest.param("0x%064x\n" % (SECP256K1_N + 1 + secrets.randbelow(2**128)), id="above-n"),
    pytest.param("0x" + secrets.token_hex(32)[:63] + "\n", id="63-hex-digits"),
    pytest.param("0x" + secrets.token_hex(33)[:65] + "\n", id="65-hex-digits"),
    pytest.param("0x" + _nonhex() + "\n", id="non-hex"),
    pytest.param("", id="empty-file"),
    pytest.param("0x\n", id="only-0x"),
    pytest.param(secrets.token_hex(16) + " " + secrets.token_hex(16), id="inner-space"),
]

COMMANDS = ["address", "encryption-public-key", "sign-message", "decrypt", "wrap-v1", "wrap-v2",
            "unwrap"]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("content", BAD_KEYS)
def test_bad_private_key_file(nbkey, tmp_path, nb_key, content, command):
    keyf = write_secret(tmp_path / "bad.key", content)
    body = content.strip()
    body = body[2:] if body.startswith("0x") else body
    leaks = [body.encode(), body.upper().encode()] if len(body) >= 8 else []
    out = None
    msg = tmp_path / "msg.txt"
    if command in ("address", "encryption-public-key"):
        args = ["wallet", command, "--private-key-file", keyf]
    elif command == "sign-message":
        msg.write_bytes(b"hello")
        args = ["wallet", "sign-message", "--private-key-file", keyf, msg]
    elif command == "decrypt":
        msg.write_text(webapp.envelope_encrypt(webapp.encryption_public_key(random_eth_key()), "x"))
        args = ["wallet", "decrypt", "--private-key-file", keyf, msg]
    elif command.startswith("wrap"):
        args = ["wrap", "--key", nb_key.path, "--scheme", command[-2:], "--private-key-file", keyf]
        leaks += nb_key.leaks
    else:
        msg.write_text(webapp.wrap_v1(random_eth_key(), nb_key.sk))
        out = tmp_path / "restored.json"
        args = ["unwrap", "--private-key-file", keyf, msg, "-o", out]
    assert_failed(nbkey(*args), out=out, leaked=leaks)


def test_missing_private_key_file(nbkey, tmp_path):
    assert_failed(nbkey("wallet", "address", "--private-key-file", tmp_path / "nope"))


# ------------------------------------------------------------------------------------------
# Bad envelopes, for `wallet decrypt` and `unwrap` (v1)
# ------------------------------------------------------------------------------------------

def _mutated_envelope(wallet, nb_sk, how: str) -> str:
    text = ",".join(str(x) for x in nb_sk)
    env = json.loads(webapp.envelope_encrypt(wallet.enc_pk, text))
    if how == "version-other":
        env["version"] = "x25519-chacha20-poly1305"
    elif how == "version-empty":
        env["version"] = ""
    elif how == "nonce-23":
        env["nonce"] = b64(unb64(env["nonce"])[:23])
    elif how == "nonce-25":
        env["nonce"] = b64(unb64(env["nonce"]) + b"\0")
    elif how == "nonce-bad-b64":
        env["nonce"] = "!!" + env["nonce"][2:]
    elif how == "ephem-31":
        env["ephemPublicKey"] = b64(unb64(env["ephemPublicKey"])[:31])
    elif how == "ciphertext-bad-b64":
        env["ciphertext"] = env["ciphertext"][:-4] + "*==="
    elif how == "ciphertext-tampered":
        ct = bytearray(unb64(env["ciphertext"]))
        ct[20] ^= 0x40
        env["ciphertext"] = b64(bytes(ct))
    elif how == "tag-tampered":
        ct = bytearray(unb64(env["ciphertext"]))
        ct[0] ^= 0x01
        env["ciphertext"] = b64(bytes(ct))
    elif how == "ciphertext-short":
        env["ciphertext"] = b64(os.urandom(15))
    elif how == "missing-ciphertext":
        del env["ciphertext"]
    elif how == "not-json":
        return "version=x25519-xsalsa20-poly1305"
    elif how == "hex-odd":
        return webapp.envelope_to_hex(webapp.js_stringify(env))[:-1]
    elif how == "hex-non-hex":
        return "0x" + "zz" + webapp.envelope_to_hex(webapp.js_stringify(env))[4:]
    else:
        raise AssertionError(how)
    return webapp.js_stringify(env)


BAD_ENVELOPES = ["version-other", "version-empty", "nonce-23", "nonce-25", "nonce-bad-b64",
                 "ephem-31", "ciphertext-bad-b64", "ciphertext-tampered", "tag-tampered",
                 "ciphertext-short", "missing-ciphertext", "not-json", "hex-odd", "hex-non-hex"]


@pytest.mark.parametrize("how", BAD_ENVELOPES)
def test_bad_envelope_wallet_decrypt(nbkey, tmp_path, wallet, nb_key, how):
    env = _mutated_envelope(wallet, nb_key.sk, how)
    with pytest.raises(webapp.WebappError):
        webapp.envelope_decrypt(wallet.sk, env)  # the reference agrees it is bad
    src = tmp_path / "env.txt"
    src.write_text(env)
    r = nbkey("wallet", "decrypt", "--private-key-file", wallet.path, src)
    assert_failed(r, leaked=wallet.leaks + nb_key.leaks)
    if how.startswith("version"):
        assert "not supported" in r.err_text, r.describe()


@pytest.mark.parametrize("how", BAD_ENVELOPES)
def test_bad_envelope_unwrap(nbkey, tmp_path, wallet, nb_key, how):
    env = _mutated_envelope(wallet, nb_key.sk, how)
    src, out = tmp_path / "stored.txt", tmp_path / "restored.json"
    src.write_text(env)
    assert_failed(nbkey("unwrap", "--private-key-file", wallet.path, src, "-o", out), out=out,
                  leaked=wallet.leaks + nb_key.leaks)


def test_wallet_decrypt_wrong_wallet_fails(nbkey, tmp_path, wallet):
    other = make_wallet(tmp_path, name="other.key")
    env = webapp.envelope_encrypt(wallet.enc_pk, "secret text for wallet one")
    r = nbkey("wallet", "decrypt", "--private-key-file", other.path, "-", input=env.encode())
    assert_failed(r, leaked=other.leaks)
    assert b"secret text" not in r.stderr


def test_wallet_decrypt_safe_on_non_safe_payload_fails(nbkey, wallet):
    env = webapp.envelope_encrypt(wallet.enc_pk, "plain, not JSON")
    assert_failed(nbkey("wallet", "decrypt", "--private-key-file", wallet.path, "--safe", "-",
                        input=env.encode()), leaked=wallet.leaks)
