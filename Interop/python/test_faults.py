"""Fault injection for nbkey's output promises (issue 7 item 2, issue 12 item 1; README "Output
is atomic", SECURITY.md "A failed or interrupted run leaves no partial output and never changes
its input").

- kill -9 at seeded random moments and after the output has reached N bytes, during `decrypt`,
  `decrypt --in-place`, `encrypt`, `keygen`, `unwrap` (v2) and `key protect`: the destination is
  absent or complete and byte-correct, inputs are byte-identical (sha256), and the destination's
  directory holds nothing new. Each command runs with O_TMPFILE (the default on Linux: the output
  has no name before its commit) and some also with NBKEY_TMPFILE=0, the named fallback used
  where a file system refuses O_TMPFILE.
- full disk (8 MiB tmpfs, root only), read-only destination, a destination that is a directory,
  output = input (same path, hard link, symlink), FIFO and /dev/stdin inputs, empty files, and a
  file that grows while it is sealed.

What kill -9 can leave (SIGKILL cannot be caught; SIGINT, SIGTERM, SIGHUP and SIGPIPE are the
subject of test_signals.py and leave nothing in either mode):
- with O_TMPFILE: nothing while the output is written. Only a run that replaces an existing file
  (--force, --in-place) gives the checked output a short-lived name `.<destination
  name>.nbkey-<12 random hex digits>.tmp` just before renaming it over the destination: killed in
  that instant, it leaves that name holding the complete output with the destination's mode.
- with the named fallback: that same name from the start, mode 0600 while it is written (or, when
  the kill fell between the final fchmod and the rename, the complete file with the
  destination's own mode).
nbkey never reads, reuses, removes or renames such files: every run makes its own under a fresh
random suffix (O_CREAT|O_EXCL), so stale ones neither block nor corrupt later runs. They are the
user's to delete (`rm .*.nbkey-*.tmp`). The tests below count them and check that later runs leave
them exactly as they were.

Secrets (key files, passphrases) reach nbkey only through files and the environment."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nacl.public
import pytest

import webapp
from conftest import KEYFILE_RE, b64, file_mode, random_eth_key, unb64, wait_for_output, write_secret

MiB = 1 << 20
BIG_SIZE = 256 * MiB          # large enough that decrypt/encrypt take a measurable time
TMP_RE = re.compile(r"^\.(?P<base>.+)\.nbkey-(?P<suffix>[0-9A-Za-z]+)\.tmp$")
SECRET_ENV = ("NBKEY_MNEMONIC_PASSPHRASE", "NBKEY_PASSWORD", "NBKEY_PASSPHRASE", "NUMERBAY_KEY_PATH", "NBKEY_TMPFILE")
MODES = {"o_tmpfile": {}, "named": {"NBKEY_TMPFILE": "0"}}
PASSPHRASE = "fault-injection passphrase \u2615"


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------

def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(8 * MiB)
            if not b:
                return h.hexdigest()
            h.update(b)


def temp_files(directory: Path) -> dict[str, int]:
    """nbkey temporary files in `directory`: name -> size."""
    out = {}
    for e in os.scandir(directory):
        if TMP_RE.match(e.name):
            try:
                out[e.name] = e.stat(follow_symlinks=False).st_size
            except FileNotFoundError:
                pass
    return out


def child_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    if extra:
        env.update(extra)
    return env


def spawn(nbkey, args, env=None, stdin=subprocess.DEVNULL, **kw) -> subprocess.Popen:
    return subprocess.Popen([str(nbkey.path), *map(str, args)], stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=child_env(env), **kw)


@dataclass
class Run:
    args: list
    returncode: int
    stdout: bytes
    stderr: bytes
    seconds: float = 0.0

    @property
    def err_text(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    def describe(self) -> str:
        return (f"nbkey {' '.join(map(str, self.args))}\n  exit: {self.returncode}\n"
                f"  stdout ({len(self.stdout)} bytes): {self.stdout[:300]!r}\n  stderr: {self.stderr[:1000]!r}")


def run(nbkey, *args, env=None, input: bytes | None = b"", stdin=None, timeout=120) -> Run:
    t0 = time.monotonic()
    cp = subprocess.run([str(nbkey.path), *map(str, args)], input=input if stdin is None else None,
                        stdin=stdin, capture_output=True, env=child_env(env), timeout=timeout)
    return Run([str(a) for a in args], cp.returncode, cp.stdout, cp.stderr, time.monotonic() - t0)


def ok(nbkey, *args, **kw) -> Run:
    r = run(nbkey, *args, **kw)
    assert r.returncode == 0, "expected success:\n" + r.describe()
    return r


def assert_clean_failure(r: Run, *contains: str):
    """exit 1, nothing on stdout, first stderr line `error: ...` containing each of `contains`
    (case-insensitive), any further lines `hint: ...`."""
    assert r.returncode == 1, "expected exit status 1:\n" + r.describe()
    assert r.stdout == b"", "stdout must be empty on failure:\n" + r.describe()
    lines = r.err_text.splitlines()
    assert lines and lines[0].startswith("error: "), "stderr must start with 'error: ':\n" + r.describe()
    assert all(l.startswith("hint: ") for l in lines[1:]), "only hint: lines may follow:\n" + r.describe()
    for c in contains:
        assert c.lower() in lines[0].lower(), f"error line should mention {c!r}:\n" + r.describe()


def listing(directory: Path) -> set[str]:
    return {e.name for e in os.scandir(directory)}


def open_sealed(sk: bytes, data: bytes) -> bytes:
    return nacl.public.SealedBox(nacl.public.PrivateKey(sk)).decrypt(data)


def keyfile(tmp: Path, name="numerbay.json"):
    sk = os.urandom(32)
    pk = webapp.x25519_public_key(sk)
    text = webapp.keyfile_json(pk, sk)
    return sk, pk, write_secret(tmp / name, text)


# ------------------------------------------------------------------------------------------
# the large file, made once per session
# ------------------------------------------------------------------------------------------

@dataclass
class Big:
    dir: Path
    sk: bytes
    pk: bytes
    key: Path
    plain: Path
    sealed: Path
    plain_sha: str
    sealed_sha: str
    decrypt_seconds: float
    encrypt_seconds: float


@pytest.fixture(scope="session")
def big(nbkey, tmp_path_factory) -> Big:
    d = tmp_path_factory.mktemp("faults-big")
    try:
        sk, pk, key = keyfile(d)
        plain = d / "plain.bin"
        with open(plain, "wb") as f:
            for _ in range(BIG_SIZE // (16 * MiB)):
                f.write(os.urandom(16 * MiB))
        sealed = d / "sealed.bin"
        enc = ok(nbkey, "encrypt", "--to", b64(pk), plain, "-o", sealed)
        assert sealed.stat().st_size == BIG_SIZE + 48
        out = d / "check.bin"
        dec = ok(nbkey, "decrypt", "--key", key, sealed, "-o", out)
        plain_sha = sha256_file(plain)
        assert sha256_file(out) == plain_sha
        out.unlink()
        os.chmod(plain, 0o444)
        os.chmod(sealed, 0o444)
        yield Big(d, sk, pk, key, plain, sealed, plain_sha, sha256_file(sealed), dec.seconds, enc.seconds)
    finally:
        shutil.rmtree(d, ignore_errors=True)


# ------------------------------------------------------------------------------------------
# kill -9
# ------------------------------------------------------------------------------------------

@dataclass
class Job:
    """One command to interrupt. `dest` is the path nbkey writes (for --in-place, the input)."""
    args: list
    dest: Path
    check_complete: Callable[[Path, Run | None], None]
    inputs: dict[Path, str]                 # path -> sha256 that must not change
    env: dict = field(default_factory=dict)
    force_flag: bool = True                 # the command takes --force
    reset: Callable[[], None] | None = None  # restores the state before a rerun (in-place)
    in_place_ok: tuple[str, ...] = ()       # shas the in-place file may have after a kill
    final_mode: int = 0o600                 # permission bits of the finished destination
    replaces: bool = False                  # the run replaces an existing file (--in-place)

    @property
    def named(self) -> bool:
        return self.env.get("NBKEY_TMPFILE") == "0"


def kill_trial(nbkey, job: Job, trigger: tuple[str, float]) -> dict:
    directory = job.dest.parent
    before_tmp = temp_files(directory)
    before_names = listing(directory)
    p = spawn(nbkey, job.args, env=job.env)
    kind, value = trigger
    if kind == "delay":
        time.sleep(value)
    else:
        wait_for_output(p, directory, int(value))
    p.send_signal(signal.SIGKILL)  # a no-op if it has already been reaped
    out, err = p.communicate(timeout=120)
    first = Run(job.args, p.returncode, out, err)
    assert p.returncode in (0, -signal.SIGKILL), "the run failed on its own:\n" + first.describe()
    killed = p.returncode == -signal.SIGKILL
    if killed:
        assert first.stderr == b"", "nothing on stderr before the kill:\n" + first.describe()

    # 1. the directory: nothing new except, in the cases the docstring names, one temporary file
    after_tmp = temp_files(directory)
    new_tmp = sorted(set(after_tmp) - set(before_tmp))
    for name, size in before_tmp.items():
        assert after_tmp.get(name) == size, f"a stale temporary file {name} was changed or removed"
    assert len(new_tmp) <= (1 if killed and (job.named or job.replaces) else 0), (
        f"{'killed' if killed else 'completed'} run left temporary files {new_tmp}\n" + first.describe())
    for name in new_tmp:
        if not job.named:  # only ever named once checked: the complete output
            job.check_complete(directory / name, None)
        m = TMP_RE.match(name)
        assert m.group("base") == job.dest.name, f"temporary file {name} is not named after {job.dest.name}"
        st = os.lstat(directory / name)
        # 0600 while being written; at commit nbkey gives it the final mode just before the
        # rename, so a kill in that instant leaves the destination's mode (never a wider one).
        assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) in (0o600, job.final_mode), (
            f"stale temporary file {name} must be a regular 0600 (or, at the rename, final-mode "
            f"{oct(job.final_mode)}) file, is {oct(st.st_mode)}")
    others = listing(directory) - set(after_tmp)
    allowed = (before_names - set(before_tmp)) | {job.dest.name}
    assert others <= allowed, f"unexpected files in {directory}: {sorted(others - allowed)}"

    # 2. inputs unchanged; destination absent or complete
    for path, digest in job.inputs.items():
        assert sha256_file(path) == digest, f"input {path} changed after kill at {trigger}"
    completed = False
    if job.in_place_ok:
        digest = sha256_file(job.dest)
        assert digest in job.in_place_ok, f"--in-place file is neither the input nor the complete output ({trigger})"
        completed = digest == job.in_place_ok[1]
        if completed:
            job.check_complete(job.dest, first if not killed else None)
    elif job.dest.exists() or job.dest.is_symlink():
        completed = True
        job.check_complete(job.dest, first if not killed else None)
    if not killed:
        assert completed, "a run that exited 0 must have written its destination:\n" + first.describe()

    # 3. the same command again, with the stale temporary file in place
    stale = temp_files(directory)
    if job.in_place_ok:
        if completed:
            job.reset()
    elif completed:
        again = run(nbkey, *job.args, env=job.env)
        assert_clean_failure(again, "already exists")
        job.check_complete(job.dest, None)
    args = list(job.args)
    if completed and not job.in_place_ok:
        args.append("--force")
    second = run(nbkey, *args, env=job.env)
    assert second.returncode == 0, "the rerun after a kill must succeed:\n" + second.describe()
    job.check_complete(job.dest, second)
    assert temp_files(directory) == stale, "the rerun must leave stale temporary files exactly as they were"
    for path, digest in job.inputs.items():
        assert sha256_file(path) == digest
    return {"trigger": trigger, "killed": killed, "completed": completed, "stale": len(stale)}


def report(name, result):
    print(f"\n{name}: trigger={result['trigger']} killed={result['killed']} "
          f"destination_complete={result['completed']} stale_temp_files_now={result['stale']}")


def delay_for(label: str, seed: int, seconds: float) -> float:
    """A seeded random moment within the command's measured run time (a little past it, too)."""
    return random.Random(f"{label}:{seed}").uniform(0.0, 1.15 * seconds)


