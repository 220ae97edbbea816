"""Interop of nbkey's NumerBay key files and sealed artifact files (FORMATS.md sections 1-3)
with PyNaCl's SealedBox and the real NumerBay Python client (numerbay==0.2.4)."""

from __future__ import annotations

import io
import os
import secrets
import shutil

import nacl.exceptions
import pytest
from nacl.public import PrivateKey, PublicKey, SealedBox

import numerbay.utils as nbutils

from conftest import KEYFILE_RE, assert_failed, b64, file_mode, secret_forms, unb64, write_secret

KiB = 1024
MiB = 1024 * 1024

# (id, size). "few-MiB" is drawn at random each run, between 2 and 4 MiB.
SIZES = [
    ("0", 0),
    ("1", 1),
    ("31", 31),
    ("32", 32),
    ("33", 33),
    ("64KiB-1", 64 * KiB - 1),
    ("64KiB", 64 * KiB),
    ("64KiB+1", 64 * KiB + 1),
    ("1MiB+7", MiB + 7),
    ("few-MiB", 2 * MiB + secrets.randbelow(2 * MiB + 1)),
]
SIZE_PARAMS = [pytest.param(size, id=name) for name, size in SIZES]


def keyfile_json(sk: bytes) -> bytes:
    """What the web app's "Export key file" writes: JSON.stringify({public_key, private_key})."""
    pk = bytes(PrivateKey(sk).public_key)
    return ('{"public_key":"%s","private_key":"%s"}' % (b64(pk), b64(sk))).encode()


@pytest.fixture
def pynacl_key(tmp_path):
    """A fresh random key pair made by PyNaCl, with its export-form key file."""
    sk = os.urandom(32)
    path = write_secret(tmp_path / "pynacl-key.json", keyfile_json(sk))
    return sk, bytes(PrivateKey(sk).public_key), path


@pytest.fixture
def nbkey_key(nbkey, tmp_path):
    """A fresh key pair made by `nbkey keygen`: (secret, public, key file path)."""
    path = tmp_path / "nbkey-key.json"
    r = nbkey.ok("keygen", "-o", path)
    m = KEYFILE_RE.fullmatch(path.read_bytes())
    assert m, f"key file is not in export form: {path.read_bytes()!r}"
    pk, sk = unb64(m.group(1)), unb64(m.group(2))
    return sk, pk, path


def flip(data: bytes, index: int) -> bytes:
    b = bytearray(data)
    b[index] ^= 0x01
    return bytes(b)


# ------------------------------------------------------------------------------------------
# keygen / key show
# ------------------------------------------------------------------------------------------

def test_keygen_export_form_mode_and_pynacl_agrees(nbkey, tmp_path):
    path = tmp_path / "k.json"
    r = nbkey.ok("keygen", "-o", path)
    raw = path.read_bytes()
    m = KEYFILE_RE.fullmatch(raw)
    assert m, f"key file not byte-exact export form (no whitespace, no newline): {raw!r}"
    pk_b64, sk_b64 = m.group(1).decode(), m.group(2).decode()
    assert r.stdout == (pk_b64 + "\n").encode(), r.describe()
    assert file_mode(path) == 0o600, oct(file_mode(path))
    sk = unb64(sk_b64)
    assert bytes(PrivateKey(sk).public_key) == unb64(pk_b64)
    for form in secret_forms(sk):
        assert form not in r.stdout and form not in r.stderr


def test_keygen_keys_are_random_and_stored_unclamped(nbkey, tmp_path):
    sks = []
    for i in range(4):
        path = tmp_path / f"{i}.json"
        nbkey.ok("keygen", "-o", path)
        sks.append(unb64(KEYFILE_RE.fullmatch(path.read_bytes()).group(2)))
    assert len(set(sks)) == 4
    # nacl.box.keyPair stores the 32 random bytes as they are; clamping happens inside X25519.
    # A random secret already looks clamped with probability 1/32, so 4 of them all looking
    # clamped (p ~ 1e-6) means nbkey clamps before storing.
    def looks_clamped(sk):
        return sk[0] & 7 == 0 and sk[31] & 0xC0 == 0x40
    assert not all(looks_clamped(sk) for sk in sks), "secrets appear clamped before storage"


