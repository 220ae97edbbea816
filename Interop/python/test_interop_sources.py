"""Interop of nbkey's wallet sources and protected key files (issue 5; docs/CLI.md "Wallet
sources" and "Protected NumerBay key files") with independent implementations:

- mnemonics: the `mnemonic` package (Trezor's BIP-39 code) makes them, eth-account's HD wallet
  (Account.from_mnemonic) gives the expected key and address;
- keystores: eth-account's Account.encrypt writes them (small scrypt n / pbkdf2 c);
- protected key files: webapp.protect / webapp.unprotect (PyNaCl Argon2id + secretbox);
- wrapped keys: webapp.wrap_v1 / wrap_v2 / unwrap_v1 / unwrap_v2.
The vector files vectors/bip39.json, mnemonic_account.json and keystore_v3.json are also run
through the CLI.

Secrets reach nbkey only through files (0600) or the environment, never argv, and no secret
(mnemonic words, passwords, passphrases, keys) may appear on stdout or stderr."""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path
from types import SimpleNamespace

import nacl.public
import pytest
from eth_account import Account
from mnemonic import Mnemonic

import webapp
from conftest import (KEYFILE_RE, REPO_ROOT, assert_failed, b64, file_mode, random_eth_key,
                      secret_forms, write_secret)

Account.enable_unaudited_hdwallet_features()
M = Mnemonic("english")
VECTORS = REPO_ROOT / "vectors"
PROTECTED_RE = re.compile(
    rb'\{"format":"nbkey-protected-key/1","public_key":"([A-Za-z0-9+/]{43}=)","kdf":"argon2id",'
    rb'"opslimit":(\d+),"memlimit":(\d+),"salt":"([A-Za-z0-9+/]{22}==)","nonce":"([A-Za-z0-9+/]{32})",'
    rb'"ciphertext":"([A-Za-z0-9+/=]+)"\}')
# Environment variables that name secrets: cleared for every run unless a test sets them.
SECRET_ENV = ("NBKEY_MNEMONIC_PASSPHRASE", "NBKEY_PASSWORD", "NBKEY_PASSPHRASE", "NUMERBAY_KEY_PATH")


def run(nbkey, *args, env=None, **kw):
    """nbkey with the secret-naming variables of this shell removed (Nbkey.__call__ starts from
    os.environ) and `env` added."""
    saved = {k: os.environ.pop(k) for k in SECRET_ENV if k in os.environ}
    try:
        return nbkey(*args, env=env, **kw)
    finally:
        os.environ.update(saved)


def ok(nbkey, *args, **kw):
    r = run(nbkey, *args, **kw)
    assert r.returncode == 0, "expected success:\n" + r.describe()
    return r


def mnemonic_leaks(words: str) -> list[bytes]:
    """Forms a leaked mnemonic would take: the whole phrase and every run of three words (single
    words are too common: 'error' and 'wrong' are BIP-39 words)."""
    ws = words.split()
    forms = [" ".join(ws).encode()]
    forms += [" ".join(ws[i:i + 3]).encode() for i in range(len(ws) - 2)]
    return forms


def assert_no_leak(r, leaks):
    for form in leaks:
        if len(form) >= 8:
            assert form not in r.stdout and form not in r.stderr, (
                f"secret material {form[:16]!r}... appears in output:\n" + r.describe())


def eth_expected(words: str, passphrase: str = "", path: str = "m/44'/60'/0'/0/0"):
    acct = Account.from_mnemonic(webapp.bip39_canonical(words), passphrase=passphrase, account_path=path)
    return bytes(acct.key), acct.address


def mnemonic_file(tmp_path: Path, text: str, name="phrase.txt") -> Path:
    return write_secret(tmp_path / name, text.encode("utf-8"))


def keyfile_text(sk: bytes) -> str:
    return webapp.keyfile_json(webapp.x25519_public_key(sk), sk)


@pytest.fixture
def nb_key(tmp_path):
    sk = os.urandom(32)
    path = write_secret(tmp_path / "numerbay.json", keyfile_text(sk))
    return SimpleNamespace(sk=sk, pk=webapp.x25519_public_key(sk), path=path, text=keyfile_text(sk),
                           leaks=secret_forms(sk))