DELAY_SEEDS = [1, 2, 3]


def big_triggers(total: int):
    return ([pytest.param(("delay", s), id=f"random-delay-seed{s}") for s in DELAY_SEEDS]
            + [pytest.param(("bytes", n), id=f"after-{n}-bytes") for n in (1, 8 * MiB, total // 2, total)])


# --- decrypt ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def decrypt_dir(tmp_path_factory):
    """One destination directory for all decrypt trials: stale temp files pile up in it."""
    d = tmp_path_factory.mktemp("kill-decrypt")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("trigger", big_triggers(BIG_SIZE))
def test_kill_decrypt(nbkey, big, decrypt_dir, trigger, mode):
    dest = decrypt_dir / "plain.out"
    if dest.exists():
        dest.unlink()
    if trigger[0] == "delay":
        trigger = ("delay", delay_for("decrypt", trigger[1], big.decrypt_seconds))

    def complete(path, r):
        assert sha256_file(path) == big.plain_sha, "decrypt's destination exists but is not the plaintext"
        assert file_mode(path) == 0o666 & ~current_umask()

    job = Job(["decrypt", "--key", big.key, big.sealed, "-o", dest], dest, complete,
              {big.sealed: big.sealed_sha, big.key: sha256_file(big.key)}, final_mode=0o666 & ~current_umask(),
              env=MODES[mode])
    report("decrypt", kill_trial(nbkey, job, trigger))


# --- decrypt --in-place ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def inplace_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("kill-inplace")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.mark.parametrize("trigger", [pytest.param(("delay", s), id=f"random-delay-seed{s}") for s in DELAY_SEEDS]
                         + [pytest.param(("bytes", n), id=f"after-{n}-bytes") for n in (1, BIG_SIZE // 2, BIG_SIZE)])
@pytest.mark.parametrize("mode", MODES)
def test_kill_decrypt_in_place(nbkey, big, inplace_dir, trigger, mode):
    target = inplace_dir / "download.bin"

    def reset():
        if target.exists():
            os.chmod(target, 0o600)
            target.unlink()
        shutil.copyfile(big.sealed, target)
        os.chmod(target, 0o640)

    reset()
    if trigger[0] == "delay":
        trigger = ("delay", delay_for("in-place", trigger[1], big.decrypt_seconds))

    def complete(path, r):
        assert sha256_file(path) == big.plain_sha
        assert file_mode(path) == 0o640, "--in-place keeps the input's permission bits"

    job = Job(["decrypt", "--key", big.key, target, "--in-place"], target, complete,
              {big.key: sha256_file(big.key)}, reset=reset, in_place_ok=(big.sealed_sha, big.plain_sha),
              final_mode=0o640, env=MODES[mode], replaces=True)
    report("decrypt --in-place", kill_trial(nbkey, job, trigger))


# --- decrypt -o - ------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", DELAY_SEEDS)
def test_kill_decrypt_to_stdout(nbkey, big, tmp_path, seed):
    """`-o -` buffers the plaintext in an unlinked temporary file in TMPDIR: a kill leaves nothing
    there, and whatever reached stdout is authenticated plaintext (a prefix of it)."""
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    delay = delay_for("stdout", seed, big.decrypt_seconds * 1.5)
    p = spawn(nbkey, ["decrypt", "--key", big.key, big.sealed, "-o", "-"], env={"TMPDIR": str(tmpdir)})
    got = bytearray()

    def drain():
        while True:
            b = p.stdout.read(MiB)
            if not b:
                return
            got.extend(b)

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    p.wait(60)
    t.join(60)
    err = p.stderr.read()
    assert p.returncode in (0, -signal.SIGKILL), err
    assert listing(tmpdir) == set(), f"left in TMPDIR: {listing(tmpdir)}"
    if got:
        with open(big.plain, "rb") as f:
            assert f.read(len(got)) == bytes(got), "stdout received bytes that are not the plaintext"
    if p.returncode == 0:
        assert len(got) == BIG_SIZE
    print(f"\ndecrypt -o -: delay={delay:.3f}s exit={p.returncode} stdout_bytes={len(got)}")
    assert sha256_file(big.sealed) == big.sealed_sha


# --- encrypt ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def encrypt_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("kill-encrypt")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.mark.parametrize("trigger", [pytest.param(("delay", s), id=f"random-delay-seed{s}") for s in DELAY_SEEDS]
                         + [pytest.param(("bytes", n), id=f"after-{n}-bytes")
                            for n in (48, BIG_SIZE // 2, BIG_SIZE + 48)])
def test_kill_encrypt(nbkey, big, encrypt_dir, trigger):
    dest = encrypt_dir / "plain.sealed"
    if dest.exists():
        dest.unlink()
    if trigger[0] == "delay":
        trigger = ("delay", delay_for("encrypt", trigger[1], big.encrypt_seconds))

    def complete(path, r):
        data = path.read_bytes()
        assert len(data) == BIG_SIZE + 48
        opened = open_sealed(big.sk, data)  # PyNaCl: raises on a corrupt box
        del data
        assert hashlib.sha256(opened).hexdigest() == big.plain_sha

    job = Job(["encrypt", "--to", b64(big.pk), big.plain, "-o", dest], dest, complete,
              {big.plain: big.plain_sha}, final_mode=0o666 & ~current_umask())
    report("encrypt", kill_trial(nbkey, job, trigger))


# --- keygen, unwrap, key protect (small outputs: random moments only) -------------------------

def measure(nbkey, args, env=None, cleanup: Path | None = None, n=3) -> float:
    times = []
    for _ in range(n):
        r = ok(nbkey, *args, env=env)
        times.append(r.seconds)
        if cleanup is not None:
            cleanup.unlink()
    return sorted(times)[len(times) // 2]


SMALL_SEEDS = [1, 2, 3, 4, 5, 6]


@pytest.fixture(scope="module")
def small_dirs(tmp_path_factory):
    d = tmp_path_factory.mktemp("kill-small")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def check_keyfile(path: Path, r: Run | None, expected: bytes | None = None):
    data = path.read_bytes()
    m = KEYFILE_RE.fullmatch(data)
    assert m, f"{path} is not a complete key file: {len(data)} bytes"
    pk, sk = unb64(m.group(1)), unb64(m.group(2))
    assert webapp.x25519_public_key(sk) == pk
    assert file_mode(path) == 0o600
    if expected is not None:
        assert data == expected
    if r is not None and r.stdout:
        assert r.stdout == m.group(1) + b"\n", "keygen printed another public key than it saved"


def small_triggers(seeds):
    """Seeded random moments, plus: as soon as the temporary file exists (before the write), and
    once it holds bytes (nbkey writes a key file in one write: then fchmod/fsync/link remain)."""
    return ([pytest.param(s, id=f"random-delay-seed{s}") for s in seeds]
            + [pytest.param(("bytes", 0), id="at-temp-created"), pytest.param(("bytes", 1), id="after-write")])


def small_trigger(label, seed, seconds):
    return seed if isinstance(seed, tuple) else ("delay", delay_for(label, seed, seconds))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("seed", small_triggers(SMALL_SEEDS))
def test_kill_keygen(nbkey, small_dirs, seed, mode):
    d = small_dirs / "keygen"
    d.mkdir(exist_ok=True)
    dest = d / "numerbay.json"
    if dest.exists():
        dest.unlink()
    seconds = measure(nbkey, ["keygen", "-o", dest], cleanup=dest)
    job = Job(["keygen", "-o", dest], dest, lambda p, r: check_keyfile(p, r), {}, env=MODES[mode])
    report("keygen", kill_trial(nbkey, job, small_trigger("keygen", seed, seconds)))


@pytest.fixture(scope="module")
def wrapped(nbkey, small_dirs):
    src = small_dirs / "src"
    src.mkdir(exist_ok=True)
    sk, pk, key = keyfile(src)
    wallet = write_secret(src / "wallet.key", random_eth_key().hex() + "\n")
    stored = src / "stored_v2.txt"
    stored.write_bytes(ok(nbkey, "wrap", "--key", key, "--scheme", "v2", "--private-key-file", wallet).stdout)
    return key, wallet, stored


@pytest.mark.parametrize("seed", small_triggers(SMALL_SEEDS))
def test_kill_unwrap(nbkey, small_dirs, wrapped, seed):
    key, wallet, stored = wrapped
    d = small_dirs / "unwrap"
    d.mkdir(exist_ok=True)
    dest = d / "numerbay.json"
    if dest.exists():
        dest.unlink()
    args = ["unwrap", "--private-key-file", wallet, stored, "-o", dest]
    seconds = measure(nbkey, args, cleanup=dest)
    expected = key.read_bytes()
    job = Job(args, dest, lambda p, r: check_keyfile(p, None, expected),
              {key: sha256_file(key), wallet: sha256_file(wallet), stored: sha256_file(stored)})
    report("unwrap", kill_trial(nbkey, job, small_trigger("unwrap", seed, seconds)))


@pytest.mark.parametrize("seed", small_triggers(SMALL_SEEDS[:4]))
def test_kill_key_protect(nbkey, small_dirs, wrapped, seed):
    key = wrapped[0]
    d = small_dirs / "protect"
    d.mkdir(exist_ok=True)
    dest = d / "numerbay.protected.json"
    if dest.exists():
        dest.unlink()
    env = {"NBKEY_PASSPHRASE": PASSPHRASE}
    args = ["key", "protect", key, "-o", dest]
    seconds = measure(nbkey, args, env=env, cleanup=dest, n=1)
    plain = key.read_text()

    def complete(path, r):
        assert file_mode(path) == 0o600
        assert webapp.unprotect(path.read_bytes(), PASSPHRASE) == plain

    job = Job(args, dest, complete, {key: sha256_file(key)}, env=env)
    report("key protect", kill_trial(nbkey, job, small_trigger("protect", seed, seconds)))


def test_stale_temp_files_are_ignored(nbkey, tmp_path):
    """Many stale temporary files with nbkey's own naming scheme (as left by killed runs), and a
    stale one that is a symlink to a file nbkey must not touch: every command still succeeds,
    and all of them are left exactly as they were."""
    sk, pk, key = keyfile(tmp_path, "k.json")
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"must not change")
    names = ["numerbay.json", "plain.txt", "plain.sealed", "prot.json"]
    stale = {}
    for base in names:
        for i in range(5):
            p = out / f".{base}.nbkey-{os.urandom(6).hex()}.tmp"
            p.write_bytes(os.urandom(100 + i))
            os.chmod(p, 0o600)
            stale[p.name] = p.read_bytes()
    link = out / f".plain.txt.nbkey-{os.urandom(6).hex()}.tmp"
    link.symlink_to(victim)
    plain = tmp_path / "plain.txt"
    plain.write_bytes(os.urandom(5000))
    ok(nbkey, "keygen", "-o", out / "numerbay.json")
    ok(nbkey, "encrypt", "--to", b64(pk), plain, "-o", out / "plain.sealed")
    ok(nbkey, "decrypt", "--key", key, out / "plain.sealed", "-o", out / "plain.txt")
    ok(nbkey, "key", "protect", key, "-o", out / "prot.json", env={"NBKEY_PASSPHRASE": PASSPHRASE})
    assert (out / "plain.txt").read_bytes() == plain.read_bytes()
    for name, data in stale.items():
        assert (out / name).read_bytes() == data, f"stale temporary file {name} changed"
    assert link.is_symlink() and victim.read_bytes() == b"must not change"
    assert len(temp_files(out)) == len(stale) + 1
    print(f"\n{len(stale) + 1} stale temporary files present; all four commands succeeded and left them untouched")


def current_umask() -> int:
    m = os.umask(0o022)
    os.umask(m)
    return m


# ------------------------------------------------------------------------------------------
# full disk, read-only destination (tmpfs mounts: root only)
# ------------------------------------------------------------------------------------------

@contextmanager
def tmpfs(path: Path, size: str = "8m"):
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs (mount -t tmpfs)")
    path.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs at {path}: {r.stderr.strip() or r.returncode}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(directory: Path) -> Path:
    """Fills the file system of `directory` completely (until ENOSPC at one byte)."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for size in (MiB, 4096, 1):
            chunk = b"\xa5" * size
            while True:
                try:
                    os.write(fd, chunk)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    st = os.statvfs(directory)
    assert st.f_bavail == 0, "the file system should be full"
    return filler


@pytest.fixture(scope="module")
def medium(nbkey, tmp_path_factory):
    """A 20 MiB plaintext and its sealed file."""
    d = tmp_path_factory.mktemp("faults-medium")
    sk, pk, key = keyfile(d)
    plain = d / "plain20.bin"
    plain.write_bytes(os.urandom(20 * MiB))
    sealed = d / "plain20.sealed"
    ok(nbkey, "encrypt", "--to", b64(pk), plain, "-o", sealed)
    yield type("Medium", (), dict(dir=d, sk=sk, pk=pk, key=key, plain=plain, sealed=sealed,
                                   plain_sha=sha256_file(plain), sealed_sha=sha256_file(sealed)))
    shutil.rmtree(d, ignore_errors=True)


def assert_inputs(m):
    assert sha256_file(m.plain) == m.plain_sha and sha256_file(m.sealed) == m.sealed_sha


@pytest.mark.parametrize("command", ["decrypt", "encrypt"])
def test_full_disk(nbkey, medium, tmp_path, command):
    with tmpfs(tmp_path / "small", "8m") as mnt:
        dest = mnt / "out.bin"
        if command == "decrypt":
            r = run(nbkey, "decrypt", "--key", medium.key, medium.sealed, "-o", dest)
        else:
            r = run(nbkey, "encrypt", "--to", b64(medium.pk), medium.plain, "-o", dest)
        assert_clean_failure(r, "write", "no space left")
        assert listing(mnt) == set(), f"left behind on the full disk: {listing(mnt)}"
        assert os.statvfs(mnt).f_bfree == os.statvfs(mnt).f_blocks, "space is still in use"
    assert_inputs(medium)


def test_full_disk_decrypt_to_stdout(nbkey, medium, tmp_path):
    """`-o -` buffers the plaintext in an unlinked temporary file in TMPDIR: when TMPDIR is full
    the command fails and nothing reaches stdout."""
    with tmpfs(tmp_path / "small", "8m") as mnt:
        r = run(nbkey, "decrypt", "--key", medium.key, medium.sealed, "-o", "-", env={"TMPDIR": str(mnt)})
        assert_clean_failure(r, "no space left")
        assert listing(mnt) == set()
    assert_inputs(medium)


def test_full_disk_decrypt_in_place(nbkey, medium, tmp_path):
    with tmpfs(tmp_path / "small", "32m") as mnt:
        target = mnt / "download.bin"
        shutil.copyfile(medium.sealed, target)
        r = run(nbkey, "decrypt", "--key", medium.key, target, "--in-place")
        assert_clean_failure(r, "write", "no space left")
        assert listing(mnt) == {"download.bin"}
        assert sha256_file(target) == medium.sealed_sha, "--in-place changed its input on a full disk"


@pytest.mark.parametrize("command", ["keygen", "keygen --protect", "unwrap", "key protect", "key unprotect"])
def test_key_file_into_full_disk(nbkey, tmp_path, command):
    src = tmp_path / "src"
    src.mkdir()
    sk, pk, key = keyfile(src)
    env = {"NBKEY_PASSPHRASE": PASSPHRASE}
    wallet = write_secret(src / "wallet.key", random_eth_key().hex())
    stored = src / "stored.txt"
    stored.write_bytes(ok(nbkey, "wrap", "--key", key, "--scheme", "v2", "--private-key-file", wallet).stdout)
    prot = src / "prot.json"
    ok(nbkey, "key", "protect", key, "-o", prot, env=env)
    with tmpfs(tmp_path / "full", "1m") as mnt:
        filler = fill(mnt)
        filler_sha = sha256_file(filler)
        dest = mnt / "numerbay.json"
        args = {"keygen": ["keygen", "-o", dest],
                "keygen --protect": ["keygen", "--protect", "-o", dest],
                "unwrap": ["unwrap", "--private-key-file", wallet, stored, "-o", dest],
                "key protect": ["key", "protect", key, "-o", dest],
                "key unprotect": ["key", "unprotect", prot, "-o", dest]}[command]
        r = run(nbkey, *args, env=env)
        assert_clean_failure(r, "no space left")
        assert listing(mnt) == {"filler"}, f"left behind: {listing(mnt)}"
        assert sha256_file(filler) == filler_sha


def read_only_dir(tmp_path: Path, populate: Callable[[Path], None] | None = None):
    """A read-only directory: as root (who ignores permission bits) a tmpfs remounted ro,
    otherwise chmod 0555."""
    d = tmp_path / "ro"
    if os.geteuid() == 0:
        cm = tmpfs(d, "32m")
        mnt = cm.__enter__()
        if populate:
            populate(mnt)
        r = subprocess.run(["mount", "-o", "remount,ro", str(mnt)], capture_output=True, text=True)
        if r.returncode != 0:
            cm.__exit__(None, None, None)
            pytest.skip(f"cannot remount the tmpfs read-only: {r.stderr.strip()}")
        return mnt, lambda: cm.__exit__(None, None, None)
    d.mkdir()
    if populate:
        populate(d)
    os.chmod(d, 0o555)
    return d, lambda: os.chmod(d, 0o755)


@pytest.mark.parametrize("command", ["decrypt", "encrypt", "keygen", "unwrap", "key protect", "decrypt -o - TMPDIR"])
def test_read_only_destination(nbkey, medium, tmp_path, command):
    wallet = write_secret(tmp_path / "wallet.key", random_eth_key().hex())
    stored = tmp_path / "stored.txt"
    stored.write_bytes(ok(nbkey, "wrap", "--key", medium.key, "--scheme", "v2", "--private-key-file", wallet).stdout)
    d, cleanup = read_only_dir(tmp_path)
    try:
        dest = d / "out.bin"
        env = {"NBKEY_PASSPHRASE": PASSPHRASE}
        args = {"decrypt": ["decrypt", "--key", medium.key, medium.sealed, "-o", dest],
                "encrypt": ["encrypt", "--to", b64(medium.pk), medium.plain, "-o", dest],
                "keygen": ["keygen", "-o", dest],
                "unwrap": ["unwrap", "--private-key-file", wallet, stored, "-o", dest],
                "key protect": ["key", "protect", medium.key, "-o", dest],
                "decrypt -o - TMPDIR": ["decrypt", "--key", medium.key, medium.sealed, "-o", "-"]}[command]
        if command.endswith("TMPDIR"):
            env["TMPDIR"] = str(d)
        r = run(nbkey, *args, env=env)
        assert_clean_failure(r)
        if os.geteuid() == 0:
            assert "read-only file system" in r.err_text, r.describe()
        assert listing(d) == set()
    finally:
        cleanup()
    assert_inputs(medium)


def test_read_only_directory_in_place(nbkey, medium, tmp_path):
    d, cleanup = read_only_dir(tmp_path, lambda m: shutil.copyfile(medium.sealed, m / "download.bin"))
    try:
        r = run(nbkey, "decrypt", "--key", medium.key, d / "download.bin", "--in-place")
        assert_clean_failure(r)
        assert listing(d) == {"download.bin"}
        assert sha256_file(d / "download.bin") == medium.sealed_sha
    finally:
        cleanup()


# ------------------------------------------------------------------------------------------
# odd destinations and inputs
# ------------------------------------------------------------------------------------------

@pytest.fixture
def small(tmp_path):
    sk, pk, key = keyfile(tmp_path)
    plain = tmp_path / "plain.txt"
    plain.write_bytes(os.urandom(3 * MiB + 17))
    sealed = tmp_path / "plain.sealed"
    sealed.write_bytes(webapp.seal(pk, plain.read_bytes()))
    return type("Small", (), dict(dir=tmp_path, sk=sk, pk=pk, key=key, plain=plain, sealed=sealed))


@pytest.mark.parametrize("command", ["decrypt", "keygen", "unwrap", "key protect", "key unprotect"])
@pytest.mark.parametrize("force", [False, True], ids=["no-force", "force"])
def test_destination_is_a_directory(nbkey, small, command, force):
    dest = small.dir / "outdir"
    dest.mkdir()
    (dest / "keep.txt").write_bytes(b"keep")
    env = {"NBKEY_PASSPHRASE": PASSPHRASE}
    wallet = write_secret(small.dir / "wallet.key", random_eth_key().hex())
    stored = small.dir / "stored.txt"
    stored.write_bytes(webapp.wrap_v2(bytes.fromhex(wallet.read_text()), small.sk, os.urandom(32), os.urandom(24)).encode())
    prot = small.dir / "prot.json"
    prot.write_text(webapp.protect(small.key.read_text(), PASSPHRASE, os.urandom(16), os.urandom(24), 1, 8192))
    args = {"decrypt": ["decrypt", "--key", small.key, small.sealed, "-o", dest],
            "keygen": ["keygen", "-o", dest],
            "unwrap": ["unwrap", "--private-key-file", wallet, stored, "-o", dest],
            "key protect": ["key", "protect", small.key, "-o", dest],
            "key unprotect": ["key", "unprotect", prot, "-o", dest]}[command]
    r = run(nbkey, *args, *(["--force"] if force else []), env=env)
    assert_clean_failure(r, "is a directory")
    assert listing(dest) == {"keep.txt"} and (dest / "keep.txt").read_bytes() == b"keep"
    assert not temp_files(small.dir)


def test_encrypt_single_recipient_into_a_directory(nbkey, small):
    """With one --to, an existing directory as OUT is either refused or used as the multi-recipient
    output directory (Encrypt's help: OUT is a directory for several recipients): in the second
    case the one file written there must be a sealed box PyNaCl opens, named NAME.to-HEX12.sealed."""
    dest = small.dir / "outdir"
    dest.mkdir()
    r = run(nbkey, "encrypt", "--to", b64(small.pk), small.plain, "-o", dest)
    if r.returncode != 0:
        assert_clean_failure(r, "directory")
        assert listing(dest) == set()
        return
    names = listing(dest)
    expected = f"plain.txt.to-{small.pk[:6].hex()}.sealed"
    assert names == {expected}, r.describe()
    assert open_sealed(small.sk, (dest / expected).read_bytes()) == small.plain.read_bytes()
    print(f"\nnote: encrypt --to PK IN -o DIR (one recipient) wrote {expected} into DIR; stdout {r.stdout!r}")


SAME_KINDS = ["same-path", "same-path-force", "dot-slash", "hard-link-force", "symlink", "symlink-force",
              "symlink-relative-force"]


@pytest.mark.parametrize("command", ["decrypt", "encrypt"])
@pytest.mark.parametrize("kind", SAME_KINDS)
def test_output_is_the_input(nbkey, small, command, kind):
    src = small.sealed if command == "decrypt" else small.plain
    before = sha256_file(src)
    if kind.startswith("same-path"):
        out = src
    elif kind == "dot-slash":
        out = Path(f"{src.parent}/./{src.name}")
    elif kind == "hard-link-force":
        out = small.dir / "hardlink"
        os.link(src, out)
    elif kind == "symlink-relative-force":
        out = small.dir / "sub" / "rel-link"
        out.parent.mkdir()
        out.symlink_to(Path("..") / src.name)
    else:
        out = small.dir / "symlink"
        out.symlink_to(src)
    force = ["--force"] if kind.endswith("force") else []
    if command == "decrypt":
        r = run(nbkey, "decrypt", "--key", small.key, src, "-o", out, *force)
    else:
        r = run(nbkey, "encrypt", "--to", b64(small.pk), src, "-o", out, *force)
    assert_clean_failure(r)
    assert "is the input" in r.err_text or "already exists" in r.err_text, r.describe()
    assert sha256_file(src) == before, "the input changed"
    if "link" in kind and "hard" not in kind:
        assert out.is_symlink(), "the symlink to the input was replaced"
    if kind == "hard-link-force":
        assert os.stat(out).st_ino == os.stat(src).st_ino and sha256_file(out) == before
    assert not temp_files(small.dir) and not temp_files(out.parent)


@pytest.mark.parametrize("command", ["decrypt", "encrypt"])
@pytest.mark.parametrize("kind", ["file", "symlink", "dangling-symlink"])
def test_existing_output_and_force(nbkey, small, command, kind):
    """An existing output is refused without --force and left as it was; with --force a symlink
    at the destination is itself replaced by a regular file, and the file it points to (or the
    missing target of a dangling one) is untouched."""
    out = small.dir / "out" / "result.bin"
    out.parent.mkdir()
    target = small.dir / "elsewhere.bin"
    if kind == "file":
        out.write_bytes(b"existing output")
    else:
        if kind == "symlink":
            target.write_bytes(b"symlink target")
        out.symlink_to(target)
    args = (["decrypt", "--key", small.key, small.sealed, "-o", out] if command == "decrypt"
            else ["encrypt", "--to", b64(small.pk), small.plain, "-o", out])
    r = run(nbkey, *args)
    assert_clean_failure(r, "already exists")
    assert listing(out.parent) == {"result.bin"}
    if kind == "file":
        assert out.read_bytes() == b"existing output"
    else:
        assert out.is_symlink() and os.readlink(out) == str(target)
    ok(nbkey, *args, "--force")
    assert not out.is_symlink() and stat.S_ISREG(os.lstat(out).st_mode)
    got = out.read_bytes()
    assert (got if command == "decrypt" else open_sealed(small.sk, got)) == small.plain.read_bytes()
    if kind == "symlink":
        assert target.read_bytes() == b"symlink target", "--force wrote through the symlink"
    if kind == "dangling-symlink":
        assert not target.exists(), "--force created the dangling symlink's target"
    assert listing(out.parent) == {"result.bin"}


@pytest.mark.parametrize("damage", ["flip-first", "flip-middle", "flip-tag", "truncate", "append"])
def test_failed_in_place_keeps_input(nbkey, small, damage):
    data = bytearray(small.sealed.read_bytes())
    if damage == "flip-first":
        data[48] ^= 1
    elif damage == "flip-middle":
        data[len(data) // 2] ^= 0x80
    elif damage == "flip-tag":
        data[40] ^= 1
    elif damage == "truncate":
        del data[-1]
    else:
        data += b"\0"
    target = small.dir / "download.bin"
    target.write_bytes(bytes(data))
    os.chmod(target, 0o640)
    st = os.stat(target)
    r = run(nbkey, "decrypt", "--key", small.key, target, "--in-place")
    assert_clean_failure(r, "authentication failed")
    assert target.read_bytes() == bytes(data), "--in-place changed its input although it failed"
    st2 = os.stat(target)
    assert (st2.st_ino, st2.st_mode, st2.st_mtime_ns) == (st.st_ino, st.st_mode, st.st_mtime_ns)
    assert not temp_files(small.dir)


def feed_fifo(path: Path, data: bytes) -> threading.Thread:
    def writer():
        try:
            with open(path, "wb") as f:
                f.write(data)
        except (BrokenPipeError, OSError):
            pass
    t = threading.Thread(target=writer, daemon=True)
    t.start()
    return t


def unblock_fifo(path: Path):
    """Lets a writer blocked in open() proceed (and then fail with EPIPE) if nbkey never opened the FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.close(fd)
    except OSError:
        pass


@pytest.mark.parametrize("command", ["encrypt", "decrypt"])
def test_fifo_input(nbkey, small, command):
    fifo = small.dir / "in.fifo"
    os.mkfifo(fifo)
    out = small.dir / "out.bin"
    data = small.plain.read_bytes() if command == "encrypt" else small.sealed.read_bytes()
    t = feed_fifo(fifo, data)
    try:
        if command == "encrypt":
            r = run(nbkey, "encrypt", "--to", b64(small.pk), fifo, "-o", out, timeout=60)
        else:
            r = run(nbkey, "decrypt", "--key", small.key, fifo, "-o", out, timeout=60)
    finally:
        unblock_fifo(fifo)
        t.join(5)
    assert r.returncode == 0, r.describe()
    got = out.read_bytes()
    if command == "encrypt":
        got = open_sealed(small.sk, got)
    assert got == small.plain.read_bytes()
    assert not temp_files(small.dir)


@pytest.mark.parametrize("command", ["encrypt", "decrypt"])
@pytest.mark.parametrize("stdin_kind", ["pipe", "file"])
def test_dev_stdin_input(nbkey, small, command, stdin_kind):
    out = small.dir / "out.bin"
    src = small.plain if command == "encrypt" else small.sealed
    args = (["encrypt", "--to", b64(small.pk), "/dev/stdin", "-o", out] if command == "encrypt"
            else ["decrypt", "--key", small.key, "/dev/stdin", "-o", out])
    if stdin_kind == "pipe":
        r = run(nbkey, *args, input=src.read_bytes())
    else:
        with open(src, "rb") as f:
            r = run(nbkey, *args, stdin=f)
    assert r.returncode == 0, r.describe()
    got = out.read_bytes()
    if command == "encrypt":
        got = open_sealed(small.sk, got)
    assert got == small.plain.read_bytes()


@pytest.mark.parametrize("via", ["file", "stdin-dash", "dev-stdin"])
def test_encrypt_empty_input(nbkey, small, via):
    empty = small.dir / "empty.txt"
    empty.write_bytes(b"")
    out = small.dir / "empty.sealed"
    src = {"file": empty, "stdin-dash": "-", "dev-stdin": "/dev/stdin"}[via]
    ok(nbkey, "encrypt", "--to", b64(small.pk), src, "-o", out, input=b"")
    data = out.read_bytes()
    assert len(data) == 48
    assert open_sealed(small.sk, data) == b""
    dec = small.dir / "empty.out"
    ok(nbkey, "decrypt", "--key", small.key, out, "-o", dec)
    assert dec.read_bytes() == b""


@pytest.mark.parametrize("size", [0, 1, 47, 48], ids=lambda n: f"{n}-bytes")
def test_decrypt_too_short_or_garbage(nbkey, small, size):
    src = small.dir / "short.bin"
    src.write_bytes(os.urandom(size))
    before = src.read_bytes()
    out = small.dir / "short.out"
    r = run(nbkey, "decrypt", "--key", small.key, src, "-o", out)
    assert_clean_failure(r, "not a sealed file" if size < 48 else "authentication failed")
    assert not out.exists() and not temp_files(small.dir)
    assert src.read_bytes() == before
    r = run(nbkey, "decrypt", "--key", small.key, "-", "-o", "-", input=before)
    assert_clean_failure(r)


def test_decrypt_empty_in_place_keeps_input(nbkey, small):
    src = small.dir / "empty.bin"
    src.write_bytes(b"")
    r = run(nbkey, "decrypt", "--key", small.key, src, "--in-place")
    assert_clean_failure(r, "not a sealed file")
    assert src.exists() and src.read_bytes() == b"" and not temp_files(small.dir)


def test_encrypt_growing_file(nbkey, tmp_path):
    """A writer thread appends to the file while nbkey seals it. The result must be a sealed box
    PyNaCl opens whose plaintext is a prefix of the final file (at least what was there at the
    start), or a clean error and no file - never a corrupt file."""
    sk, pk, key = keyfile(tmp_path)
    src = tmp_path / "growing.log"
    initial = os.urandom(32 * MiB)
    src.write_bytes(initial)
    out = tmp_path / "growing.sealed"
    stop = threading.Event()
    appended = [0]

    def writer():
        block = 0
        with open(src, "ab", buffering=0) as f:
            while not stop.is_set() and appended[0] < 192 * MiB:
                chunk = hashlib.sha256(b"block%d" % block).digest() * 2048  # 64 KiB
                f.write(chunk)
                appended[0] += len(chunk)
                block += 1
                if block % 8 == 0:
                    time.sleep(0.0005)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    try:
        r = run(nbkey, "encrypt", "--to", b64(pk), src, "-o", out, timeout=120)
    finally:
        stop.set()
        t.join(10)
    final = src.read_bytes()
    src.unlink()  # up to ~220 MiB: not worth keeping in pytest's retained temp dirs
    assert final[:len(initial)] == initial
    if r.returncode != 0:
        assert_clean_failure(r)
        assert not out.exists() and not temp_files(tmp_path)
        return
    opened = open_sealed(sk, out.read_bytes())
    out.unlink()
    assert len(opened) >= len(initial)
    assert final[:len(opened)] == opened, "the sealed content is not a prefix of the file"
    assert listing(tmp_path) == {"numerbay.json"}, "a temporary file was left behind"
    print(f"\ngrowing file: sealed {len(opened)} bytes of {len(final)} (writer appended {appended[0]})")