def test_keygen_quiet(nbkey, tmp_path):
    """CLI.md: `nbkey keygen [-o FILE] [--force] [--quiet]`."""
    path = tmp_path / "k.json"
    r = nbkey.ok("keygen", "-o", path, "--quiet")
    m = KEYFILE_RE.fullmatch(path.read_bytes())
    assert m, path.read_bytes()
    assert r.stdout in (b"", m.group(1) + b"\n"), r.describe()
    assert file_mode(path) == 0o600


def test_keygen_default_path_is_numerbay_json(nbkey, tmp_path):
    r = nbkey.ok("keygen", cwd=tmp_path)
    path = tmp_path / "numerbay.json"
    assert path.exists(), r.describe()
    m = KEYFILE_RE.fullmatch(path.read_bytes())
    assert m
    assert r.stdout == m.group(1) + b"\n"
    assert file_mode(path) == 0o600


def test_keygen_refuses_existing_file_without_force(nbkey, tmp_path):
    path = tmp_path / "k.json"
    path.write_bytes(b"precious")
    r = nbkey("keygen", "-o", path)
    assert_failed(r)
    assert path.read_bytes() == b"precious"
    r = nbkey.ok("keygen", "-o", path, "--force")
    m = KEYFILE_RE.fullmatch(path.read_bytes())
    assert m and r.stdout == m.group(1) + b"\n"
    assert file_mode(path) == 0o600


def test_key_show_matches_pynacl(nbkey, pynacl_key):
    sk, pk, path = pynacl_key
    r = nbkey.ok("key", "show", path)
    assert r.stdout == (b64(pk) + "\n").encode(), r.describe()
    for form in secret_forms(sk):
        assert form not in r.stdout and form not in r.stderr


def test_key_show_rejects_mismatched_pair(nbkey, tmp_path):
    sk, other = os.urandom(32), os.urandom(32)
    path = write_secret(tmp_path / "bad.json", ('{"public_key":"%s","private_key":"%s"}'
                        % (b64(bytes(PrivateKey(other).public_key)), b64(sk))).encode())
    assert_failed(nbkey("key", "show", path), leaked=secret_forms(sk, other))


# ------------------------------------------------------------------------------------------
# Sealed boxes, every size, every direction
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZE_PARAMS)
def test_nbkey_encrypt_pynacl_opens(nbkey, tmp_path, pynacl_key, size):
    sk, pk, _ = pynacl_key
    data = os.urandom(size)
    src, dst = tmp_path / "plain.bin", tmp_path / "sealed.bin"
    src.write_bytes(data)
    nbkey.ok("encrypt", "--to", b64(pk), src, "-o", dst)
    sealed = dst.read_bytes()
    assert len(sealed) == size + 48
    assert SealedBox(PrivateKey(sk)).decrypt(sealed) == data


MULTI_SIZES = [pytest.param(size, id=name) for name, size in SIZES
               + [("4KiB-48", 4 * KiB - 48), ("1MiB-48", MiB - 48), ("above-direct-io", 16 * MiB + 4133)]]


@pytest.mark.parametrize("size", MULTI_SIZES)
def test_nbkey_encrypt_to_several_pynacl_opens_each(nbkey, tmp_path, size):
    """One read, three recipients: each file is named after its recipient's key (NAME.to-HEX12.sealed)
    and opens with PyNaCl under that key only. Sizes around the 4 KiB grid (less the 48-byte
    header), the 1 MiB chunk and the 16 MiB direct-I/O threshold."""
    sks = [secrets.token_bytes(32) for _ in range(3)]
    pks = [bytes(PrivateKey(sk).public_key) for sk in sks]
    data = os.urandom(size)
    src, out = tmp_path / "plain.bin", tmp_path / "out"
    src.write_bytes(data)
    out.mkdir()
    r = nbkey.ok("encrypt", *[x for pk in pks for x in ("--to", b64(pk))], src, "-o", out)
    names = [f"plain.bin.to-{pk[:6].hex()}.sealed" for pk in pks]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    assert r.stdout.decode().splitlines() == [str(out / n) for n in names]
    for i, name in enumerate(names):
        sealed = (out / name).read_bytes()
        assert len(sealed) == size + 48
        assert SealedBox(PrivateKey(sks[i])).decrypt(sealed) == data
        with pytest.raises(nacl.exceptions.CryptoError):
            SealedBox(PrivateKey(sks[(i + 1) % 3])).decrypt(sealed)