# ------------------------------------------------------------------------------------------
# --mnemonic-file: random mnemonics from the `mnemonic` package against eth-account
# ------------------------------------------------------------------------------------------

MNEMONIC_CASES = [
    # (id, entropy bits, selector args builder, path, passphrase, passphrase via)
    pytest.param(128, None, "m/44'/60'/0'/0/0", "", None, id="12-words-default-path"),
    pytest.param(160, ("--account-index", "1"), "m/44'/60'/0'/0/1", "correct horse", "file", id="15-words-index-1-passfile"),
    pytest.param(192, ("--account-index", "7"), "m/44'/60'/0'/0/7", "nbkey env pass", "env", id="18-words-index-7-env"),
    pytest.param(224, ("--derivation-path", "m/44'/60'/1'/0/0"), "m/44'/60'/1'/0/0", "", None, id="21-words-account-1"),
    pytest.param(256, ("--derivation-path", "m/44'/60'/0'/1/3"), "m/44'/60'/0'/1/3", "TREZOR", "file", id="24-words-change-1-3"),
    pytest.param(128, ("--derivation-path", "m/0'/1"), "m/0'/1", "", None, id="12-words-m-0h-1"),
    pytest.param(256, ("--account-index", "2"), "m/44'/60'/0'/0/2", "caf\u00e9 \u2615 \u043a\u043b\u044e\u0447", "file",
                 id="24-words-index-2-unicode-passfile"),
    pytest.param(128, ("--account-index", "2147483647"), "m/44'/60'/0'/0/2147483647", "x", "env", id="index-2-31-minus-1"),
    pytest.param(192, ("--derivation-path", "m/44'/60'/0'/0'/0'"), "m/44'/60'/0'/0'/0'", "", None, id="all-hardened"),
]


@pytest.mark.parametrize("bits,selector,path,passphrase,via", MNEMONIC_CASES)
def test_mnemonic_address_matches_eth_account(nbkey, tmp_path, bits, selector, path, passphrase, via):
    words = M.generate(bits)
    assert M.check(words)
    mf = mnemonic_file(tmp_path, words + "\n")
    args = ["wallet", "address", "--mnemonic-file", mf, *(selector or ())]
    env = {}
    if via == "file":
        args += ["--mnemonic-passphrase-file", write_secret(tmp_path / "pp.txt", (passphrase + "\n").encode())]
    elif via == "env":
        env["NBKEY_MNEMONIC_PASSPHRASE"] = passphrase
    key, address = eth_expected(words, passphrase, path)
    r = ok(nbkey, *args, env=env)
    assert r.stdout == (address + "\n").encode(), r.describe()
    assert_no_leak(r, mnemonic_leaks(words) + secret_forms(key) + ([passphrase.encode()] if passphrase else []))


def test_mnemonic_account_index_equals_derivation_path(nbkey, tmp_path):
    words = M.generate(128)
    mf = mnemonic_file(tmp_path, words)
    for i in (0, 3, 19):
        a = ok(nbkey, "wallet", "address", "--mnemonic-file", mf, "--account-index", str(i)).stdout
        b = ok(nbkey, "wallet", "address", "--mnemonic-file", mf, "--derivation-path", f"m/44'/60'/0'/0/{i}").stdout
        assert a == b == (eth_expected(words, "", f"m/44'/60'/0'/0/{i}")[1] + "\n").encode()


def test_mnemonic_passphrase_file_wins_over_env_and_loses_one_line_break(nbkey, tmp_path):
    """Only the final \\r\\n goes (Interop/python/test_secrets.py has the whole rule)."""
    words = M.generate(128)
    mf = mnemonic_file(tmp_path, words)
    pf = write_secret(tmp_path / "pp.txt", b"from the file \t\r\n")
    r = ok(nbkey, "wallet", "address", "--mnemonic-file", mf, "--mnemonic-passphrase-file", pf,
           env={"NBKEY_MNEMONIC_PASSPHRASE": "from the env"})
    assert r.stdout == (eth_expected(words, "from the file \t")[1] + "\n").encode(), r.describe()
    # no file, no env: the empty passphrase (MetaMask)
    r = ok(nbkey, "wallet", "address", "--mnemonic-file", mf)
    assert r.stdout == (eth_expected(words, "")[1] + "\n").encode(), r.describe()


