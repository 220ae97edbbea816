"""Secret hygiene of nbkey (issue 7 item 4; SECURITY.md "What nbkey protects"):

- key files are created 0600 whatever the umask (keygen, keygen --protect, unwrap, unwrap
  --protect, key protect, key unprotect), also when --force replaces a 0666 file;
- an existing file, symlink or dangling symlink at a key path is refused without --force and left
  as it was (the symlink's target untouched, a dangling one's target not created); with --force
  the symlink itself is replaced by a regular 0600 file and the file it pointed to is unchanged;
- a `warning:` line on stderr when a key file or wallet secret file read is group- or
  world-readable, none for 0600, and none when the command fails;
- core dumps disabled: /proc/PID/limits of a running nbkey shows "Max core file size" 0 / 0 even
  when its parent allowed unlimited core files;
- no secret in output: for many failing commands, stdout and stderr hold no form of any secret
  (hex in both cases, base64 standard/URL-safe, v1 decimal lists, and 16-character windows of
  each so a truncated secret is caught too; passwords, passphrases, mnemonic words - whole-word -
  and a mistyped mnemonic word); and /proc/PID/cmdline of running nbkey processes holds none.

Secrets reach nbkey only through files (0600) or the environment."""

from __future__ import annotations

import base64
import json
import os
import re
import resource
import secrets
import shutil
import signal
import stat
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import nacl.secret
import pytest
from mnemonic import Mnemonic

import webapp
from conftest import (KEYFILE_RE, REPO_ROOT, SECP256K1_N, b64, file_mode, random_eth_key, unb64,
                      write_secret)

SECRET_ENV = ("NBKEY_MNEMONIC_PASSPHRASE", "NBKEY_PASSWORD", "NBKEY_PASSPHRASE", "NUMERBAY_KEY_PATH")
TMP_RE = re.compile(r"^\..+\.nbkey-[0-9A-Za-z]+\.tmp$")
M = Mnemonic("english")


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------

def child_env(extra=None):
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    if extra:
        env.update(extra)
    return env


@dataclass
class Run:
    args: list
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def err_text(self):
        return self.stderr.decode("utf-8", "replace")

    def describe(self):
        return (f"nbkey {' '.join(map(str, self.args))}\n  exit: {self.returncode}\n"
                f"  stdout ({len(self.stdout)} bytes): {self.stdout[:300]!r}\n  stderr: {self.stderr[:1000]!r}")


def run(nbkey, *args, env=None, input: bytes = b"", umask: int | None = None, timeout=60) -> Run:
    pre = (lambda: os.umask(umask)) if umask is not None else None
    cp = subprocess.run([str(nbkey.path), *map(str, args)], input=input, capture_output=True,
                        env=child_env(env), preexec_fn=pre, timeout=timeout)
    return Run([str(a) for a in args], cp.returncode, cp.stdout, cp.stderr)


def ok(nbkey, *args, **kw) -> Run:
    r = run(nbkey, *args, **kw)
    assert r.returncode == 0, "expected success:\n" + r.describe()
    return r


def assert_clean_failure(r: Run, *contains):
    assert r.returncode == 1, "expected exit status 1:\n" + r.describe()
    assert r.stdout == b"", "stdout must be empty on failure:\n" + r.describe()
    lines = r.err_text.splitlines()
    assert lines and lines[0].startswith("error: "), "stderr must start with 'error: ':\n" + r.describe()
    assert all(l.startswith("hint: ") for l in lines[1:]), "only hint: lines may follow:\n" + r.describe()
    for c in contains:
        assert c in lines[0], f"error line should mention {c!r}:\n" + r.describe()


def temp_files(d: Path):
    return sorted(n for n in os.listdir(d) if TMP_RE.match(n))


PASSPHRASE = "hygiene-Passphrase-" + secrets.token_hex(6)
WRONG_PASSPHRASE = "hygiene-Wrong-" + secrets.token_hex(6)
PASSWORD = "keystore-Password-" + secrets.token_hex(6)
WRONG_PASSWORD = "keystore-Wrong-" + secrets.token_hex(6)
MNEMONIC_PASSPHRASE = "bip39-Extra-" + secrets.token_hex(6)


def new_keyfile(d: Path, name="numerbay.json"):
    sk = os.urandom(32)
    pk = webapp.x25519_public_key(sk)
    return sk, pk, write_secret(d / name, webapp.keyfile_json(pk, sk))


def check_keyfile(path: Path, expected: bytes | None = None):
    data = path.read_bytes()
    if data.startswith(b'{"format":"nbkey-protected-key/1"'):
        data = webapp.unprotect(data, PASSPHRASE).encode()
    m = KEYFILE_RE.fullmatch(data)
    assert m, f"{path} is not a key file"
    assert webapp.x25519_public_key(unb64(m.group(2))) == unb64(m.group(1))
    if expected is not None:
        assert data == expected


@pytest.fixture
def src(nbkey, tmp_path):
    """Inputs for the key-file-writing commands, in tmp_path/src."""
    d = tmp_path / "src"
    d.mkdir()
    sk, pk, key = new_keyfile(d)
    eth = random_eth_key()
    wallet = write_secret(d / "wallet.key", eth.hex() + "\n")
    stored = d / "stored_v2.txt"
    stored.write_text(webapp.wrap_v2(eth, sk, os.urandom(32), os.urandom(24)))
    prot = d / "numerbay.protected.json"
    prot.write_text(webapp.protect(key.read_text(), PASSPHRASE, os.urandom(16), os.urandom(24), 1, 1 << 20))
    os.chmod(prot, 0o600)
    return SimpleNamespace(dir=d, sk=sk, pk=pk, key=key, eth=eth, wallet=wallet, stored=stored, prot=prot)


# Commands that write a key file: name -> (args builder, content the output must have or None)
WRITERS = ["keygen", "keygen --protect", "unwrap", "unwrap --protect", "key protect", "key unprotect"]


def writer_args(name, s, dest):
    return {"keygen": ["keygen", "-o", dest],
            "keygen --protect": ["keygen", "--protect", "-o", dest],
            "unwrap": ["unwrap", "--private-key-file", s.wallet, s.stored, "-o", dest],
            "unwrap --protect": ["unwrap", "--protect", "--private-key-file", s.wallet, s.stored, "-o", dest],
            "key protect": ["key", "protect", s.key, "-o", dest],
            "key unprotect": ["key", "unprotect", s.prot, "-o", dest]}[name]