@pytest.mark.parametrize("size", SIZE_PARAMS)
def test_pynacl_seal_nbkey_decrypts(nbkey, tmp_path, nbkey_key, size):
    sk, pk, keyfile = nbkey_key
    data = os.urandom(size)
    sealed = SealedBox(PublicKey(pk)).encrypt(data)
    src, dst = tmp_path / "sealed.bin", tmp_path / "plain.bin"
    src.write_bytes(sealed)
    nbkey.ok("decrypt", "--key", keyfile, src, "-o", dst)
    assert dst.read_bytes() == data


@pytest.mark.parametrize("size", SIZE_PARAMS)
def test_numerbay_encrypt_file_object_nbkey_decrypts(nbkey, tmp_path, nbkey_key, size):
    sk, pk, keyfile = nbkey_key
    data = os.urandom(size)
    sealed = nbutils.encrypt_file_object(io.BytesIO(data), key=b64(pk)).read()
    assert len(sealed) == size + 48
    src, dst = tmp_path / "sealed.bin", tmp_path / "plain.bin"
    src.write_bytes(sealed)
    nbkey.ok("decrypt", "--key", keyfile, src, "-o", dst)
    assert dst.read_bytes() == data


@pytest.mark.parametrize("size", SIZE_PARAMS)
def test_nbkey_encrypt_numerbay_decrypt_file_with_nbkey_keyfile(nbkey, tmp_path, nbkey_key, size):
    sk, pk, keyfile = nbkey_key
    data = os.urandom(size)
    src, dst = tmp_path / "plain.bin", tmp_path / "artifact.bin"
    src.write_bytes(data)
    nbkey.ok("encrypt", "--to", b64(pk), src, "-o", dst)
    assert dst.stat().st_size == size + 48
    # numerbay.utils.decrypt_file decrypts in place (reads, seeks to 0, writes, truncates).
    nbutils.decrypt_file(str(dst), key_path=str(keyfile))
    assert dst.read_bytes() == data


def test_numerbay_decrypt_file_env_key_path(nbkey, tmp_path, nbkey_key, monkeypatch):
    """numerbay's other way to find the key file: NUMERBAY_KEY_PATH."""
    sk, pk, keyfile = nbkey_key
    data = os.urandom(5000)
    src, dst = tmp_path / "plain.bin", tmp_path / "artifact.bin"
    src.write_bytes(data)
    nbkey.ok("encrypt", "--to", b64(pk), src, "-o", dst)
    monkeypatch.setenv("NUMERBAY_KEY_PATH", str(keyfile))
    nbutils.decrypt_file(str(dst))
    assert dst.read_bytes() == data


def test_nbkey_decrypt_uses_numerbay_key_path_env(nbkey, tmp_path, pynacl_key):
    sk, pk, keyfile = pynacl_key
    data = os.urandom(777)
    src, dst = tmp_path / "sealed.bin", tmp_path / "plain.bin"
    src.write_bytes(SealedBox(PublicKey(pk)).encrypt(data))
    nbkey.ok("decrypt", src, "-o", dst, env={"NUMERBAY_KEY_PATH": str(keyfile)})
    assert dst.read_bytes() == data


def test_nbkey_decrypt_without_key_or_env_fails(nbkey, tmp_path, pynacl_key):
    sk, pk, _ = pynacl_key
    src, dst = tmp_path / "sealed.bin", tmp_path / "plain.bin"
    src.write_bytes(SealedBox(PublicKey(pk)).encrypt(b"hello"))
    r = nbkey("decrypt", src, "-o", dst, cwd=tmp_path)
    assert_failed(r, out=dst, code=None)


def test_nbkey_key_flag_wins_over_env(nbkey, tmp_path, pynacl_key):
    sk, pk, keyfile = pynacl_key
    other = write_secret(tmp_path / "other.json", keyfile_json(os.urandom(32)))
    data = os.urandom(100)
    src, dst = tmp_path / "sealed.bin", tmp_path / "plain.bin"
    src.write_bytes(SealedBox(PublicKey(pk)).encrypt(data))
    nbkey.ok("decrypt", "--key", keyfile, src, "-o", dst, env={"NUMERBAY_KEY_PATH": str(other)})
    assert dst.read_bytes() == data