def test_mnemonic_passphrase_nfkd(nbkey, tmp_path):
    """Composed and decomposed é, full-width letters: one seed (BIP-39 NFKD)."""
    words = M.generate(256)
    mf = mnemonic_file(tmp_path, words)
    want = (eth_expected(words, "nbkey \u2615 pass e\u0301")[1] + "\n").encode()
    for form in ("nbkey \u2615 \uff50\uff41\uff53\uff53 \u00e9", "nbkey \u2615 pass e\u0301"):
        r = ok(nbkey, "wallet", "address", "--mnemonic-file", mf, env={"NBKEY_MNEMONIC_PASSPHRASE": form})
        assert r.stdout == want, r.describe()


@pytest.mark.parametrize("layout", ["extra-spaces", "newlines-tabs", "ideographic-space", "crlf-indent"])
def test_mnemonic_file_white_space(nbkey, tmp_path, layout):
    words = M.generate(256)
    ws = words.split()
    text = {"extra-spaces": "   " + "  ".join(ws) + "   \n\n",
            "newlines-tabs": "\n".join("\t".join(ws[i:i + 6]) for i in range(0, 24, 6)) + "\n",
            "ideographic-space": "\u3000".join(ws),
            "crlf-indent": "".join(f"  {w}\r\n" for w in ws)}[layout]
    r = ok(nbkey, "wallet", "address", "--mnemonic-file", mnemonic_file(tmp_path, text))
    assert r.stdout == (eth_expected(words)[1] + "\n").encode(), r.describe()


def test_mnemonic_wallet_other_commands(nbkey, tmp_path):
    """encryption-public-key and sign-message with a mnemonic source use the derived key."""
    words = M.generate(128)
    mf = mnemonic_file(tmp_path, words)
    key, _ = eth_expected(words, "", "m/44'/60'/0'/0/5")
    sel = ["--mnemonic-file", mf, "--account-index", "5"]
    r = ok(nbkey, "wallet", "encryption-public-key", *sel)
    assert r.stdout == (webapp.encryption_public_key(key) + "\n").encode(), r.describe()
    msg = b"Sign this to retrieve your encryption key.\n\nSalt:x"
    r = ok(nbkey, "wallet", "sign-message", *sel, "-", input=msg)
    assert r.stdout == (webapp.personal_sign(key, msg) + "\n").encode(), r.describe()


def _bip39_vectors():
    doc = json.loads((VECTORS / "bip39.json").read_text(encoding="utf-8"))
    return [pytest.param(c, id=c["id"]) for c in doc["cases"]]


@pytest.mark.parametrize("case", _bip39_vectors())
def test_bip39_vectors_through_cli(nbkey, tmp_path, case):
    """Every vectors/bip39.json case as a --mnemonic-file (passphrase through the environment,
    taken exactly): positives give eth-account's address of the canonical mnemonic; negatives fail
    with exit 1, naming the bad word's position (never the word: a typo is close to the secret
    word) or mentioning the checksum."""
    mf = mnemonic_file(tmp_path, case["mnemonic"])
    env = {"NBKEY_MNEMONIC_PASSPHRASE": case["passphrase"]} if case["passphrase"] else {}
    r = run(nbkey, "wallet", "address", "--mnemonic-file", mf, env=env)
    leaks = mnemonic_leaks(webapp.bip39_canonical(case["mnemonic"]))
    if case["expect"] == "ok":
        assert r.returncode == 0, r.describe()
        assert r.stdout == (eth_expected(case["mnemonic"], case["passphrase"])[1] + "\n").encode(), r.describe()
        assert_no_leak(r, leaks)
    else:
        assert_failed(r, leaked=leaks)
        if "bad_word" in case:
            words = webapp.bip39_canonical(case["mnemonic"]).split(" ")
            position = words.index(case["bad_word"]) + 1
            assert f"word {position} is not in the BIP-39 English word list" in r.err_text, r.describe()
            assert case["bad_word"] not in r.err_text, "stderr must not show the mistyped word:\n" + r.describe()
        if case["id"].startswith("checksum-"):
            assert "checksum" in r.err_text.lower(), "stderr must mention the checksum:\n" + r.describe()


def _account_vectors():
    doc = json.loads((VECTORS / "mnemonic_account.json").read_text(encoding="utf-8"))
    return [pytest.param(c, id=c["id"]) for c in doc["cases"]]


