"""Where outputs go (issue 12): long names, devices and FIFOs, sizes near the largest file,
failures after the output was ready, key material to standard output.

Each case that writes a file runs with O_TMPFILE (the default on Linux) and with
NBKEY_TMPFILE=0, the named-temporary-file fallback nbkey uses where a file system refuses
O_TMPFILE."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import nacl.public
import pytest

import webapp
from conftest import b64, write_secret

MODES = {"o_tmpfile": {}, "named": {"NBKEY_TMPFILE": "0"}}
SECRET_ENV = ("NBKEY_MNEMONIC_PASSPHRASE", "NBKEY_PASSWORD", "NBKEY_PASSPHRASE", "NUMERBAY_KEY_PATH", "NBKEY_TMPFILE")


def run(nbkey, *args, env=None, input: bytes = b"", **kw) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    full.update(env or {})
    return subprocess.run([str(nbkey.path), *map(str, args)], input=input, capture_output=True, env=full,
                          timeout=120, **kw)


def ok(nbkey, *args, **kw) -> subprocess.CompletedProcess:
    r = run(nbkey, *args, **kw)
    assert r.returncode == 0, f"nbkey {args}: {r.returncode} {r.stderr!r}"
    return r


def failed(r: subprocess.CompletedProcess, *contains: str):
    assert r.returncode == 1, f"expected exit 1: {r.returncode} {r.stderr!r}"
    assert r.stdout == b""
    lines = r.stderr.decode().splitlines()
    assert lines and lines[0].startswith("error: ") and all(l.startswith("hint: ") for l in lines[1:]), r.stderr
    for c in contains:
        assert c in lines[0], r.stderr


def open_sealed(sk: bytes, data: bytes) -> bytes:
    return nacl.public.SealedBox(nacl.public.PrivateKey(sk)).decrypt(data)


@pytest.fixture
def pair(tmp_path):
    sk = os.urandom(32)
    pk = webapp.x25519_public_key(sk)
    key = write_secret(tmp_path / "k.json", webapp.keyfile_json(pk, sk))
    plain = tmp_path / "plain.bin"
    plain.write_bytes(os.urandom(100_000))
    sealed = tmp_path / "plain.sealed"
    sealed.write_bytes(webapp.seal(pk, plain.read_bytes()))
    return sk, pk, key, plain, sealed


# ------------------------------------------------------------------------------------------
# item 1: names of 232-255 bytes (the temporary name used to add 24 bytes to the destination's)
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("force", [False, True], ids=["new", "force"])
@pytest.mark.parametrize("length", [232, 255])
def test_long_output_names(nbkey, pair, tmp_path, mode, force, length):
    sk, pk, key, plain, sealed = pair
    env = MODES[mode]
    out = tmp_path / "out"
    out.mkdir()
    name = "n" * (length - 4) + ".bin"
    dest = out / name
    if force:
        dest.write_bytes(b"old")
    flag = ["--force"] if force else []
    ok(nbkey, "decrypt", "--key", key, sealed, "-o", dest, *flag, env=env)
    assert dest.read_bytes() == plain.read_bytes()
    ok(nbkey, "encrypt", "--to", b64(pk), plain, "-o", dest, "--force", env=env)
    assert open_sealed(sk, dest.read_bytes()) == plain.read_bytes()
    ok(nbkey, "keygen", "-o", out / ("k" * (length - 5) + ".json"), env=env)
    assert sorted(os.listdir(out)) == sorted([name, "k" * (length - 5) + ".json"])


@pytest.mark.parametrize("mode", MODES)
def test_long_names_several_recipients(nbkey, pair, tmp_path, mode):
    """A 232-byte input name makes 255-byte output names (NAME.to-HEX12.sealed)."""
    sk, pk, key, plain, sealed = pair
    src = tmp_path / ("p" * 232)
    src.write_bytes(plain.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    other = webapp.x25519_public_key(os.urandom(32))
    r = ok(nbkey, "encrypt", "--to", b64(pk), "--to", b64(other), src, "-o", out, env=MODES[mode])
    names = [f"{src.name}.to-{k[:6].hex()}.sealed" for k in (pk, other)]
    assert all(len(n.encode()) == 255 for n in names)
    assert r.stdout.decode().splitlines() == [f"{out}/{n}" for n in names]
    assert sorted(os.listdir(out)) == sorted(names)
    assert open_sealed(sk, (out / names[0]).read_bytes()) == plain.read_bytes()