def writer_expected(name, s):
    return s.key.read_bytes() if name in ("unwrap", "unwrap --protect", "key protect", "key unprotect") else None


PASS_ENV = {"NBKEY_PASSPHRASE": PASSPHRASE}


# ------------------------------------------------------------------------------------------
# 0600 under umask 000
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", WRITERS)
def test_key_file_0600_with_umask_000(nbkey, src, tmp_path, command):
    dest = tmp_path / "out" / "numerbay.json"
    dest.parent.mkdir()
    ok(nbkey, *writer_args(command, src, dest), env=PASS_ENV, umask=0)
    assert file_mode(dest) == 0o600, f"{command} under umask 000 wrote mode {oct(file_mode(dest))}"
    check_keyfile(dest, writer_expected(command, src))
    # --force over an existing world-writable file: the new file is 0600 too
    dest.write_bytes(b"old")
    os.chmod(dest, 0o666)
    ok(nbkey, *writer_args(command, src, dest), "--force", env=PASS_ENV, umask=0)
    assert file_mode(dest) == 0o600, f"{command} --force under umask 000 wrote mode {oct(file_mode(dest))}"
    check_keyfile(dest, writer_expected(command, src))
    assert temp_files(dest.parent) == []


def test_ordinary_outputs_follow_umask(nbkey, src, tmp_path):
    """For contrast: decrypted files are ordinary files (0666 & ~umask), not key files."""
    plain = tmp_path / "p.txt"
    plain.write_bytes(b"hello")
    sealed = tmp_path / "p.sealed"
    sealed.write_bytes(webapp.seal(src.pk, b"hello"))
    out = tmp_path / "p.out"
    ok(nbkey, "decrypt", "--key", src.key, sealed, "-o", out, umask=0o027)
    assert file_mode(out) == 0o640


# ------------------------------------------------------------------------------------------
# existing file / symlink / dangling symlink at the key path
# ------------------------------------------------------------------------------------------

EXISTING = ["file", "symlink", "dangling-symlink"]


def make_existing(kind, dest: Path, tmp_path: Path):
    target = tmp_path / "elsewhere" / "target.json"
    target.parent.mkdir(exist_ok=True)
    if kind == "file":
        dest.write_bytes(b"precious existing file")
        os.chmod(dest, 0o644)
        return None
    if kind == "symlink":
        target.write_bytes(b"precious symlink target")
        os.chmod(target, 0o644)
    dest.symlink_to(target)
    return target


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize("kind", EXISTING)
def test_existing_key_path_refused_without_force(nbkey, src, tmp_path, command, kind):
    out = tmp_path / "out"
    out.mkdir()
    dest = out / "numerbay.json"
    target = make_existing(kind, dest, tmp_path)
    r = run(nbkey, *writer_args(command, src, dest), env=PASS_ENV)
    assert_clean_failure(r, "already exists")
    assert "--force" in r.err_text
    if kind == "file":
        assert not dest.is_symlink() and dest.read_bytes() == b"precious existing file"
        assert file_mode(dest) == 0o644
    else:
        assert dest.is_symlink() and os.readlink(dest) == str(target)
        if kind == "symlink":
            assert target.read_bytes() == b"precious symlink target" and file_mode(target) == 0o644
        else:
            assert not target.exists(), "the dangling symlink's target was created"
    assert sorted(os.listdir(out)) == ["numerbay.json"], "a temporary file was left behind"
    assert sorted(os.listdir(target.parent if target else out)) == (
        ["target.json"] if kind == "symlink" else [] if kind == "dangling-symlink" else ["numerbay.json"])


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize("kind", EXISTING)
def test_force_replaces_the_symlink_itself(nbkey, src, tmp_path, command, kind):
    out = tmp_path / "out"
    out.mkdir()
    dest = out / "numerbay.json"
    target = make_existing(kind, dest, tmp_path)
    ok(nbkey, *writer_args(command, src, dest), "--force", env=PASS_ENV)
    assert not dest.is_symlink() and stat.S_ISREG(os.lstat(dest).st_mode), "the destination must be a regular file"
    assert file_mode(dest) == 0o600
    check_keyfile(dest, writer_expected(command, src))
    if kind == "symlink":
        assert target.read_bytes() == b"precious symlink target", "--force wrote through the symlink"
        assert file_mode(target) == 0o644
    if kind == "dangling-symlink":
        assert not target.exists(), "--force created the dangling symlink's target"
    assert sorted(os.listdir(out)) == ["numerbay.json"]


def test_keygen_refused_prints_no_public_key(nbkey, tmp_path):
    dest = tmp_path / "numerbay.json"
    dest.write_bytes(b"x")
    r = run(nbkey, "keygen", "-o", dest)
    assert_clean_failure(r, "already exists")


# ------------------------------------------------------------------------------------------
# warnings for group/world-readable secret files
# ------------------------------------------------------------------------------------------

@pytest.fixture
def readers(nbkey, tmp_path):
    """Commands that read a secret file, each with the file whose mode the test changes."""
    sk, pk, key = new_keyfile(tmp_path)
    eth = random_eth_key()
    wallet = write_secret(tmp_path / "wallet.key", eth.hex())
    prot = write_secret(tmp_path / "prot.json",
                        webapp.protect(key.read_text(), PASSPHRASE, os.urandom(16), os.urandom(24), 1, 1 << 20))
    words = M.generate(128)
    phrase = write_secret(tmp_path / "phrase.txt", words + "\n")
    sealed = tmp_path / "f.sealed"
    sealed.write_bytes(webapp.seal(pk, b"payload"))
    stored = tmp_path / "stored.txt"
    stored.write_text(webapp.wrap_v2(eth, sk, os.urandom(32), os.urandom(24)))
    passfile = write_secret(tmp_path / "passphrase.txt", PASSPHRASE + "\n")
    ks = write_secret(tmp_path / "keystore.json", json.dumps(webapp.keystore_encrypt(
        eth, PASSWORD, kdf="pbkdf2", salt=os.urandom(32), iv=os.urandom(16), uid=str(uuid.uuid4()), c=1000)))
    pwfile = write_secret(tmp_path / "password.txt", PASSWORD + "\n")
    out = tmp_path / "out"
    cases = {
        "decrypt --key": (key, ["decrypt", "--key", key, sealed, "-o", out], {}),
        "decrypt NUMERBAY_KEY_PATH": (key, ["decrypt", sealed, "-o", out], {"NUMERBAY_KEY_PATH": str(key)}),
        "key show": (key, ["key", "show", key], {}),
        "wrap --key": (key, ["wrap", "--key", key, "--scheme", "v2", "--private-key-file", wallet], {}),
        "key protect (plain input)": (key, ["key", "protect", key, "-o", out], PASS_ENV),
        "key unprotect (protected input)": (prot, ["key", "unprotect", prot, "-o", out], PASS_ENV),
        "decrypt --key protected": (prot, ["decrypt", "--key", prot, sealed, "-o", out], PASS_ENV),
        "wallet address --private-key-file": (wallet, ["wallet", "address", "--private-key-file", wallet], {}),
        "unwrap --private-key-file": (wallet, ["unwrap", "--private-key-file", wallet, stored, "-o", out], {}),
        "wallet address --mnemonic-file": (phrase, ["wallet", "address", "--mnemonic-file", phrase], {}),
    }
    # Secret files that are not key files or wallet keys themselves, but unlock one.
    unlocking = {
        "key show --passphrase-file": (passfile, ["key", "show", prot, "--passphrase-file", passfile], {}),
        "wallet address --keystore --password-file": (
            pwfile, ["wallet", "address", "--keystore", ks, "--password-file", pwfile], {}),
    }
    return SimpleNamespace(cases=cases, unlocking=unlocking, out=out, key=key, tmp=tmp_path)