@pytest.mark.parametrize("case", _account_vectors())
def test_mnemonic_account_vectors_through_cli(nbkey, tmp_path, case):
    mf = mnemonic_file(tmp_path, case["mnemonic"] + "\n")
    env = {"NBKEY_MNEMONIC_PASSPHRASE": case["passphrase"]} if case["passphrase"] else {}
    r = ok(nbkey, "wallet", "address", "--mnemonic-file", mf, "--derivation-path", case["derivation_path"], env=env)
    assert r.stdout == (case["address"] + "\n").encode(), r.describe()
    assert_no_leak(r, mnemonic_leaks(case["mnemonic"]) + secret_forms(bytes.fromhex(case["eth_private_key"])))


# ------------------------------------------------------------------------------------------
# --keystore: eth-account's Account.encrypt
# ------------------------------------------------------------------------------------------

def make_keystore(tmp_path, kdf="scrypt", iterations=1 << 10, password=None, key=None, name="keystore.json"):
    key = key or random_eth_key()
    password = password if password is not None else secrets.token_urlsafe(12)
    ks = Account.encrypt(key, password, kdf=kdf, iterations=iterations)
    path = write_secret(tmp_path / name, json.dumps(ks))
    return SimpleNamespace(key=key, password=password, path=path, address=Account.from_key(key).address,
                           leaks=secret_forms(key) + [password.encode()])


@pytest.mark.parametrize("kdf,iterations", [("scrypt", 1 << 10), ("scrypt", 1 << 12), ("pbkdf2", 1000), ("pbkdf2", 1)])
@pytest.mark.parametrize("via", ["password-file", "env"])
def test_keystore_address_matches_eth_account(nbkey, tmp_path, kdf, iterations, via):
    ks = make_keystore(tmp_path, kdf, iterations)
    if via == "env":
        r = ok(nbkey, "wallet", "address", "--keystore", ks.path, env={"NBKEY_PASSWORD": ks.password})
    else:
        pf = write_secret(tmp_path / "pw.txt", (ks.password + "\n").encode())
        r = ok(nbkey, "wallet", "address", "--keystore", ks.path, "--password-file", pf)
    assert r.stdout == (ks.address + "\n").encode(), r.describe()
    assert_no_leak(r, ks.leaks)


def test_keystore_wallet_other_commands(nbkey, tmp_path):
    ks = make_keystore(tmp_path)
    env = {"NBKEY_PASSWORD": ks.password}
    r = ok(nbkey, "wallet", "encryption-public-key", "--keystore", ks.path, env=env)
    assert r.stdout == (webapp.encryption_public_key(ks.key) + "\n").encode(), r.describe()
    env_text = webapp.envelope_encrypt(webapp.encryption_public_key(ks.key), "hello from eth-sig-util")
    r = ok(nbkey, "wallet", "decrypt", "--keystore", ks.path, "-", input=env_text.encode(), env=env)
    assert r.stdout == b"hello from eth-sig-util", r.describe()


def _keystore_vectors():
    doc = json.loads((VECTORS / "keystore_v3.json").read_text(encoding="utf-8"))
    return [pytest.param(c, id=c["id"]) for c in doc["cases"]]


MEMORY_CASES = {"scrypt-n-2-31", "scrypt-memory-just-over-2gib", "scrypt-r-huge", "scrypt-p-huge"}