def test_nbkey_encrypt_is_randomized(nbkey, tmp_path, pynacl_key):
    sk, pk, _ = pynacl_key
    src = tmp_path / "p"
    src.write_bytes(b"same plaintext")
    a, b = tmp_path / "a", tmp_path / "b"
    nbkey.ok("encrypt", "--to", b64(pk), src, "-o", a)
    nbkey.ok("encrypt", "--to", b64(pk), src, "-o", b)
    assert a.read_bytes()[:32] != b.read_bytes()[:32], "ephemeral key must be fresh each time"


# ------------------------------------------------------------------------------------------
# --in-place and stdin/stdout forms
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [0, 33, MiB + 7], ids=["0", "33", "1MiB+7"])
def test_decrypt_in_place(nbkey, tmp_path, pynacl_key, size):
    sk, pk, keyfile = pynacl_key
    data = os.urandom(size)
    path = tmp_path / "artifact.bin"
    path.write_bytes(SealedBox(PublicKey(pk)).encrypt(data))
    nbkey.ok("decrypt", "--key", keyfile, path, "--in-place")
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["artifact.bin", "pynacl-key.json"], \
        "no temporary files left behind"


def test_decrypt_in_place_tampered_leaves_file_untouched(nbkey, tmp_path, pynacl_key):
    sk, pk, keyfile = pynacl_key
    data = os.urandom(4096)
    sealed = flip(SealedBox(PublicKey(pk)).encrypt(data), 48 + 100)
    path = tmp_path / "artifact.bin"
    path.write_bytes(sealed)
    assert_failed(nbkey("decrypt", "--key", keyfile, path, "--in-place"))
    assert path.read_bytes() == sealed


def test_encrypt_stdin_to_file(nbkey, tmp_path, pynacl_key):
    sk, pk, _ = pynacl_key
    data = os.urandom(70000)
    dst = tmp_path / "sealed.bin"
    nbkey.ok("encrypt", "--to", b64(pk), "-", "-o", dst, input=data)
    assert SealedBox(PrivateKey(sk)).decrypt(dst.read_bytes()) == data


def test_encrypt_file_to_stdout(nbkey, tmp_path, pynacl_key):
    sk, pk, _ = pynacl_key
    data = os.urandom(12345)
    src = tmp_path / "plain.bin"
    src.write_bytes(data)
    r = nbkey.ok("encrypt", "--to", b64(pk), src, "-o", "-")
    assert len(r.stdout) == len(data) + 48
    assert SealedBox(PrivateKey(sk)).decrypt(r.stdout) == data


@pytest.mark.parametrize("size", [0, 1, MiB + 7], ids=["0", "1", "1MiB+7"])
def test_encrypt_stdin_to_stdout(nbkey, pynacl_key, size):
    sk, pk, _ = pynacl_key
    data = os.urandom(size)
    r = nbkey.ok("encrypt", "--to", b64(pk), "-", "-o", "-", input=data)
    assert len(r.stdout) == size + 48
    assert SealedBox(PrivateKey(sk)).decrypt(r.stdout) == data


def test_decrypt_stdin_to_file(nbkey, tmp_path, pynacl_key):
    sk, pk, keyfile = pynacl_key
    data = os.urandom(70000)
    dst = tmp_path / "plain.bin"
    nbkey.ok("decrypt", "--key", keyfile, "-", "-o", dst,
             input=SealedBox(PublicKey(pk)).encrypt(data))
    assert dst.read_bytes() == data


def test_decrypt_file_to_stdout(nbkey, tmp_path, pynacl_key):
    sk, pk, keyfile = pynacl_key
    data = os.urandom(12345)
    src = tmp_path / "sealed.bin"
    src.write_bytes(SealedBox(PublicKey(pk)).encrypt(data))
    r = nbkey.ok("decrypt", "--key", keyfile, src, "-o", "-")
    assert r.stdout == data


@pytest.mark.parametrize("size", [0, 1, MiB + 7], ids=["0", "1", "1MiB+7"])
def test_decrypt_stdin_to_stdout(nbkey, pynacl_key, size):
    sk, pk, keyfile = pynacl_key
    data = os.urandom(size)
    r = nbkey.ok("decrypt", "--key", keyfile, "-", "-o", "-",
                 input=SealedBox(PublicKey(pk)).encrypt(data))
    assert r.stdout == data


