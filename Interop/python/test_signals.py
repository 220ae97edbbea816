"""Signals (issue 12 item 1; SECURITY.md "Purchased files", README "Output is atomic").

SIGINT, SIGTERM and SIGHUP at several moments of `decrypt` (to a file, `--in-place`, from standard
input, to standard output), `encrypt`, multi-recipient `encrypt`, `unwrap` and `key protect`: the
destination directory and TMPDIR hold nothing new, the inputs are byte-identical, and the exit
status says which signal ended the run (-SIG from subprocess). A run that had already finished
when the signal came (possible only at the last moment of each command) must have written its
complete, correct output.

Every case runs twice:
- `o_tmpfile`: the default on Linux. Outputs are created with O_TMPFILE and have no name until
  commit, so a signal (or kill -9) leaves nothing whatever nbkey does about it.
- `named`: with NBKEY_TMPFILE=0, nbkey takes the fallback it uses where a file system refuses
  O_TMPFILE: a named temporary file beside the destination, which its handlers for SIGINT,
  SIGTERM, SIGHUP and SIGPIPE remove before re-raising the signal.

Moments are not timed. The output nbkey is writing is watched through /proc/PID/fd (a writable
regular file under the destination directory or TMPDIR, whatever its name or lack of one), and
the signal is sent once it exists, once it holds half of the output, once it holds all of it
(before the tag check and commit). Inputs fed through a pipe stop short of their end, so the run
cannot finish before the signal. The large files live on a tmpfs (root; else the test
directory), 256 MiB each."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nacl.public
import pytest

import webapp
from conftest import KEYFILE_RE, b64, random_eth_key, wait_for_output, write_secret

MiB = 1 << 20
BIG = 256 * MiB
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
MODES = {"o_tmpfile": {}, "named": {"NBKEY_TMPFILE": "0"}}
SECRET_ENV = ("NBKEY_MNEMONIC_PASSPHRASE", "NBKEY_PASSWORD", "NBKEY_PASSPHRASE", "NUMERBAY_KEY_PATH", "NBKEY_TMPFILE")
PASSPHRASE = "signal test passphrase"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while b := f.read(8 * MiB):
            h.update(b)
    return h.hexdigest()


def listing(d: Path) -> set[str]:
    return set(os.listdir(d))


def child_env(extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    env.update(extra)
    return env


# ------------------------------------------------------------------------------------------
# fixtures
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def area(tmp_path_factory):
    """A tmpfs for the large files (root), else a test directory."""
    d = tmp_path_factory.mktemp("signals")
    mounted = False
    if os.geteuid() == 0:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2g,mode=0755", "tmpfs", str(d)],
                                 capture_output=True).returncode == 0
    yield d
    if mounted:
        if subprocess.run(["umount", str(d)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(d)], capture_output=True)
    else:
        shutil.rmtree(d, ignore_errors=True)


@dataclass
class Big:
    dir: Path
    sk: bytes
    pk: bytes
    key: Path
    plain: Path
    sealed: Path
    others: list       # two more recipients' public keys, for multi-recipient runs
    shas: dict         # input path -> sha256


@pytest.fixture(scope="module")
def big(nbkey, area) -> Big:
    d = area / "inputs"
    d.mkdir()
    sk = os.urandom(32)
    pk = webapp.x25519_public_key(sk)
    key = write_secret(d / "numerbay.json", webapp.keyfile_json(pk, sk))
    plain = d / "plain.bin"
    with open(plain, "wb") as f:
        for _ in range(BIG // (16 * MiB)):
            f.write(os.urandom(16 * MiB))
    sealed = d / "plain.sealed"
    r = subprocess.run([str(nbkey.path), "encrypt", "--to", b64(pk), plain, "-o", sealed], capture_output=True,
                       env=child_env({}))
    assert r.returncode == 0, r.stderr
    others = [webapp.x25519_public_key(os.urandom(32)) for _ in range(2)]
    return Big(d, sk, pk, key, plain, sealed, others, {p: sha256_file(p) for p in (key, plain, sealed)})


@pytest.fixture
def place(area, request):
    """A fresh destination directory and TMPDIR for one trial, removed afterwards."""
    d = area / f"t-{os.getpid()}-{time.monotonic_ns()}"
    (d / "out").mkdir(parents=True)
    (d / "tmp").mkdir()
    yield d / "out", d / "tmp"
    shutil.rmtree(d, ignore_errors=True)


# ------------------------------------------------------------------------------------------
# one trial
# ------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    returncode: int
    stdout: bytes
    stderr: bytes


def end_with(p: subprocess.Popen, sig: int, feeder: threading.Thread | None = None) -> Outcome:
    p.send_signal(sig)  # a no-op once the run has been reaped
    if p.stdin:
        try:
            p.stdin.close()
        except OSError:
            pass
        p.stdin = None
    out, err = p.communicate(timeout=120)
    if feeder:
        feeder.join(30)
    return Outcome(p.returncode, out, err)


def check(outcome: Outcome, sig: int, *, out_dir: Path, tmpdir: Path, before: set[str], inputs: dict,
          may_finish: bool, complete=None, written: set[str] = frozenset()):
    """The promises: the signal is the exit status (or, where allowed, the run had finished and
    wrote exactly `written`, checked by `complete`); nothing new in the destination directory
    (or, where allowed, the complete output of a run killed just after its commit), nothing in
    TMPDIR, inputs unchanged."""
    finished = outcome.returncode == 0
    if finished:
        assert may_finish, f"the run finished before the signal at a moment it cannot have: {outcome.stderr!r}"
        assert listing(out_dir) == before | written, f"after a finished run: {sorted(listing(out_dir))}"
        if complete:
            complete(outcome)
    else:
        assert outcome.returncode == -sig, (
            f"exit status {outcome.returncode}, expected -{sig.name} ({-sig}); stderr {outcome.stderr[:500]!r}")
        left = listing(out_dir) - before
        if may_finish and left:  # killed after the commit, on its way out
            assert left == set(written), f"after {sig.name} at the commit: {sorted(left)}"
            if complete:
                complete(outcome)
        assert left <= (set(written) if may_finish else set()), (
            f"left in the destination directory after {sig.name}: {sorted(left)}")
    assert listing(tmpdir) == set(), f"left in TMPDIR: {sorted(listing(tmpdir))}"
    for path, digest in inputs.items():
        assert sha256_file(path) == digest, f"input {path} changed"
    return finished


def spawn(nbkey, args, env, tmpdir: Path, stdin=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen([str(nbkey.path), *map(str, args)], stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=child_env({**env, "TMPDIR": str(tmpdir)}))


def open_sealed(sk: bytes, data: bytes) -> bytes:
    return nacl.public.SealedBox(nacl.public.PrivateKey(sk)).decrypt(data)


# ------------------------------------------------------------------------------------------
# decrypt, encrypt, multi-recipient encrypt: files of 256 MiB
# ------------------------------------------------------------------------------------------

# (name, fraction of the output written when the signal goes, whether the run may already have
# finished then)
MOMENTS = [("created", 0.0, False), ("half", 0.5, False), ("written", 1.0, True)]
SIG_IDS = [s.name for s in SIGNALS]


def trials(moments):
    """Each signal at each of `moments`, in both modes."""
    def mark(test):
        test = pytest.mark.parametrize("mode", MODES)(test)
        test = pytest.mark.parametrize("moment", moments, ids=[m[0] if isinstance(m, tuple) else str(m) for m in moments])(test)
        return pytest.mark.parametrize("sig", SIGNALS, ids=SIG_IDS)(test)
    return mark


@trials(MOMENTS)
def test_decrypt_to_file(nbkey, big, place, mode, moment, sig):
    out_dir, tmpdir = place
    dest = out_dir / "plain.out"
    p = spawn(nbkey, ["decrypt", "--key", big.key, big.sealed, "-o", dest], MODES[mode], tmpdir)
    wait_for_output(p, out_dir, int(BIG * moment[1]))
    outcome = end_with(p, sig)
    check(outcome, sig, out_dir=out_dir, tmpdir=tmpdir, before=set(), inputs=big.shas, may_finish=moment[2],
          written={"plain.out"}, complete=lambda _: sha256_file(dest) == big.shas[big.plain] or pytest.fail("wrong plaintext"))


@trials(MOMENTS)
def test_decrypt_in_place(nbkey, big, place, mode, moment, sig):
    out_dir, tmpdir = place
    target = out_dir / "download.bin"
    shutil.copyfile(big.sealed, target)
    os.chmod(target, 0o640)
    before = os.stat(target)
    p = spawn(nbkey, ["decrypt", "--key", big.key, target, "--in-place"], MODES[mode], tmpdir)
    # The input is open for reading only: the output is the other regular file under out_dir.
    wait_for_output(p, out_dir, int(BIG * moment[1]))
    outcome = end_with(p, sig)
    finished = check(outcome, sig, out_dir=out_dir, tmpdir=tmpdir, before={"download.bin"},
                     inputs={big.key: big.shas[big.key]}, may_finish=moment[2])
    after = os.stat(target)
    # Killed just after the commit (possible only at the last moment): the plaintext is in place.
    if finished or (moment[2] and after.st_ino != before.st_ino):
        assert sha256_file(target) == big.shas[big.plain]
        assert stat.S_IMODE(after.st_mode) == 0o640
    else:
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
        assert sha256_file(target) == big.shas[big.sealed], "--in-place changed its input"


def feed(p: subprocess.Popen, source: Path, stop_at: int, fed: threading.Event) -> threading.Thread:
    """Writes the first `stop_at` bytes of `source` to p's stdin, then sets `fed` and leaves the
    pipe open: nbkey waits for the rest until the signal."""
    def run():
        try:
            with open(source, "rb") as f:
                left = stop_at
                while left > 0:
                    b = f.read(min(MiB, left))
                    p.stdin.write(b)
                    left -= len(b)
                p.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass
        fed.set()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


PIPE_MOMENTS = [("first-chunk", MiB + 48), ("half", BIG // 2 + 48), ("all-but-the-end", BIG + 48)]


@trials(PIPE_MOMENTS)
def test_decrypt_from_standard_input(nbkey, big, place, mode, moment, sig):
    """The sealed file comes through a pipe that is never closed: at the last moment nbkey holds
    the whole plaintext, unauthenticated, and is waiting for the end of its input."""
    out_dir, tmpdir = place
    dest = out_dir / "plain.out"
    p = spawn(nbkey, ["decrypt", "--key", big.key, "-", "-o", dest], MODES[mode], tmpdir, stdin=subprocess.PIPE)
    fed = threading.Event()
    t = feed(p, big.sealed, moment[1], fed)
    fed.wait(120)
    # Everything fed except the chunk still being read has reached the output.
    wait_for_output(p, out_dir, max(0, moment[1] - 48 - MiB))
    outcome = end_with(p, sig, t)
    check(outcome, sig, out_dir=out_dir, tmpdir=tmpdir, before=set(), inputs=big.shas, may_finish=False)


@trials(MOMENTS)
def test_decrypt_to_standard_output(nbkey, big, place, mode, moment, sig):
    """`-o -` holds the plaintext in an unnamed file in TMPDIR until the tag checks out: nothing
    reaches stdout before, nothing is left in TMPDIR after."""
    out_dir, tmpdir = place
    p = spawn(nbkey, ["decrypt", "--key", big.key, big.sealed, "-o", "-"], MODES[mode], tmpdir)
    got = bytearray()
    drain = threading.Thread(target=lambda: got.extend(p.stdout.read()), daemon=True)
    drain.start()
    wait_for_output(p, tmpdir, int(BIG * moment[1]))
    p.send_signal(sig)
    p.wait(120)
    drain.join(120)
    err = p.stderr.read()
    if p.returncode == 0:
        assert moment[2] and hashlib.sha256(got).hexdigest() == big.shas[big.plain]
    else:
        assert p.returncode == -sig, err
        with open(big.plain, "rb") as f:
            assert f.read(len(got)) == bytes(got), "stdout received bytes that are not the plaintext"
        if not moment[2]:
            assert got == b"", "plaintext reached stdout before the tag was checked"
    assert listing(tmpdir) == set() and listing(out_dir) == set()
    assert all(sha256_file(p_) == d for p_, d in big.shas.items())


@trials(MOMENTS)
def test_encrypt(nbkey, big, place, mode, moment, sig):
    out_dir, tmpdir = place
    dest = out_dir / "plain.sealed"
    p = spawn(nbkey, ["encrypt", "--to", b64(big.pk), big.plain, "-o", dest], MODES[mode], tmpdir)
    wait_for_output(p, out_dir, int((BIG + 48) * moment[1]))
    outcome = end_with(p, sig)

    def complete(_):
        assert hashlib.sha256(open_sealed(big.sk, dest.read_bytes())).hexdigest() == big.shas[big.plain]

    check(outcome, sig, out_dir=out_dir, tmpdir=tmpdir, before=set(), inputs=big.shas, may_finish=moment[2],
          written={"plain.sealed"}, complete=complete)


@trials(MOMENTS)
def test_encrypt_to_several_recipients(nbkey, big, place, mode, moment, sig):
    out_dir, tmpdir = place
    keys = [big.pk, *big.others]
    args = ["encrypt", *[a for k in keys for a in ("--to", b64(k))], big.plain, "-o", out_dir]
    names = {f"plain.bin.to-{k[:6].hex()}.sealed" for k in keys}
    p = spawn(nbkey, args, MODES[mode], tmpdir)
    wait_for_output(p, out_dir, int((BIG + 48) * moment[1]), count=len(keys))
    outcome = end_with(p, sig)

    def complete(_):
        data = (out_dir / f"plain.bin.to-{big.pk[:6].hex()}.sealed").read_bytes()
        assert hashlib.sha256(open_sealed(big.sk, data)).hexdigest() == big.shas[big.plain]

    check(outcome, sig, out_dir=out_dir, tmpdir=tmpdir, before=set(), inputs=big.shas, may_finish=moment[2],
          written=names, complete=complete)


@trials(PIPE_MOMENTS)
def test_encrypt_from_standard_input_to_several_recipients(nbkey, big, place, mode, moment, sig):
    out_dir, tmpdir = place
    keys = [big.pk, *big.others]
    args = ["encrypt", *[a for k in keys for a in ("--to", b64(k))], "-", "-o", out_dir]
    p = spawn(nbkey, args, MODES[mode], tmpdir, stdin=subprocess.PIPE)
    fed = threading.Event()
    t = feed(p, big.plain, moment[1] - 48, fed)
    fed.wait(120)
    wait_for_output(p, out_dir, max(0, moment[1] - 2 * MiB), count=len(keys))
    outcome = end_with(p, sig, t)
    check(outcome, sig, out_dir=out_dir, tmpdir=tmpdir, before=set(), inputs=big.shas, may_finish=False)


# ------------------------------------------------------------------------------------------
# unwrap, key protect: small outputs
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wrapped(area):
    d = area / "wrapped"
    d.mkdir()
    sk = os.urandom(32)
    pk = webapp.x25519_public_key(sk)
    key = write_secret(d / "numerbay.json", webapp.keyfile_json(pk, sk))
    eth = random_eth_key()
    wallet = write_secret(d / "wallet.key", eth.hex())
    stored = d / "stored.txt"
    stored.write_text(webapp.wrap_v2(eth, sk, os.urandom(32), os.urandom(24)))
    return key, wallet, stored


def check_keyfile(path: Path, expected: bytes):
    data = path.read_bytes()
    if data.startswith(b'{"format":"nbkey-protected-key/1"'):
        data = webapp.unprotect(data, PASSPHRASE).encode()
    assert KEYFILE_RE.fullmatch(data) and data == expected
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


# "waiting": blocked on its input, before any output (the run cannot finish); "writing": as
# soon as the key file's output exists (it may finish first); the rest: seeded random delays.
SMALL_MOMENTS = ["waiting", "writing", 0.002, 0.01, 0.03, 0.1]


@trials(SMALL_MOMENTS)
def test_unwrap(nbkey, wrapped, place, mode, moment, sig):
    key, wallet, stored = wrapped
    out_dir, tmpdir = place
    dest = out_dir / "numerbay.json"
    inputs = {p: sha256_file(p) for p in wrapped}
    p = spawn(nbkey, ["unwrap", "--private-key-file", wallet, "-", "-o", dest], MODES[mode], tmpdir,
              stdin=subprocess.PIPE)
    if moment == "waiting":
        time.sleep(0.05)
    else:
        p.stdin.write(stored.read_bytes())
        p.stdin.close()
        if moment == "writing":
            wait_for_output(p, out_dir, 0)
        else:
            time.sleep(moment)
    outcome = end_with(p, sig)
    check(outcome, sig, out_dir=out_dir, tmpdir=tmpdir, before=set(), inputs=inputs, may_finish=moment != "waiting",
          written={"numerbay.json"}, complete=lambda _: check_keyfile(dest, key.read_bytes()))


@trials(SMALL_MOMENTS)
def test_key_protect(nbkey, wrapped, place, mode, moment, sig):
    """The passphrase comes through a FIFO: "waiting" is nbkey blocked on it."""
    key = wrapped[0]
    out_dir, tmpdir = place
    dest = out_dir / "prot.json"
    fifo = tmpdir.parent / "passphrase.fifo"
    os.mkfifo(fifo, 0o600)
    inputs = {key: sha256_file(key)}
    p = spawn(nbkey, ["key", "protect", key, "-o", dest, "--passphrase-file", fifo], MODES[mode], tmpdir)
    if moment == "waiting":
        time.sleep(0.05)
    else:
        with open(fifo, "wb") as f:
            f.write(PASSPHRASE.encode())
        if moment == "writing":
            wait_for_output(p, out_dir, 0)
        else:
            time.sleep(moment)
    outcome = end_with(p, sig)
    if moment == "waiting":
        try:  # lets nbkey's open of the FIFO return if the signal did not end it
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
    check(outcome, sig, out_dir=out_dir, tmpdir=tmpdir, before=set(), inputs=inputs, may_finish=moment != "waiting",
          written={"prot.json"}, complete=lambda _: check_keyfile(dest, key.read_bytes()))