@pytest.mark.parametrize("case", _keystore_vectors())
def test_keystore_vectors_through_cli(nbkey, tmp_path, case):
    """Every vectors/keystore_v3.json case as a --keystore file, the password exactly as given
    through NBKEY_PASSWORD, except the empty password (an empty file)."""
    path = write_secret(tmp_path / "ks.json", case["keystore"].encode("utf-8"))
    if case["password"] == "":
        args = ["--password-file", write_secret(tmp_path / "pw.txt", b"")]
        env = {}
    else:
        args, env = [], {"NBKEY_PASSWORD": case["password"]}
    t0 = time.monotonic()
    r = run(nbkey, "wallet", "address", "--keystore", path, *args, env=env, timeout=120)
    elapsed = time.monotonic() - t0
    leaks = [case["password"].encode()] if len(case["password"]) >= 8 else []
    if case["expect"] == "ok":
        assert r.returncode == 0, r.describe()
        assert r.stdout == (case["address"] + "\n").encode(), r.describe()
        assert_no_leak(r, leaks + secret_forms(bytes.fromhex(case["eth_private_key"])))
        return
    assert_failed(r, leaked=leaks)
    if case["expect"] != "wrong_password":
        assert "wrong password" not in r.err_text, f"a {case['expect']} case reported as a wrong password:\n" + r.describe()
    if case["expect"] == "unsupported":
        assert "unsupported" in r.err_text.lower() or "not supported" in r.err_text.lower(), r.describe()
    if case["expect"] == "wrong_password":
        first = r.err_text.splitlines()[0]
        assert first.startswith("error: wrong password for keystore") and str(path) in first, r.describe()
    if case["expect"] == "kdf_limits":
        assert elapsed < 2, f"KDF limits must be checked before running scrypt ({elapsed:.2f} s):\n" + r.describe()
        if case["id"] in MEMORY_CASES:
            assert "memory" in r.err_text.lower() or "GiB" in r.err_text, (
                "the refusal should say it is about memory:\n" + r.describe())


def test_keystore_wrong_password_message(nbkey, tmp_path):
    ks = make_keystore(tmp_path)
    pf = write_secret(tmp_path / "pw.txt", b"not the password\n")
    r = run(nbkey, "wallet", "address", "--keystore", ks.path, "--password-file", pf)
    assert_failed(r, leaked=ks.leaks + [b"not the password"])
    assert r.err_text.splitlines()[0] == f"error: wrong password for keystore {ks.path}", r.describe()


def test_keystore_no_password_no_terminal_fails(nbkey, tmp_path):
    ks = make_keystore(tmp_path)
    r = run(nbkey, "wallet", "address", "--keystore", ks.path, timeout=20)
    assert_failed(r, leaked=ks.leaks, code=None)


def test_keystore_absurd_scrypt_n_refused_quickly(nbkey, tmp_path):
    ks = json.loads(json.dumps(Account.encrypt(random_eth_key(), "pw-absurd-n", kdf="scrypt", iterations=1 << 10)))
    ks["crypto"]["kdfparams"]["n"] = 1 << 30
    path = write_secret(tmp_path / "absurd.json", json.dumps(ks))
    t0 = time.monotonic()
    r = run(nbkey, "wallet", "address", "--keystore", path, env={"NBKEY_PASSWORD": "pw-absurd-n"}, timeout=30)
    assert time.monotonic() - t0 < 2, r.describe()
    assert_failed(r, leaked=[b"pw-absurd-n"])
    assert "memory" in r.err_text.lower(), r.describe()


# ------------------------------------------------------------------------------------------
# wrap / unwrap with the new sources
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["v1", "v2"])
def test_wrap_with_mnemonic_opened_by_webapp(nbkey, tmp_path, nb_key, scheme):
    words = M.generate(128)
    mf = mnemonic_file(tmp_path, words)
    pf = write_secret(tmp_path / "pp.txt", b"wrap passphrase\n")
    key, _ = eth_expected(words, "wrap passphrase", "m/44'/60'/0'/0/3")
    r = ok(nbkey, "wrap", "--key", nb_key.path, "--scheme", scheme, "--mnemonic-file", mf,
           "--account-index", "3", "--mnemonic-passphrase-file", pf)
    stored = r.stdout.decode().rstrip("\n")
    got = webapp.unwrap_v1(key, stored) if scheme == "v1" else webapp.unwrap_v2(key, stored)
    assert got == nb_key.sk
    assert_no_leak(r, mnemonic_leaks(words) + nb_key.leaks + secret_forms(key))


@pytest.mark.parametrize("scheme", ["v1", "v2"])
def test_webapp_wrapped_unwrapped_with_keystore(nbkey, tmp_path, nb_key, scheme):
    ks = make_keystore(tmp_path, "pbkdf2", 1000)
    stored = (webapp.wrap_v1(ks.key, nb_key.sk) if scheme == "v1"
              else webapp.wrap_v2(ks.key, nb_key.sk, os.urandom(32), os.urandom(24)))
    src, out = tmp_path / "stored.txt", tmp_path / "restored.json"
    src.write_text(stored)
    r = ok(nbkey, "unwrap", "--keystore", ks.path, src, "-o", out, env={"NBKEY_PASSWORD": ks.password})
    assert out.read_bytes() == nb_key.text.encode() and file_mode(out) == 0o600
    assert_no_leak(r, ks.leaks + nb_key.leaks)


