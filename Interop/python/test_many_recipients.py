"""Sealing to more recipients than there are free file descriptors (issue 12 item 2).

nbkey raises its soft RLIMIT_NOFILE to the hard limit, then seals in waves sized from it, reading
the input once per wave (a pipe is first copied to an unnamed temporary file in TMPDIR). Here the
hard limit itself is low (`ulimit -n` set in the child before exec): every output must be
present and open with PyNaCl's SealedBox (the web app's own primitive, Interop/python/webapp.py),
stdout must list them all in order, and no temporary file may be left, beside the outputs or in
TMPDIR."""

from __future__ import annotations

import os
import random
import resource
import subprocess
from pathlib import Path

import pytest

import webapp
from conftest import b64

SECRET_ENV = ("NBKEY_MNEMONIC_PASSPHRASE", "NBKEY_PASSWORD", "NBKEY_PASSPHRASE", "NUMERBAY_KEY_PATH", "NBKEY_TMPFILE")
MODES = {"o_tmpfile": {}, "named": {"NBKEY_TMPFILE": "0"}}


def limited(n: int):
    return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))


def seal_to_many(nbkey, tmp_path: Path, count: int, limit: int, data: bytes, *, stdin: bool = False,
                 sales: bool = False, env: dict | None = None):
    secrets_ = [os.urandom(32) for _ in range(count)]
    publics = [webapp.x25519_public_key(sk) for sk in secrets_]
    recipients = tmp_path / ("sales.json" if sales else "recipients.txt")
    if sales:
        recipients.write_text("[" + ",".join(f'{{"id":{1000 + i},"buyer_public_key":"{b64(pk)}"}}'
                                             for i, pk in enumerate(publics)) + "]")
    else:
        recipients.write_text("".join(b64(pk) + "\n" for pk in publics))
    src = tmp_path / "data.csv"
    src.write_bytes(data)
    out = tmp_path / "out"
    out.mkdir()
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    full_env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    full_env.update(env or {})
    full_env["TMPDIR"] = str(tmpdir)
    args = [str(nbkey.path), "encrypt", "--recipients", str(recipients), "-" if stdin else str(src), "-o", str(out)]
    r = subprocess.run(args, input=data if stdin else b"", capture_output=True, env=full_env,
                       preexec_fn=limited(limit), timeout=600)
    base = "stdin" if stdin else "data.csv"
    names = [f"{base}.order-{1000 + i}.sealed" if sales else f"{base}.to-{pk[:6].hex()}.sealed"
             for i, pk in enumerate(publics)]
    return r, out, tmpdir, names, secrets_


@pytest.mark.parametrize("mode", MODES)
def test_1100_recipients_under_ulimit_64(nbkey, tmp_path, mode):
    data = os.urandom(200_000)
    r, out, tmpdir, names, secrets_ = seal_to_many(nbkey, tmp_path, 1100, 64, data, env=MODES[mode])
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stderr == b""
    assert r.stdout.decode().splitlines() == [f"{out}/{n}" for n in names]
    assert sorted(os.listdir(out)) == sorted(names), "missing outputs or temporary files left"
    assert os.listdir(tmpdir) == []
    for i in random.Random(1100).sample(range(1100), 25) + [0, 1099]:
        sealed = (out / names[i]).read_bytes()
        assert len(sealed) == len(data) + 48
        assert webapp.seal_open(secrets_[i], sealed) == data


@pytest.mark.parametrize("limit", [32, 40])
def test_standard_input_to_many_recipients(nbkey, tmp_path, limit):
    """A pipe cannot be read again: it is copied once to an unnamed file in TMPDIR (and removed)."""
    data = os.urandom(3 << 20)
    r, out, tmpdir, names, secrets_ = seal_to_many(nbkey, tmp_path, 150, limit, data, stdin=True, sales=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.decode().splitlines() == [f"{out}/{n}" for n in names]
    assert sorted(os.listdir(out)) == sorted(names)
    assert os.listdir(tmpdir) == []
    for i in (0, 17, 75, 149):
        assert webapp.seal_open(secrets_[i], (out / names[i]).read_bytes()) == data