READER_NAMES = ["decrypt --key", "decrypt NUMERBAY_KEY_PATH", "key show", "wrap --key", "key protect (plain input)",
                "key unprotect (protected input)", "decrypt --key protected", "wallet address --private-key-file",
                "unwrap --private-key-file", "wallet address --mnemonic-file"]


def warning_lines(r: Run):
    return [l for l in r.err_text.splitlines() if l.startswith("warning:")]


@pytest.mark.parametrize("name", READER_NAMES)
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o600], ids=lambda m: oct(m))
def test_warning_for_readable_secret_file(nbkey, readers, name, mode):
    path, args, env = readers.cases[name]
    os.chmod(path, mode)
    r = ok(nbkey, *args, env=env)
    warnings = warning_lines(r)
    if mode == 0o600:
        assert warnings == [], f"no warning expected for a 0600 file:\n" + r.describe()
        # unwrap names the scheme that opened; nothing else may be said.
        assert r.stderr == (b"note: unwrapped with scheme v2\n" if name.startswith("unwrap") else b""), r.describe()
    else:
        assert warnings, f"{name}: expected a 'warning:' line for {path.name} at mode {oct(mode)}:\n" + r.describe()
        assert any(str(path) in w for w in warnings), "the warning should name the file:\n" + r.describe()
        assert all(l.startswith(("warning:", "hint:", "note:")) for l in r.err_text.splitlines()), r.describe()


@pytest.mark.parametrize("name", ["key show --passphrase-file", "wallet address --keystore --password-file"])
def test_warning_for_readable_unlocking_secret_file(nbkey, readers, name):
    """A passphrase file or keystore password file is as secret as the key it unlocks
    (SECURITY.md: 'nbkey warns when a key file or wallet secret it reads is group- or
    world-readable')."""
    path, args, env = readers.unlocking[name]
    os.chmod(path, 0o600)
    r = ok(nbkey, *args, env=env)
    assert warning_lines(r) == []
    os.chmod(path, 0o644)
    r = ok(nbkey, *args, env=env)
    assert warning_lines(r), f"{name}: expected a 'warning:' line for {path.name} at mode 0644:\n" + r.describe()


def test_no_warning_when_the_command_fails(nbkey, readers):
    """Warnings are printed only when the command succeeds: a failing command's stderr is its
    error line (and hints) only."""
    key = readers.key
    os.chmod(key, 0o644)
    bad = readers.tmp / "bad.sealed"
    bad.write_bytes(os.urandom(100))
    r = run(nbkey, "decrypt", "--key", key, bad, "-o", readers.out)
    assert_clean_failure(r, "authentication failed")
    assert warning_lines(r) == []


# ------------------------------------------------------------------------------------------
# core dumps disabled
# ------------------------------------------------------------------------------------------

def core_limits(pid: int):
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max core file size"):
            parts = line.split()
            return parts[4], parts[5]
    raise AssertionError("no 'Max core file size' line")


def allow_cores():
    """preexec: let the child dump core without limit (the hard limit as far as we may), so a
    0/0 seen later is nbkey's doing."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def wait_blocked(pid: int, timeout=10.0):
    """Until the process sleeps (blocked reading its stdin)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "S":
            time.sleep(0.2)
            return
        time.sleep(0.01)