# ------------------------------------------------------------------------------------------
# protected key files
# ------------------------------------------------------------------------------------------

def protected_file(tmp_path, nb, passphrase, name="protected.json", ops=1, mem=8192):
    text = webapp.protect(nb.text, passphrase, os.urandom(16), os.urandom(24), ops, mem)
    return write_secret(tmp_path / name, text)


@pytest.mark.parametrize("via", ["passphrase-file", "env"])
def test_key_protect_opened_by_webapp(nbkey, tmp_path, nb_key, via):
    out = tmp_path / "protected.json"
    passphrase = "protect me " + secrets.token_hex(4)
    if via == "env":
        r = ok(nbkey, "key", "protect", nb_key.path, "-o", out, env={"NBKEY_PASSPHRASE": passphrase})
    else:
        pf = write_secret(tmp_path / "pp.txt", (passphrase + "\n").encode())
        r = ok(nbkey, "key", "protect", nb_key.path, "-o", out, "--passphrase-file", pf)
    raw = out.read_bytes()
    m = PROTECTED_RE.fullmatch(raw)
    assert m, f"not the byte-exact protected form: {raw[:200]!r}"
    assert m.group(1).decode() == b64(nb_key.pk)
    assert 1 <= int(m.group(2)) <= 16 and 8192 <= int(m.group(3)) <= 1 << 30
    assert file_mode(out) == 0o600, oct(file_mode(out))
    assert webapp.unprotect(raw.decode(), passphrase) == nb_key.text
    assert_no_leak(r, nb_key.leaks + [passphrase.encode()])


@pytest.mark.parametrize("via", ["passphrase-file", "env"])
def test_webapp_protected_used_by_nbkey(nbkey, tmp_path, nb_key, via):
    passphrase = "webapp protected " + secrets.token_hex(4)
    pfile = protected_file(tmp_path, nb_key, passphrase)
    if via == "env":
        extra, env = [], {"NBKEY_PASSPHRASE": passphrase}
    else:
        extra, env = ["--passphrase-file", write_secret(tmp_path / "pp.txt", (passphrase + "\r\n").encode())], {}
    leaks = nb_key.leaks + [passphrase.encode()]
    # key show
    r = ok(nbkey, "key", "show", pfile, *extra, env=env)
    assert r.stdout == (b64(nb_key.pk) + "\n").encode(), r.describe()
    assert_no_leak(r, leaks)
    # decrypt a PyNaCl sealed box
    plain = os.urandom(3000)
    sealed = write_secret(tmp_path / "file.sealed", nacl.public.SealedBox(nacl.public.PublicKey(nb_key.pk)).encrypt(plain))
    out = tmp_path / "file.out"
    r = ok(nbkey, "decrypt", "--key", pfile, sealed, "-o", out, "--quiet", *extra, env=env)
    assert out.read_bytes() == plain
    assert_no_leak(r, leaks)
    # key unprotect: the exact plain key file, 0600
    plain_out = tmp_path / "plain.json"
    r = ok(nbkey, "key", "unprotect", pfile, "-o", plain_out, *extra, env=env)
    assert plain_out.read_bytes() == nb_key.text.encode() and KEYFILE_RE.fullmatch(plain_out.read_bytes())
    assert file_mode(plain_out) == 0o600
    assert_no_leak(r, leaks)
    # wrap reads it too
    w = write_secret(tmp_path / "wallet.key", random_eth_key().hex())
    r = ok(nbkey, "wrap", "--key", pfile, "--scheme", "v1", "--private-key-file", w, *extra, env=env)
    assert webapp.unwrap_v1(bytes.fromhex(w.read_text()), r.stdout.decode().strip()) == nb_key.sk