def test_full_pipeline_through_stdio(nbkey, nbkey_key):
    """nbkey encrypt | nbkey decrypt, with an nbkey-made key."""
    sk, pk, keyfile = nbkey_key
    data = os.urandom(300000)
    sealed = nbkey.ok("encrypt", "--to", b64(pk), "-", "-o", "-", input=data).stdout
    assert nbkey.ok("decrypt", "--key", keyfile, "-", "-o", "-", input=sealed).stdout == data


# ------------------------------------------------------------------------------------------
# Failures
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("where", [0, 31, 32, 47, 48, -1], ids=[
    "ephemeral-pk-first", "ephemeral-pk-last", "tag-first", "tag-last", "ct-first", "ct-last"])
def test_decrypt_tampered_fails_without_output(nbkey, tmp_path, pynacl_key, where):
    sk, pk, keyfile = pynacl_key
    data = os.urandom(1000)
    sealed = flip(SealedBox(PublicKey(pk)).encrypt(data), where)
    with pytest.raises(nacl.exceptions.CryptoError):
        SealedBox(PrivateKey(sk)).decrypt(sealed)  # the reference agrees it's invalid
    src, dst = tmp_path / "sealed.bin", tmp_path / "plain.bin"
    src.write_bytes(sealed)
    assert_failed(nbkey("decrypt", "--key", keyfile, src, "-o", dst), out=dst,
                  leaked=secret_forms(sk))
    # and to stdout: nothing may be released before the tag is checked
    assert_failed(nbkey("decrypt", "--key", keyfile, src, "-o", "-"), leaked=secret_forms(sk))
    assert_failed(nbkey("decrypt", "--key", keyfile, "-", "-o", "-", input=sealed))


def test_decrypt_large_tampered_to_stdout_releases_nothing(nbkey, pynacl_key):
    sk, pk, keyfile = pynacl_key
    data = os.urandom(3 * MiB)
    sealed = flip(SealedBox(PublicKey(pk)).encrypt(data), -1)
    assert_failed(nbkey("decrypt", "--key", keyfile, "-", "-o", "-", input=sealed))


def test_decrypt_wrong_key_fails(nbkey, tmp_path, pynacl_key):
    sk, pk, keyfile = pynacl_key
    other_pk = bytes(PrivateKey(os.urandom(32)).public_key)
    src, dst = tmp_path / "sealed.bin", tmp_path / "plain.bin"
    src.write_bytes(SealedBox(PublicKey(other_pk)).encrypt(b"not for you"))
    assert_failed(nbkey("decrypt", "--key", keyfile, src, "-o", dst), out=dst,
                  leaked=secret_forms(sk))


@pytest.mark.parametrize("length", [0, 1, 32, 47])
def test_decrypt_too_short_fails(nbkey, tmp_path, pynacl_key, length):
    sk, pk, keyfile = pynacl_key
    src, dst = tmp_path / "sealed.bin", tmp_path / "plain.bin"
    src.write_bytes(os.urandom(length))
    assert_failed(nbkey("decrypt", "--key", keyfile, src, "-o", dst), out=dst)


def test_decrypt_refuses_existing_output_without_force(nbkey, tmp_path, pynacl_key):
    sk, pk, keyfile = pynacl_key
    data = os.urandom(200)
    src, dst = tmp_path / "sealed.bin", tmp_path / "plain.bin"
    src.write_bytes(SealedBox(PublicKey(pk)).encrypt(data))
    dst.write_bytes(b"keep me")
    assert_failed(nbkey("decrypt", "--key", keyfile, src, "-o", dst))
    assert dst.read_bytes() == b"keep me"
    nbkey.ok("decrypt", "--key", keyfile, src, "-o", dst, "--force")
    assert dst.read_bytes() == data


def test_encrypt_refuses_existing_output_without_force(nbkey, tmp_path, pynacl_key):
    sk, pk, _ = pynacl_key
    src, dst = tmp_path / "plain.bin", tmp_path / "sealed.bin"
    src.write_bytes(b"data")
    dst.write_bytes(b"keep me")
    assert_failed(nbkey("encrypt", "--to", b64(pk), src, "-o", dst))
    assert dst.read_bytes() == b"keep me"
    nbkey.ok("encrypt", "--to", b64(pk), src, "-o", dst, "--force")
    assert SealedBox(PrivateKey(sk)).decrypt(dst.read_bytes()) == b"data"