@pytest.fixture
def blocked(nbkey, src, tmp_path):
    """Starts nbkey commands that block reading an open stdin pipe; yields a starter; kills them."""
    procs = []

    def start(args, env=None):
        p = subprocess.Popen([str(nbkey.path), *map(str, args)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=child_env(env), preexec_fn=allow_cores)
        procs.append(p)
        wait_blocked(p.pid)
        assert p.poll() is None, "nbkey exited instead of waiting for stdin: " + repr(p.communicate())
        return p

    yield start
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
        p.communicate()


def blocked_commands(s, tmp_path):
    ks = write_secret(tmp_path / "ks.json", json.dumps(webapp.keystore_encrypt(
        s.eth, PASSWORD, kdf="pbkdf2", salt=os.urandom(32), iv=os.urandom(16), uid=str(uuid.uuid4()), c=1000)))
    pw = write_secret(tmp_path / "pw.txt", PASSWORD)
    return {
        "wallet decrypt -": (["wallet", "decrypt", "--private-key-file", s.wallet, "-"], None),
        "decrypt - (large stream)": (["decrypt", "--key", s.key, "-", "-o", tmp_path / "big.out"], None),
        "decrypt protected key -": (["decrypt", "--key", s.prot, "-", "-o", tmp_path / "p.out"], PASS_ENV),
        "unwrap --keystore -": (["unwrap", "--keystore", ks, "--password-file", pw, "-", "-o", tmp_path / "u.json"], None),
        "wallet sign-message -": (["wallet", "sign-message", "--private-key-file", s.wallet, "-"], None),
    }


BLOCKED = ["wallet decrypt -", "decrypt - (large stream)", "decrypt protected key -", "unwrap --keystore -",
           "wallet sign-message -"]


@pytest.mark.parametrize("name", BLOCKED)
def test_core_dumps_disabled(nbkey, src, tmp_path, blocked, name):
    # the test's own control: a child started the same way may dump core
    ctl = subprocess.Popen(["sleep", "5"], preexec_fn=allow_cores)
    try:
        ctl_soft, ctl_hard = core_limits(ctl.pid)
    finally:
        ctl.kill()
        ctl.wait()
    if ctl_soft == "0":
        pytest.skip("core dumps cannot be allowed for a child here, so a 0 limit would prove nothing")
    args, env = blocked_commands(src, tmp_path)[name]
    p = blocked(args, env)
    if name.startswith("decrypt - "):
        # a sealed header and some MiB of ciphertext, then keep the pipe open: a long decrypt
        p.stdin.write(webapp.seal(src.pk, b"x" * 100)[:48] + os.urandom(8 << 20))
        p.stdin.flush()
        time.sleep(0.2)
        assert p.poll() is None
    soft, hard = core_limits(p.pid)
    assert (soft, hard) == ("0", "0"), f"{name}: Max core file size is {soft}/{hard}, want 0/0"


# ------------------------------------------------------------------------------------------
# no secret in output
# ------------------------------------------------------------------------------------------

def windows(s: bytes | str, width: int):
    if len(s) <= width:
        return [s]
    return [s[i:i + width] for i in range(len(s) - width + 1)]


def byte_forms(secret: bytes) -> list[bytes]:
    """Every textual form of a secret worth finding, whole and in 16-character windows."""
    if len(secret) < 8:
        return []
    h = secret.hex().encode()
    forms = windows(h, 16) + windows(h.upper(), 16)
    for enc in (base64.b64encode(secret), base64.urlsafe_b64encode(secret)):
        forms += windows(enc.rstrip(b"="), 16)
    dec = [str(b) for b in secret]
    for sep in (",", ", "):
        forms += [sep.join(w).encode() for w in windows(dec, 8)]
    return forms


def text_forms(secret: str) -> list[bytes]:
    return [secret.encode(), secret.lower().encode(), secret.upper().encode()]


def source_words() -> set[str]:
    """Every word-like token of nbkey's Swift sources (identifiers split at camelCase, message
    text), except the BIP-39 list itself: a mnemonic word that nbkey could print for its own
    reasons is not used in the mnemonics below, so any mnemonic word in output is a leak."""
    words = set()
    for p in (REPO_ROOT / "Sources").rglob("*.swift"):
        if p.name.startswith("BIP39Wordlist"):
            continue
        words |= {w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", p.read_text(errors="replace"))}
    return words


def quiet_mnemonic(exclude: set[str], rng: secrets.SystemRandom, count=12) -> str:
    """A valid random mnemonic none of whose words is in `exclude` or shorter than 4 letters."""
    allowed = [w for w in M.wordlist if len(w) >= 4 and w not in exclude]
    while True:
        head = [rng.choice(allowed) for _ in range(count - 1)]
        lasts = [w for w in allowed if M.check(" ".join(head + [w]))]
        if lasts:
            return " ".join(head + [rng.choice(lasts)])


def word_leaks(text: str, words) -> list[str]:
    low = text.lower()
    return [w for w in words if re.search(rf"(?<![a-z]){re.escape(w.lower())}(?![a-z])", low)]


@dataclass
class Material:
    dir: Path
    nb_sk: bytes
    nb_pk: bytes
    key: Path
    eth: bytes
    eth2: bytes
    wallet: Path
    wallet2: Path
    v1: Path
    v2: Path
    prot: Path
    keystore: dict
    ks: Path
    words: str
    words2: str
    eth_m: bytes
    eth_m2: bytes
    eth_mp: bytes
    phrase: Path
    phrase2: Path
    stored_m: Path
    sealed: Path
    plaintext: bytes
    envelope: Path
    message: str
    other_sk: bytes
    typo: str = ""
    extra_bytes: list = field(default_factory=list)

    def all_bytes(self):
        return [self.nb_sk, self.eth, self.eth2, self.eth_m, self.eth_m2, self.eth_mp, self.other_sk,
                self.plaintext, *self.extra_bytes]

    def all_texts(self):
        return [PASSPHRASE, WRONG_PASSPHRASE, PASSWORD, WRONG_PASSWORD, MNEMONIC_PASSPHRASE, self.message,
                self.words, self.words2]

    def all_words(self):
        return set(self.words.split()) | set(self.words2.split()) | ({self.typo} if self.typo else set())


@pytest.fixture(scope="module")
def mat(nbkey, tmp_path_factory) -> Material:
    d = tmp_path_factory.mktemp("hygiene-secrets")
    nb_sk, nb_pk, key = new_keyfile(d, "numerbay.json")
    eth, eth2 = random_eth_key(), random_eth_key()
    wallet = write_secret(d / "wallet.key", eth.hex() + "\n")
    wallet2 = write_secret(d / "wallet2.key", "0x" + eth2.hex())
    v1 = d / "stored_v1.txt"
    v1.write_text(webapp.wrap_v1(eth, nb_sk))
    v2 = d / "stored_v2.txt"
    v2.write_text(webapp.wrap_v2(eth, nb_sk, os.urandom(32), os.urandom(24)))
    prot = write_secret(d / "prot.json", webapp.protect(key.read_text(), PASSPHRASE, os.urandom(16), os.urandom(24), 1, 1 << 20))
    keystore = webapp.keystore_encrypt(eth, PASSWORD, kdf="pbkdf2", salt=os.urandom(32), iv=os.urandom(16),
                                       uid=str(uuid.uuid4()), c=1000)
    ks = write_secret(d / "keystore.json", json.dumps(keystore))
    # ... nor a word of this file (file names, test names: they show up in paths in messages)
    exclude = source_words() | {w.lower() for w in re.findall(r"[A-Za-z]+", str(d) + Path(__file__).read_text())}
    exclude |= {"wallet", "phrase", "stored", "numerbay", "keystore", "json", "prot", "sealed", "envelope", "password",
                "passphrase", "words", "bad", "file", "text", "txt", "out", "tmp", "pytest", "root", "hygiene", "secrets"}
    rng = secrets.SystemRandom()
    words, words2 = quiet_mnemonic(exclude, rng), quiet_mnemonic(exclude, rng)
    eth_m, _ = webapp.mnemonic_account(words)
    eth_m2, _ = webapp.mnemonic_account(words2)
    eth_mp, _ = webapp.mnemonic_account(words, MNEMONIC_PASSPHRASE)
    phrase = write_secret(d / "phrase.txt", words + "\n")
    phrase2 = write_secret(d / "phrase2.txt", words2 + "\n")
    stored_m = d / "stored_m.txt"
    stored_m.write_text(webapp.wrap_v2(eth_m, nb_sk, os.urandom(32), os.urandom(24)))
    plaintext = b"SECRET-PLAINTEXT-" + secrets.token_hex(16).encode() + b"-" * 200
    sealed = d / "file.sealed"
    sealed.write_bytes(webapp.seal(nb_pk, plaintext))
    message = "secret-message-" + secrets.token_hex(12)
    envelope = d / "envelope.json"
    envelope.write_text(webapp.envelope_encrypt(webapp.encryption_public_key(eth), message))
    return Material(d, nb_sk, nb_pk, key, eth, eth2, wallet, wallet2, v1, v2, prot, keystore, ks, words, words2,
                    eth_m, eth_m2, eth_mp, phrase, phrase2, stored_m, sealed, plaintext, envelope, message,
                    os.urandom(32))


def v2_custom(eth: bytes, inner: bytes) -> str:
    """A v2 stored string whose secretbox (under the wallet's signature key) holds `inner`."""
    message = webapp.salt_message(os.urandom(32))
    key = webapp.storage_key(webapp.personal_sign(eth, message.encode()))
    box = nacl.secret.SecretBox(key).encrypt(inner, os.urandom(24))
    return json.dumps({"data": b64(bytes(box)), "salt": message}, separators=(",", ":"))


def protected_custom(inner: bytes, outer_pk: bytes, passphrase=PASSPHRASE) -> str:
    salt, nonce = os.urandom(16), os.urandom(24)
    key = webapp._argon2id_key(passphrase, salt, 1, 1 << 20)
    ct = nacl.secret.SecretBox(key).encrypt(inner, nonce).ciphertext
    return json.dumps({"format": "nbkey-protected-key/1", "public_key": b64(outer_pk), "kdf": "argon2id",
                       "opslimit": 1, "memlimit": 1 << 20, "salt": b64(salt), "nonce": b64(nonce),
                       "ciphertext": b64(ct)}, separators=(",", ":"))


def flip_b64_field(text: str, name: str, index: int = 40) -> str:
    obj = json.loads(text)
    raw = bytearray(base64.b64decode(obj[name]))
    raw[min(index, len(raw) - 1)] ^= 0x01
    obj[name] = b64(bytes(raw))
    return json.dumps(obj, separators=(",", ":"))


def bad_key_files(m: Material) -> dict[str, bytes]:
    sk, pk = m.nb_sk, m.nb_pk
    other_pk = webapp.x25519_public_key(m.other_sk)
    return {
        "mismatched-public-key": webapp.keyfile_json(other_pk, sk).encode(),
        "private-key-31-bytes": json.dumps({"public_key": b64(pk), "private_key": b64(sk[:31])}).encode(),
        "private-key-33-bytes": json.dumps({"public_key": b64(pk), "private_key": b64(sk + b"\x00")}).encode(),
        "private-key-hex": json.dumps({"public_key": b64(pk), "private_key": sk.hex()}).encode(),
        "private-key-urlsafe-b64": json.dumps({"public_key": b64(pk), "private_key": base64.urlsafe_b64encode(sk).decode().replace("=", "")}).encode(),
        "private-key-unquoted-hex": b'{"public_key":"' + b64(pk).encode() + b'","private_key":' + sk.hex().encode() + b"}",
        "private-key-decimal-array": json.dumps({"public_key": b64(pk), "private_key": list(sk)}).encode(),
        "trailing-garbage": webapp.keyfile_json(pk, sk).encode() + b" " + sk.hex().encode(),
        "truncated": webapp.keyfile_json(pk, sk).encode()[:-5],
        "raw-hex": sk.hex().encode(),
        "raw-bytes": sk,
        "camelCase-fields": json.dumps({"publicKey": b64(pk), "privateKey": b64(sk)}).encode(),
        "duplicate-private-key": (b'{"public_key":"' + b64(pk).encode() + b'","private_key":"' + b64(sk).encode()
                                  + b'","private_key":"' + b64(m.other_sk).encode() + b'"}'),
        "wallet-key-file": m.wallet.read_bytes(),
        "mnemonic-file": m.phrase.read_bytes(),
        "invalid-utf8": b'{"public_key":"' + b64(pk).encode() + b'","private_key":"' + b64(sk).encode() + b'\xff"}',
        "protected-wrong-outer-key": protected_custom(webapp.keyfile_json(pk, sk).encode(), other_pk).encode(),
        "protected-inner-mismatch": protected_custom(webapp.keyfile_json(other_pk, sk).encode(), other_pk).encode(),
        "protected-inner-raw-hex": protected_custom(sk.hex().encode(), pk).encode(),
        "protected-tampered": flip_b64_field(m.prot.read_text(), "ciphertext", 10).encode(),
    }


KEYFILE_CASES = ["mismatched-public-key", "private-key-31-bytes", "private-key-33-bytes", "private-key-hex",
                 "private-key-urlsafe-b64", "private-key-unquoted-hex", "private-key-decimal-array",
                 "trailing-garbage", "truncated", "raw-hex", "raw-bytes", "camelCase-fields",
                 "duplicate-private-key", "wallet-key-file", "mnemonic-file", "invalid-utf8",
                 "protected-wrong-outer-key", "protected-inner-mismatch", "protected-inner-raw-hex",
                 "protected-tampered"]


def assert_no_secret(r: Run, m: Material, extra_bytes=(), extra_texts=()):
    blob = r.stdout + b"\n" + r.stderr
    for s in [*m.all_bytes(), *extra_bytes]:
        for form in byte_forms(s):
            assert form not in blob, f"secret material {form!r} appears in output:\n" + r.describe()
    for t in [*m.all_texts(), *extra_texts]:
        for form in text_forms(t):
            assert form not in blob, f"secret text {form[:20]!r}... appears in output:\n" + r.describe()
    leaked = word_leaks(blob.decode("utf-8", "replace"), m.all_words())
    assert not leaked, f"mnemonic word(s) {leaked} appear in output:\n" + r.describe()


def assert_failed_without_secret(r: Run, m: Material, out: Path | None = None, **kw):
    assert_clean_failure(r)
    assert_no_secret(r, m, **kw)
    if out is not None:
        assert not out.exists() and not temp_files(out.parent), f"{out} or a temporary file was left behind"


@pytest.mark.parametrize("command", ["decrypt", "key show", "wrap", "key protect", "key unprotect"])
@pytest.mark.parametrize("case", KEYFILE_CASES)
def test_bad_key_file_no_secret(nbkey, mat, tmp_path, case, command):
    bad = write_secret(tmp_path / "bad.json", bad_key_files(mat)[case])
    out = tmp_path / "out.bin"
    args = {"decrypt": ["decrypt", "--key", bad, mat.sealed, "-o", out],
            "key show": ["key", "show", bad],
            "wrap": ["wrap", "--key", bad, "--scheme", "v1", "--private-key-file", mat.wallet],
            "key protect": ["key", "protect", bad, "-o", out],
            "key unprotect": ["key", "unprotect", bad, "-o", out]}[command]
    r = run(nbkey, *args, env=PASS_ENV)
    assert_failed_without_secret(r, mat, out, extra_bytes=[mat.nb_sk[:31]])


def failing_cases(m: Material, t: Path) -> dict:
    """name -> (args, env, stdin, output path or None, extra secret bytes, extra texts)."""
    out = t / "out.json"
    W = lambda name, data: write_secret(t / name, data)  # noqa: E731
    other_pk = webapp.x25519_public_key(m.other_sk)
    enc_pk = webapp.encryption_public_key(m.eth)
    words = m.words.split()
    typo_word = words[4][:-1] + ("q" if words[4][-1] != "q" else "z")
    m.typo = typo_word if typo_word not in M.wordlist else ""
    bad_checksum = None
    for w in words:  # replace the last word by another of the phrase's own words
        cand = " ".join(words[:-1] + [w])
        if not M.check(cand):
            bad_checksum = cand
            break
    cases = {}

    def add(name, args, env=None, stdin=b"", output=None, extra_bytes=(), extra_texts=()):
        cases[name] = (args, env or {}, stdin, output, list(extra_bytes), list(extra_texts))

    # protected key files
    add("decrypt protected, wrong passphrase (env)", ["decrypt", "--key", m.prot, m.sealed, "-o", out],
        {"NBKEY_PASSPHRASE": WRONG_PASSPHRASE}, output=out)
    add("decrypt protected, wrong passphrase (file)", ["decrypt", "--key", m.prot, m.sealed, "-o", out,
        "--passphrase-file", W("wrongpass.txt", WRONG_PASSPHRASE + "\n")], output=out)
    add("decrypt protected, empty passphrase", ["decrypt", "--key", m.prot, m.sealed, "-o", out],
        {"NBKEY_PASSPHRASE": ""}, output=out)
    add("key unprotect, wrong passphrase", ["key", "unprotect", m.prot, "-o", out], {"NBKEY_PASSPHRASE": WRONG_PASSPHRASE}, output=out)
    add("key show protected, no passphrase and no terminal", ["key", "show", m.prot])
    add("key protect of a protected file", ["key", "protect", m.prot, "-o", out], PASS_ENV, output=out)
    # sealed files
    sealed = bytearray(m.sealed.read_bytes())
    sealed[100] ^= 1
    add("decrypt tampered sealed file", ["decrypt", "--key", m.key, W("t.sealed", bytes(sealed)), "-o", out], output=out)
    add("decrypt tampered sealed file to stdout", ["decrypt", "--key", m.key, W("t2.sealed", bytes(sealed)), "-o", "-"])
    add("decrypt tampered sealed stdin to stdout", ["decrypt", "--key", m.key, "-", "-o", "-"], stdin=bytes(sealed))
    add("decrypt truncated sealed file", ["decrypt", "--key", m.key, W("tr.sealed", m.sealed.read_bytes()[:-1]), "-o", out], output=out)
    add("decrypt sealed to another key", ["decrypt", "--key", m.key,
        W("o.sealed", webapp.seal(other_pk, m.plaintext)), "-o", out], output=out)
    add("decrypt the key file as the sealed file", ["decrypt", "--key", m.key, m.key, "-o", out], output=out)
    # wallet private key files
    h = m.eth.hex()
    for name, content in {"63 hex digits": h[:-1], "65 hex digits": h + "a", "non-hex digit": h[:30] + "g" + h[31:],
                          "0x and garbage": "0x" + h + "zz", "base64": b64(m.eth), "two keys": h + "\n" + m.eth2.hex(),
                          "out of range": (SECP256K1_N + int.from_bytes(m.eth[:8], "big")).to_bytes(32, "big").hex(),
                          "numerbay key file": m.key.read_text(), "mnemonic": m.words,
                          "hex with inner spaces": h[:20] + " " + h[20:] + " x"}.items():
        add(f"wallet address, private key file: {name}",
            ["wallet", "address", "--private-key-file", W(f"pk-{len(cases)}.key", content)],
            extra_bytes=[(SECP256K1_N + int.from_bytes(m.eth[:8], "big")).to_bytes(32, "big")])
    add("wallet sign-message, bad private key file", ["wallet", "sign-message", "--private-key-file",
        W("pk-sign.key", h[:-2]), "-"], stdin=b"hello")
    # unwrap
    add("unwrap v2 wrong wallet", ["unwrap", "--private-key-file", m.wallet2, m.v2, "-o", out], output=out)
    add("unwrap v1 wrong wallet", ["unwrap", "--private-key-file", m.wallet2, m.v1, "-o", out], output=out)
    add("unwrap v2 tampered data", ["unwrap", "--private-key-file", m.wallet,
        W("v2t.txt", flip_b64_field(m.v2.read_text(), "data", 30)), "-o", out], output=out)
    add("unwrap v1 tampered ciphertext", ["unwrap", "--private-key-file", m.wallet,
        W("v1t.txt", flip_b64_field(m.v1.read_text(), "ciphertext", 5)), "-o", out], output=out)
    for name, text in {"31 numbers": ",".join(map(str, m.nb_sk[:31])),
                       "33 numbers": ",".join(map(str, m.nb_sk + b"\x07")),
                       "a 256": ",".join(map(str, m.nb_sk[:31])) + ",256",
                       "spaces": ", ".join(map(str, m.nb_sk)),
                       "JSON array": json.dumps(list(m.nb_sk)),
                       "hex": m.nb_sk.hex(),
                       "base64": b64(m.nb_sk)}.items():
        add(f"unwrap v1 plaintext {name}", ["unwrap", "--private-key-file", m.wallet,
            W(f"v1p-{len(cases)}.txt", webapp.envelope_encrypt(enc_pk, text)), "-o", out], output=out,
            extra_bytes=[m.nb_sk[:31]])
    for name, inner in {"31 bytes": json.dumps({"data": b64(m.nb_sk[:31])}).encode(),
                        "hex data": json.dumps({"data": m.nb_sk.hex()}).encode(),
                        "raw key": m.nb_sk,
                        "not JSON": b"data=" + b64(m.nb_sk).encode()}.items():
        add(f"unwrap v2 inner {name}", ["unwrap", "--private-key-file", m.wallet,
            W(f"v2i-{len(cases)}.txt", v2_custom(m.eth, inner)), "-o", out], output=out,
            extra_bytes=[m.nb_sk[:31]])
    add("unwrap v2 profile public_key_v2 mismatch", ["unwrap", "--private-key-file", m.wallet, W("prof2.json", json.dumps(
        {"public_key_v2": b64(other_pk), "encrypted_private_key_v2": m.v2.read_text()})), "-o", out], output=out)
    add("unwrap v1 profile public_key mismatch", ["unwrap", "--private-key-file", m.wallet, W("prof1.json", json.dumps(
        {"public_key": b64(other_pk), "encrypted_private_key": m.v1.read_text()})), "-o", out], output=out)
    add("unwrap --protect, profile mismatch", ["unwrap", "--protect", "--private-key-file", m.wallet, W("prof3.json", json.dumps(
        {"public_key_v2": b64(other_pk), "encrypted_private_key_v2": m.v2.read_text()})), "-o", out], PASS_ENV, output=out)
    add("unwrap the key file as input", ["unwrap", "--private-key-file", m.wallet, m.key, "-o", out], output=out)
    add("unwrap stdin garbage with the key", ["unwrap", "--private-key-file", m.wallet, "-", "-o", out],
        stdin=m.key.read_bytes() + m.eth.hex().encode(), output=out)
    # mnemonics
    add("unwrap wrong mnemonic", ["unwrap", "--mnemonic-file", m.phrase2, m.stored_m, "-o", out], output=out)
    add("unwrap wrong mnemonic passphrase", ["unwrap", "--mnemonic-file", m.phrase, "--mnemonic-passphrase-file",
        W("mpass.txt", MNEMONIC_PASSPHRASE), m.stored_m, "-o", out], output=out)
    add("unwrap wrong mnemonic account index", ["unwrap", "--mnemonic-file", m.phrase, "--account-index", "1",
        m.stored_m, "-o", out], output=out)
    if bad_checksum:
        add("mnemonic bad checksum", ["wallet", "address", "--mnemonic-file", W("badsum.txt", bad_checksum)])
    swapped = next((c for i in range(len(words)) for j in range(i + 1, len(words))
                    for c in [words[:i] + [words[j]] + words[i + 1:j] + [words[i]] + words[j + 1:]]
                    if not M.check(" ".join(c))), None)
    if swapped:  # two words swapped so that the checksum fails
        add("mnemonic swapped words", ["wallet", "address", "--mnemonic-file", W("swap.txt", " ".join(swapped))])
    if m.typo:
        add("mnemonic mistyped word", ["wallet", "address", "--mnemonic-file",
            W("typo.txt", " ".join(words[:4] + [m.typo] + words[5:]))])
    add("mnemonic 11 words", ["wallet", "address", "--mnemonic-file", W("w11.txt", " ".join(words[:11]))])
    add("mnemonic 13 words", ["wallet", "address", "--mnemonic-file", W("w13.txt", m.words + " " + words[0])])
    # A comma separates words, as in MetaMask's import; an underscore joins them.
    add("mnemonic joined by underscores", ["wallet", "address", "--mnemonic-file", W("underscore.txt", "_".join(words))])
    add("mnemonic file holds a hex key", ["wallet", "address", "--mnemonic-file", W("hexm.txt", m.eth.hex())])
    add("mnemonic bad derivation path", ["wallet", "address", "--mnemonic-file", m.phrase, "--derivation-path", "m/44'/60'/x"])
    # keystores
    add("keystore wrong password (file)", ["wallet", "address", "--keystore", m.ks, "--password-file",
        W("wrongpw.txt", WRONG_PASSWORD + "\n")])
    add("keystore wrong password (env)", ["wallet", "address", "--keystore", m.ks], {"NBKEY_PASSWORD": WRONG_PASSWORD})
    add("keystore empty password", ["wallet", "address", "--keystore", m.ks], {"NBKEY_PASSWORD": ""})
    add("keystore no password, no terminal", ["wallet", "address", "--keystore", m.ks])
    ks = json.loads(json.dumps(m.keystore))
    ct = bytearray.fromhex(ks["crypto"]["ciphertext"])
    ct[3] ^= 1
    ks["crypto"]["ciphertext"] = ct.hex()
    add("keystore tampered ciphertext", ["wallet", "address", "--keystore", W("kst.json", json.dumps(ks)), "--password-file",
        W("pw.txt", PASSWORD)])
    ks2 = json.loads(json.dumps(m.keystore))
    ks2["crypto"]["ciphertext"] = ks2["crypto"]["ciphertext"][:-2]
    add("keystore short ciphertext", ["wallet", "address", "--keystore", W("kss.json", json.dumps(ks2)), "--password-file",
        W("pw2.txt", PASSWORD)])
    add("unwrap keystore wrong password", ["unwrap", "--keystore", m.ks, m.v2, "-o", out], {"NBKEY_PASSWORD": WRONG_PASSWORD}, output=out)
    add("keystore is the wallet key file", ["wallet", "address", "--keystore", m.wallet], {"NBKEY_PASSWORD": PASSWORD})
    # wallet envelopes
    add("wallet decrypt wrong wallet", ["wallet", "decrypt", "--private-key-file", m.wallet2, m.envelope])
    add("wallet decrypt tampered envelope", ["wallet", "decrypt", "--private-key-file", m.wallet,
        W("env-t.json", flip_b64_field(m.envelope.read_text(), "ciphertext", 3))])
    add("wallet decrypt --safe of an unsafe envelope", ["wallet", "decrypt", "--safe", "--private-key-file", m.wallet, m.envelope])
    add("wallet decrypt the key file as envelope", ["wallet", "decrypt", "--private-key-file", m.wallet, m.key])
    add("wallet decrypt hex envelope truncated", ["wallet", "decrypt", "--private-key-file", m.wallet, "-"],
        stdin=webapp.envelope_to_hex(m.envelope.read_text())[:-4].encode())
    add("wrap with a mismatched key file", ["wrap", "--key", W("mm.json", webapp.keyfile_json(other_pk, m.nb_sk)),
        "--scheme", "v2", "--private-key-file", m.wallet])
    add("encrypt --recipients is the key file", ["encrypt", "--recipients", m.key, m.sealed, "-o", t])
    add("encrypt --recipients is the wallet key", ["encrypt", "--recipients", m.wallet, m.sealed, "-o", t])
    add("encrypt --recipients sales JSON with the key", ["encrypt", "--recipients",
        W("sales.json", json.dumps([{"id": 1, "buyer_public_key": b64(m.nb_sk[:31])}])), m.sealed, "-o", t],
        extra_bytes=[m.nb_sk[:31]])
    return cases


FAILING_NAMES = [
    "decrypt protected, wrong passphrase (env)", "decrypt protected, wrong passphrase (file)",
    "decrypt protected, empty passphrase", "key unprotect, wrong passphrase",
    "key show protected, no passphrase and no terminal", "key protect of a protected file",
    "decrypt tampered sealed file", "decrypt tampered sealed file to stdout", "decrypt tampered sealed stdin to stdout",
    "decrypt truncated sealed file", "decrypt sealed to another key", "decrypt the key file as the sealed file",
    *[f"wallet address, private key file: {n}" for n in
      ["63 hex digits", "65 hex digits", "non-hex digit", "0x and garbage", "base64", "two keys", "out of range",
       "numerbay key file", "mnemonic", "hex with inner spaces"]],
    "wallet sign-message, bad private key file",
    "unwrap v2 wrong wallet", "unwrap v1 wrong wallet", "unwrap v2 tampered data", "unwrap v1 tampered ciphertext",
    *[f"unwrap v1 plaintext {n}" for n in ["31 numbers", "33 numbers", "a 256", "spaces", "JSON array", "hex", "base64"]],
    *[f"unwrap v2 inner {n}" for n in ["31 bytes", "hex data", "raw key", "not JSON"]],
    "unwrap v2 profile public_key_v2 mismatch", "unwrap v1 profile public_key mismatch", "unwrap --protect, profile mismatch",
    "unwrap the key file as input", "unwrap stdin garbage with the key",
    "unwrap wrong mnemonic", "unwrap wrong mnemonic passphrase", "unwrap wrong mnemonic account index",
    "mnemonic bad checksum", "mnemonic swapped words", "mnemonic mistyped word", "mnemonic 11 words", "mnemonic 13 words",
    "mnemonic joined by underscores", "mnemonic file holds a hex key", "mnemonic bad derivation path",
    "keystore wrong password (file)", "keystore wrong password (env)", "keystore empty password",
    "keystore no password, no terminal", "keystore tampered ciphertext", "keystore short ciphertext",
    "unwrap keystore wrong password", "keystore is the wallet key file",
    "wallet decrypt wrong wallet", "wallet decrypt tampered envelope", "wallet decrypt --safe of an unsafe envelope",
    "wallet decrypt the key file as envelope", "wallet decrypt hex envelope truncated",
    "wrap with a mismatched key file", "encrypt --recipients is the key file", "encrypt --recipients is the wallet key",
    "encrypt --recipients sales JSON with the key",
]


@pytest.mark.parametrize("name", FAILING_NAMES)
def test_failing_command_leaks_no_secret(nbkey, mat, tmp_path, name):
    cases = failing_cases(mat, tmp_path)
    if name not in cases:
        pytest.skip(f"case {name!r} could not be built for this random mnemonic")
    args, env, stdin, out, extra_bytes, extra_texts = cases[name]
    r = run(nbkey, *args, env=env, input=stdin)
    print(f"\n{name}: exit {r.returncode}: {r.err_text.strip()!r}")
    if name.startswith("encrypt --recipients"):
        assert r.returncode == 1 and r.stdout == b"", r.describe()
        assert r.err_text.startswith("error:"), r.describe()
        assert_no_secret(r, mat, extra_bytes=extra_bytes, extra_texts=extra_texts)
        return
    assert_failed_without_secret(r, mat, out, extra_bytes=extra_bytes, extra_texts=extra_texts)
    if "tampered sealed" in name:
        assert mat.plaintext[:17] not in r.stdout, "unauthenticated plaintext was released"


def test_all_failing_cases_are_listed(mat, tmp_path):
    assert set(failing_cases(mat, tmp_path)) <= set(FAILING_NAMES)


def test_scanner_catches_leaks(mat):
    """The scanner itself: it must see a secret in the forms it claims to."""
    for leak in [mat.nb_sk.hex()[10:30].encode(), mat.eth.hex().upper().encode(), b64(mat.nb_sk)[:20].encode(),
                 ",".join(map(str, mat.nb_sk)).encode(), PASSPHRASE.encode(),
                 ("error: word " + mat.words.split()[3]).encode(), base64.urlsafe_b64encode(mat.eth)[:18]]:
        with pytest.raises(AssertionError):
            assert_no_secret(Run([], 1, b"", b"error: " + leak), mat)
    assert_no_secret(Run([], 1, b"", b"error: this wallet did not wrap this key\nhint: x"), mat)


# ------------------------------------------------------------------------------------------
# ps: /proc/PID/cmdline of running nbkey processes
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", BLOCKED)
def test_cmdline_holds_no_secret(nbkey, src, mat, tmp_path, blocked, name):
    args, env = blocked_commands(src, tmp_path)[name]
    p = blocked(args, env)
    cmdline = Path(f"/proc/{p.pid}/cmdline").read_bytes()
    assert cmdline.split(b"\0")[1:-1] == [str(a).encode() for a in args], "nbkey's argv changed"
    seen = Run(args, 0, cmdline, b"")
    assert_no_secret(seen, mat, extra_bytes=[src.sk, src.eth], extra_texts=[PASSPHRASE, PASSWORD])
    # and `ps` shows the same
    if shutil.which("ps") is None:
        return
    ps = subprocess.run(["ps", "-ww", "-o", "args=", "-p", str(p.pid)], capture_output=True)
    if ps.returncode == 0:
        assert_no_secret(Run(args, 0, ps.stdout, b""), mat, extra_bytes=[src.sk, src.eth],
                         extra_texts=[PASSPHRASE, PASSWORD])