@pytest.mark.parametrize("command", ["show", "decrypt", "unprotect"])
@pytest.mark.parametrize("via", ["passphrase-file", "env"])
def test_protected_wrong_passphrase_fails(nbkey, tmp_path, nb_key, command, via):
    passphrase = "the right one " + secrets.token_hex(4)
    pfile = protected_file(tmp_path, nb_key, passphrase)
    wrong = "the wrong one " + secrets.token_hex(4)
    if via == "env":
        extra, env = [], {"NBKEY_PASSPHRASE": wrong}
    else:
        extra, env = ["--passphrase-file", write_secret(tmp_path / "pp.txt", wrong.encode())], {}
    out = tmp_path / "out.bin"
    if command == "show":
        r = run(nbkey, "key", "show", pfile, *extra, env=env)
    elif command == "decrypt":
        sealed = write_secret(tmp_path / "x.sealed", nacl.public.SealedBox(nacl.public.PublicKey(nb_key.pk)).encrypt(b"hi"))
        r = run(nbkey, "decrypt", "--key", pfile, sealed, "-o", out, "--quiet", *extra, env=env)
    else:
        r = run(nbkey, "key", "unprotect", pfile, "-o", out, *extra, env=env)
    assert_failed(r, out=out, leaked=nb_key.leaks + [passphrase.encode(), wrong.encode()])


def _protected_vectors():
    doc = json.loads((VECTORS / "protected_key_file.json").read_text(encoding="utf-8"))
    return [pytest.param(c, id=c["id"]) for c in doc["cases"]]


@pytest.mark.parametrize("case", _protected_vectors())
def test_protected_key_file_vectors_through_cli(nbkey, tmp_path, case):
    """Every vectors/protected_key_file.json case read by `nbkey key show` (passphrase exactly as
    given, through NBKEY_PASSPHRASE): positives print the public key; negatives fail with exit 1
    (the empty passphrase may instead count as none given, which also fails)."""
    path = write_secret(tmp_path / "protected.json", case["file"].encode("utf-8"))
    r = run(nbkey, "key", "show", path, env={"NBKEY_PASSPHRASE": case["passphrase"]}, timeout=60)
    leaks = [case["passphrase"].encode()] if len(case["passphrase"]) >= 8 else []
    if case["expect"] == "ok":
        assert r.returncode == 0, r.describe()
        assert r.stdout == (case["public_key"] + "\n").encode(), r.describe()
        assert_no_leak(r, leaks + secret_forms(webapp.b64d(case["private_key"])))
    else:
        assert_failed(r, leaked=leaks, code=None if case["passphrase"] == "" else 1)


def test_protected_no_passphrase_no_terminal_fails(nbkey, tmp_path, nb_key):
    pfile = protected_file(tmp_path, nb_key, "some passphrase")
    assert_failed(run(nbkey, "key", "show", pfile, timeout=20), leaked=nb_key.leaks, code=None)


def test_protected_kdf_limits_refused_quickly(nbkey, tmp_path, nb_key):
    text = json.loads(webapp.protect(nb_key.text, "pp-limits", os.urandom(16), os.urandom(24), 1, 8192))
    text["memlimit"] = 2 << 30
    pfile = write_secret(tmp_path / "p.json", webapp.js_stringify(text))
    t0 = time.monotonic()
    r = run(nbkey, "key", "show", pfile, env={"NBKEY_PASSPHRASE": "pp-limits"}, timeout=30)
    assert time.monotonic() - t0 < 2, r.describe()
    assert_failed(r, leaked=nb_key.leaks)


def test_keygen_protect_opened_by_webapp(nbkey, tmp_path):
    out = tmp_path / "new.json"
    passphrase = "keygen passphrase " + secrets.token_hex(4)
    pf = write_secret(tmp_path / "pp.txt", (passphrase + "\n").encode())
    r = ok(nbkey, "keygen", "--protect", "-o", out, "--passphrase-file", pf, "--quiet")
    pk_line = r.stdout.decode().strip()
    assert file_mode(out) == 0o600, oct(file_mode(out))
    raw = out.read_bytes()
    assert PROTECTED_RE.fullmatch(raw), raw[:200]
    inner = webapp.unprotect(raw.decode(), passphrase)
    pk, sk = webapp.keyfile_load(inner)
    assert KEYFILE_RE.fullmatch(inner.encode()) and b64(pk) == pk_line
    assert_no_leak(r, secret_forms(sk) + [passphrase.encode()])