@pytest.mark.parametrize("to", [
    "not base64!",
    b64(os.urandom(31)),
    b64(os.urandom(33)),
    "",
], ids=["not-base64", "31-bytes", "33-bytes", "empty"])
def test_encrypt_bad_recipient_fails(nbkey, tmp_path, to):
    src, dst = tmp_path / "plain.bin", tmp_path / "sealed.bin"
    src.write_bytes(b"data")
    assert_failed(nbkey("encrypt", "--to", to, src, "-o", dst), out=dst, code=None)


@pytest.mark.parametrize("content", [
    b"",
    b"{}",
    b'{"public_key":"AAAA"}',
    b"not json",
    b'{"private_key":"' + b"A" * 10 + b'"}',
], ids=["empty", "empty-object", "no-private-key", "not-json", "short-private-key"])
def test_decrypt_bad_key_file_fails(nbkey, tmp_path, pynacl_key, content):
    sk, pk, _ = pynacl_key
    keyfile = write_secret(tmp_path / "bad.json", content)
    src, dst = tmp_path / "sealed.bin", tmp_path / "plain.bin"
    src.write_bytes(SealedBox(PublicKey(pk)).encrypt(b"data"))
    assert_failed(nbkey("decrypt", "--key", keyfile, src, "-o", dst), out=dst)


def test_decrypt_accepts_private_key_only_file_like_numerbay(nbkey, tmp_path, pynacl_key):
    """The Python client reads only `private_key`; a key file without `public_key` works there.
    Recorded as a compatibility probe: nbkey should at least not crash; if it accepts, the
    plaintext must be right."""
    sk, pk, _ = pynacl_key
    keyfile = write_secret(tmp_path / "priv-only.json", ('{"private_key":"%s"}' % b64(sk)).encode())
    src, dst = tmp_path / "sealed.bin", tmp_path / "plain.bin"
    src.write_bytes(SealedBox(PublicKey(pk)).encrypt(b"data"))
    r = nbkey("decrypt", "--key", keyfile, src, "-o", dst)
    if r.returncode == 0:
        assert dst.read_bytes() == b"data"
    else:
        assert_failed(r, out=dst, leaked=secret_forms(sk))


def test_world_readable_key_file_still_works(nbkey, tmp_path, pynacl_key):
    """A key file downloaded by a browser is usually 0644. It must still work (a warning on
    stderr is fine)."""
    sk, pk, keyfile = pynacl_key
    os.chmod(keyfile, 0o644)
    data = os.urandom(100)
    src, dst = tmp_path / "sealed.bin", tmp_path / "plain.bin"
    src.write_bytes(SealedBox(PublicKey(pk)).encrypt(data))
    nbkey.ok("decrypt", "--key", keyfile, src, "-o", dst)
    assert dst.read_bytes() == data
    assert nbkey.ok("key", "show", keyfile).stdout == (b64(pk) + "\n").encode()


def test_world_readable_key_file_error_first_line(nbkey, tmp_path, pynacl_key):
    """CLI.md: errors are one line `error: ...` on stderr. With a 0644 key file (the usual
    browser download) and a failing decrypt, stderr's first line must still be the error."""
    sk, pk, keyfile = pynacl_key
    os.chmod(keyfile, 0o644)
    other_pk = bytes(PrivateKey(os.urandom(32)).public_key)
    src, dst = tmp_path / "sealed.bin", tmp_path / "plain.bin"
    src.write_bytes(SealedBox(PublicKey(other_pk)).encrypt(b"not for you"))
    assert_failed(nbkey("decrypt", "--key", keyfile, src, "-o", dst), out=dst,
                  leaked=secret_forms(sk))


@pytest.mark.parametrize("cmd", ["encrypt", "decrypt"])
def test_quiet_flag(nbkey, tmp_path, pynacl_key, cmd):
    sk, pk, keyfile = pynacl_key
    data = os.urandom(3 * MiB)
    if cmd == "encrypt":
        r = nbkey.ok("encrypt", "--to", b64(pk), "-", "-o", "-", "--quiet", input=data)
        assert SealedBox(PrivateKey(sk)).decrypt(r.stdout) == data
    else:
        r = nbkey.ok("decrypt", "--key", keyfile, "-", "-o", "-", "--quiet",
                     input=SealedBox(PublicKey(pk)).encrypt(data))
        assert r.stdout == data
    assert r.stderr == b"", r.describe()