@pytest.mark.parametrize("source", ["private-key-file", "mnemonic"])
def test_unwrap_protect_opened_by_webapp(nbkey, tmp_path, nb_key, source):
    if source == "mnemonic":
        words = M.generate(128)
        key, _ = eth_expected(words)
        src_args = ["--mnemonic-file", mnemonic_file(tmp_path, words)]
        leaks = mnemonic_leaks(words)
    else:
        key = random_eth_key()
        src_args = ["--private-key-file", write_secret(tmp_path / "w.key", key.hex())]
        leaks = []
    stored = write_secret(tmp_path / "stored.txt", webapp.wrap_v2(key, nb_key.sk, os.urandom(32), os.urandom(24)))
    out = tmp_path / "restored.json"
    passphrase = "unwrap protect " + secrets.token_hex(4)
    r = ok(nbkey, "unwrap", *src_args, stored, "-o", out, "--protect", env={"NBKEY_PASSPHRASE": passphrase})
    assert file_mode(out) == 0o600, oct(file_mode(out))
    raw = out.read_bytes()
    assert PROTECTED_RE.fullmatch(raw), raw[:200]
    assert webapp.unprotect(raw.decode(), passphrase) == nb_key.text
    assert_no_leak(r, leaks + nb_key.leaks + secret_forms(key) + [passphrase.encode()])


# ------------------------------------------------------------------------------------------
# bad inputs
# ------------------------------------------------------------------------------------------

def test_two_wallet_sources_refused(nbkey, tmp_path):
    words = M.generate(128)
    mf = mnemonic_file(tmp_path, words)
    key = random_eth_key()
    kf = write_secret(tmp_path / "w.key", key.hex())
    ks = make_keystore(tmp_path)
    for combo in (["--private-key-file", kf, "--mnemonic-file", mf],
                  ["--mnemonic-file", mf, "--keystore", ks.path],
                  ["--private-key-file", kf, "--keystore", ks.path]):
        r = run(nbkey, "wallet", "address", *combo, env={"NBKEY_PASSWORD": ks.password})
        assert_failed(r, code=None, leaked=mnemonic_leaks(words) + secret_forms(key) + ks.leaks)


def test_mnemonic_wrong_checksum(nbkey, tmp_path):
    ws = M.generate(128).split()
    ws[-1] = next(w for w in M.wordlist if w != ws[-1] and not M.check(" ".join(ws[:-1] + [w])))
    r = run(nbkey, "wallet", "address", "--mnemonic-file", mnemonic_file(tmp_path, " ".join(ws)))
    assert_failed(r, leaked=mnemonic_leaks(" ".join(ws)))
    assert "checksum" in r.err_text.lower(), r.describe()


def test_mnemonic_unknown_word_named(nbkey, tmp_path):
    ws = M.generate(128).split()
    ws[4] = "notaword"
    r = run(nbkey, "wallet", "address", "--mnemonic-file", mnemonic_file(tmp_path, " ".join(ws)))
    assert_failed(r, leaked=mnemonic_leaks(" ".join(ws)))
    assert "word 5 is not in the BIP-39 English word list" in r.err_text, r.describe()
    assert "notaword" not in r.err_text, r.describe()
    others = [w for i, w in enumerate(ws) if i != 4 and len(w) >= 6 and w not in ("error", "hint", "mnemonic")]
    for w in others:
        assert w not in r.err_text, f"stderr shows another mnemonic word {w!r}:\n" + r.describe()


@pytest.mark.parametrize("path", ["m/44'/60'/0'/0/2147483648", "44'/60'/0'/0/0", "m/44'/60'/x/0/0", "m//0"])
def test_bad_derivation_path_refused(nbkey, tmp_path, path):
    mf = mnemonic_file(tmp_path, M.generate(128))
    assert_failed(run(nbkey, "wallet", "address", "--mnemonic-file", mf, "--derivation-path", path), code=None)


def test_mnemonic_options_misused_refused(nbkey, tmp_path):
    mf = mnemonic_file(tmp_path, M.generate(128))
    kf = write_secret(tmp_path / "w.key", random_eth_key().hex())
    for args in (["--mnemonic-file", mf, "--account-index", "1", "--derivation-path", "m/44'/60'/0'/0/1"],
                 ["--private-key-file", kf, "--account-index", "3"],
                 ["--mnemonic-file", mf, "--account-index", "-1"],
                 []):
        assert_failed(run(nbkey, "wallet", "address", *args), code=None)
