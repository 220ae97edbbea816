"""How nbkey takes secrets (issue 12, bugs 3, 6, 7 and the prompt's friction items):

- a prompt on a terminal (a pty here) is left with echo on whatever ends the run: the line, an
  error, or SIGINT/SIGTERM/SIGHUP/SIGQUIT while it waits (and the exit status names the signal);
- one rule for every secret (key file passphrase, keystore password, BIP-39 passphrase) and every
  source (file, environment, prompt): UTF-8 or refused with an error naming the source; a file
  loses exactly one final "\n" or "\r\n", the environment and the prompt nothing; white space at
  either end is kept, with a warning (a hint when the secret is reported wrong); key files
  protected under nbkey 0.1's reading (all trailing white space dropped) still open, with a warning.

Secrets reach nbkey only through files (0600), the environment or the pty."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import subprocess
import sys
import termios
from pathlib import Path

import json

import pytest
from mnemonic import Mnemonic

import webapp
from conftest import random_eth_key, write_secret

SECRET_ENV = ("NBKEY_MNEMONIC_PASSPHRASE", "NBKEY_PASSWORD", "NBKEY_PASSPHRASE", "NUMERBAY_KEY_PATH")
PASSPHRASE = "secrets-Passphrase-1"


def child_env(extra=None):
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    env.update(extra or {})
    return env


def protected_keyfile(d: Path, passphrase: str = PASSPHRASE) -> tuple[bytes, Path]:
    sk = os.urandom(32)
    text = webapp.keyfile_json(webapp.x25519_public_key(sk), sk)
    path = write_secret(d / "protected.json", webapp.protect(text, passphrase, os.urandom(16), os.urandom(24), 1, 1 << 20))
    return webapp.x25519_public_key(sk), path


class PtyRun:
    """nbkey with a fresh pty as its controlling terminal (its /dev/tty); stdout and stderr are
    files, stdin /dev/null unless `stdin_is_terminal`, so only the prompt goes through the pty."""

    def __init__(self, nbkey, args, cwd: Path, env=None, stdin_is_terminal=False):
        self.master, self.slave = os.openpty()
        self.out = open(cwd / ".stdout", "w+b")
        self.err = open(cwd / ".stderr", "w+b")
        slave = self.slave

        def become_session_leader_of_the_pty():
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen([str(nbkey.path), *map(str, args)], stdin=slave if stdin_is_terminal else subprocess.DEVNULL,
                                     stdout=self.out, stderr=self.err, cwd=cwd, env=child_env(env),
                                     start_new_session=True, preexec_fn=become_session_leader_of_the_pty,
                                     pass_fds=(slave,))
        self.seen = b""

    def expect(self, text: bytes, timeout=30):
        """Reads the pty until `text` has appeared (no timing assertion: the timeout only keeps a
        hung run from hanging the suite)."""
        while text not in self.seen:
            ready, _, _ = select.select([self.master], [], [], timeout)
            assert ready, f"no {text!r} on the terminal; it shows {self.seen!r}"
            self.seen += os.read(self.master, 4096)

    def type(self, text: bytes):
        os.write(self.master, text)

    def echo_is_on(self) -> bool:
        return bool(termios.tcgetattr(self.slave)[3] & termios.ECHO)

    def finish(self, timeout=60):
        """Waits for the exit; `echo_after` records the terminal's echo as nbkey left it."""
        code = self.proc.wait(timeout)
        self.echo_after = self.echo_is_on()
        self.out.seek(0)
        self.err.seek(0)
        stdout, stderr = self.out.read(), self.err.read()
        self.out.close()
        self.err.close()
        os.close(self.master)
        os.close(self.slave)
        return code, stdout, stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT],
                         ids=lambda s: s.name)
def test_signal_at_prompt_restores_echo(nbkey, tmp_path, sig):
    _, key = protected_keyfile(tmp_path)
    run = PtyRun(nbkey, ["key", "show", key], tmp_path)
    assert run.echo_is_on()
    run.expect(b"enter key file passphrase: ")
    assert not run.echo_is_on(), "the prompt must turn echo off"
    run.type(b"half-typed")
    os.kill(run.proc.pid, sig)
    code, stdout, _ = run.finish()
    assert code == -sig, f"exit status must name {sig.name}, got {code}"
    assert stdout == b""
    assert run.echo_after, "echo must be on again after the signal"


def test_prompt_answered_restores_echo(nbkey, tmp_path):
    pk, key = protected_keyfile(tmp_path)
    run = PtyRun(nbkey, ["key", "show", key], tmp_path)
    run.expect(b"enter key file passphrase: ")
    run.type(PASSPHRASE.encode() + b"\n")
    code, stdout, stderr = run.finish()
    assert code == 0, stderr
    assert stdout == webapp.b64e(pk).encode() + b"\n"
    assert run.echo_after
    assert PASSPHRASE.encode() not in run.seen, "the passphrase must not be echoed"


def test_wrong_passphrase_at_prompt_restores_echo(nbkey, tmp_path):
    _, key = protected_keyfile(tmp_path)
    run = PtyRun(nbkey, ["key", "show", key], tmp_path)
    run.expect(b"enter key file passphrase: ")
    run.type(b"not-the-passphrase\n")
    code, stdout, stderr = run.finish()
    assert code == 1 and stdout == b""
    assert stderr.startswith(b"error: wrong passphrase")
    assert run.echo_after


# ------------------------------------------------------------------------------------------
# one rule for every secret and every source
# ------------------------------------------------------------------------------------------

MNEMONIC = Mnemonic("english").to_mnemonic(bytes(range(16)))


class Secret:
    """A secret nbkey reads, the command that reads it, and what success prints."""

    def __init__(self, what, option, variable, prompt, prompt_flag=()):
        self.what, self.option, self.variable, self.prompt, self.prompt_flag = what, option, variable, prompt, prompt_flag

    def setup(self, d: Path, secret: str) -> tuple[list, bytes]:
        """(arguments, expected stdout) of a command that opens only with `secret`."""
        if self.what == "key file passphrase":
            pk, key = protected_keyfile(d, secret)
            return ["key", "show", key], webapp.b64e(pk).encode() + b"\n"
        if self.what == "keystore password":
            eth = random_eth_key()
            ks = write_secret(d / "keystore.json", json.dumps(webapp.keystore_encrypt(
                eth, secret, kdf="pbkdf2", salt=os.urandom(32), iv=os.urandom(16), uid="x", c=2)))
            return ["wallet", "address", "--keystore", ks], webapp.address(eth).encode() + b"\n"
        m = write_secret(d / "srp.txt", MNEMONIC + "\n")
        return ["wallet", "address", "--mnemonic-file", m], webapp.mnemonic_account(MNEMONIC, secret)[1].encode() + b"\n"


SECRETS = {
    "key file passphrase": Secret("key file passphrase", "--passphrase-file", "NBKEY_PASSPHRASE", b"enter key file passphrase: "),
    "keystore password": Secret("keystore password", "--password-file", "NBKEY_PASSWORD", b"enter keystore password: "),
    "BIP-39 passphrase": Secret("BIP-39 passphrase", "--mnemonic-passphrase-file", "NBKEY_MNEMONIC_PASSPHRASE",
                                b"enter BIP-39 passphrase: ", ("--mnemonic-passphrase-prompt",)),
}


def give(nbkey, d: Path, kind: Secret, args: list, source: str, value: bytes):
    """Runs `args` with the secret's raw bytes given through `source`: "file" (its exact bytes),
    "env" (the variable's exact bytes) or "prompt" (typed, then Enter). Returns (status, stdout,
    stderr, the source's name in messages)."""
    if source == "file":
        path = write_secret(d / "secret.txt", value)
        cp = subprocess.run([str(nbkey.path), *map(str, args), kind.option, str(path)], capture_output=True,
                            env=child_env(), stdin=subprocess.DEVNULL, cwd=d)
        return cp.returncode, cp.stdout, cp.stderr, f"from {path}"
    if source == "env":
        env = child_env()
        env[kind.variable] = value
        cp = subprocess.run([str(nbkey.path), *map(str, args)], capture_output=True, env=env, stdin=subprocess.DEVNULL, cwd=d)
        return cp.returncode, cp.stdout, cp.stderr, f"from {kind.variable}"
    run = PtyRun(nbkey, [*args, *kind.prompt_flag], d)
    run.expect(kind.prompt)
    run.type(value + b"\n")
    code, stdout, stderr = run.finish()
    assert run.echo_after
    return code, stdout, stderr, "typed at the prompt"


SOURCES = ["file", "env", "prompt"]
# A file loses exactly one final line break; the environment and the prompt nothing.
EXACT_FORMS = {"file": [b"\n", b"\r\n", b""], "env": [b""], "prompt": [b""]}


@pytest.mark.parametrize("source,ending", [(s, e) for s in SOURCES for e in EXACT_FORMS[s]],
                         ids=lambda v: v if isinstance(v, str) else repr(v.decode()))
@pytest.mark.parametrize("kind", SECRETS.values(), ids=lambda k: k.what)
def test_secret_ending_in_space_is_the_same_from_every_source(nbkey, tmp_path, kind, source, ending):
    secret = "Tr0ub4dor &3 "
    args, expected = kind.setup(tmp_path, secret)
    code, stdout, stderr, name = give(nbkey, tmp_path, kind, args, source, secret.encode() + ending)
    assert (code, stdout) == (0, expected), stderr
    assert stderr == f"warning: the {kind.what} {name} ends with white space\n".encode()


def test_bip39_passphrase_ending_in_space_is_another_account():
    """The point of keeping the space: eth-account derives another account without it."""
    assert webapp.mnemonic_account(MNEMONIC, "Tr0ub4dor &3 ")[1] != webapp.mnemonic_account(MNEMONIC, "Tr0ub4dor &3")[1]


@pytest.mark.parametrize("kind", SECRETS.values(), ids=lambda k: k.what)
def test_file_loses_only_one_line_break(nbkey, tmp_path, kind):
    args, expected = kind.setup(tmp_path, "pw\n")
    code, stdout, stderr, name = give(nbkey, tmp_path, kind, args, "file", b"pw\n\n")
    assert (code, stdout) == (0, expected), stderr
    assert stderr == f"warning: the {kind.what} {name} ends with white space\n".encode()


@pytest.mark.parametrize("source", ["file", "env"])
@pytest.mark.parametrize("given,place", [(" pw", "starts"), ("\tpw\u00a0", "starts and ends"), ("pw\u3000", "ends")])
def test_white_space_warnings(nbkey, tmp_path, source, given, place):
    kind = SECRETS["keystore password"]
    args, expected = kind.setup(tmp_path, given)
    code, stdout, stderr, name = give(nbkey, tmp_path, kind, args, source, given.encode() + (b"\n" if source == "file" else b""))
    assert (code, stdout) == (0, expected), stderr
    assert stderr == f"warning: the keystore password {name} {place} with white space\n".encode()


@pytest.mark.parametrize("source,given", [("file", b"pw \n"), ("file", b"pw\n\n"), ("file", b"pw\t\r\n"),
                                          ("env", b"pw "), ("env", b"pw\n"), ("prompt", b"pw ")])
def test_wrong_because_of_white_space_says_so(nbkey, tmp_path, source, given):
    """The password is "pw": what used to be trimmed is now part of it. The command fails, so the
    white space is named in the error's hint (warnings only follow a success)."""
    kind = SECRETS["keystore password"]
    args, _ = kind.setup(tmp_path, "pw")
    code, stdout, stderr, name = give(nbkey, tmp_path, kind, args, source, given)
    assert (code, stdout) == (1, b"")
    assert stderr == (f"error: wrong password for keystore {args[-1]}\n"
                      f"hint: the keystore password {name} ends with white space, which counts as part of it\n").encode()


BAD_UTF8 = {"lone 0xff": b"\xff", "overlong": b"ab\xc0\xaf", "surrogate": b"\xed\xa0\x80", "truncated": b"pass\xe2\x82",
            "latin-1": "caf\u00e9".encode("latin-1")}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("kind", SECRETS.values(), ids=lambda k: k.what)
def test_secret_not_utf8_is_refused(nbkey, tmp_path, kind, source):
    args, _ = kind.setup(tmp_path, "caf\u00e9")
    for bad in BAD_UTF8.values():
        code, stdout, stderr, name = give(nbkey, tmp_path, kind, args, source, bad + (b"\n" if source == "file" else b""))
        assert (code, stdout) == (1, b""), (bad, stderr)
        assert stderr == f"error: the {kind.what} {name} is not valid UTF-8 text\n".encode(), bad


@pytest.mark.parametrize("bad", BAD_UTF8.values(), ids=BAD_UTF8.keys())
def test_mnemonic_not_utf8_is_refused(nbkey, tmp_path, bad):
    m = write_secret(tmp_path / "srp.txt", MNEMONIC.encode() + b" " + bad + b"\n")
    cp = subprocess.run([str(nbkey.path), "wallet", "address", "--mnemonic-file", str(m)], capture_output=True,
                        env=child_env(), stdin=subprocess.DEVNULL)
    assert (cp.returncode, cp.stdout) == (1, b"")
    assert cp.stderr == f"error: the mnemonic from {m} is not valid UTF-8 text\n".encode()


@pytest.mark.parametrize("source,given", [("file", b"pp  \n"), ("file", b"pp\t\r\n\n"), ("file", b"pp "),
                                          ("prompt", b"pp  ")])
def test_key_file_protected_under_the_old_reading_still_opens(nbkey, tmp_path, source, given):
    """nbkey 0.1 dropped all trailing white space from a passphrase file or the prompt, so a file
    it protected from "pp  \n" holds the passphrase "pp"."""
    kind = SECRETS["key file passphrase"]
    args, expected = kind.setup(tmp_path, "pp")
    code, stdout, stderr, name = give(nbkey, tmp_path, kind, args, source, given)
    assert (code, stdout) == (0, expected), stderr
    assert stderr == (f"warning: the key file passphrase {name} ends with white space\n"
                      f"warning: {args[-1]} opened only without the passphrase's trailing white space, as nbkey 0.1 "
                      "read passphrases; protect it again to use the passphrase exactly as given\n").encode()


def test_old_reading_is_not_tried_for_the_environment(nbkey, tmp_path):
    """NBKEY_PASSPHRASE was always taken exactly: no second reading."""
    kind = SECRETS["key file passphrase"]
    args, _ = kind.setup(tmp_path, "pp")
    code, stdout, stderr, name = give(nbkey, tmp_path, kind, args, "env", b"pp ")
    assert (code, stdout) == (1, b"")
    assert stderr.startswith(b"error: wrong passphrase for the protected key file")
    assert stderr.endswith(f"hint: the key file passphrase {name} ends with white space, which counts as part of it\n".encode())


@pytest.mark.parametrize("command", ["keygen", "key protect"])
def test_protect_keeps_the_passphrase_exactly(nbkey, tmp_path, command):
    pw = write_secret(tmp_path / "pw.txt", b"pp \r\n")
    out = tmp_path / "protected.json"
    if command == "keygen":
        args = ["keygen", "--protect", "-o", out]
    else:
        sk = os.urandom(32)
        plain = write_secret(tmp_path / "plain.json", webapp.keyfile_json(webapp.x25519_public_key(sk), sk))
        args = ["key", "protect", plain, "-o", out]
    cp = subprocess.run([str(nbkey.path), *map(str, args), "--passphrase-file", str(pw)], capture_output=True,
                        env=child_env(), stdin=subprocess.DEVNULL)
    assert cp.returncode == 0, cp.stderr
    assert cp.stderr == f"warning: the key file passphrase from {pw} ends with white space\n".encode()
    webapp.unprotect(out.read_text(), "pp ")
    with pytest.raises(Exception):
        webapp.unprotect(out.read_text(), "pp")


# ------------------------------------------------------------------------------------------
# keystore KDF bounds (bug 8): refused cleanly, before the password is asked for
# ------------------------------------------------------------------------------------------

KDF_CASES = {
    "n=2^36,r=2^20": ({"n": 1 << 36, "r": 1 << 20, "p": 1},
                      "scrypt memory 128·r·(n+p) is above 2 GiB (n=68719476736, r=1048576, p=1); refused"),
    "n=16384,r=8,p=2^20": ({"n": 16384, "r": 8, "p": 1 << 20},
                           "scrypt work n·r·p is above 2^24, 8 times a geth keystore's (n=16384, r=8, p=1048576); refused"),
    "pbkdf2 c=2^24+1": ({"c": (1 << 24) + 1, "prf": "hmac-sha256"}, "pbkdf2 c=16777217 is outside 1 to 2^24; refused"),
}


def hostile_keystore(d: Path, params: dict) -> Path:
    kdf = "pbkdf2" if "c" in params else "scrypt"
    obj = {"version": 3, "crypto": {"cipher": "aes-128-ctr", "cipherparams": {"iv": "00" * 16}, "ciphertext": "00" * 32,
                                    "kdf": kdf, "kdfparams": {"dklen": 32, "salt": "00" * 16, **params}, "mac": "00" * 32}}
    return write_secret(d / "hostile.json", json.dumps(obj))


@pytest.mark.parametrize("name", KDF_CASES)
def test_keystore_kdf_bounds(nbkey, tmp_path, name):
    params, why = KDF_CASES[name]
    ks = hostile_keystore(tmp_path, params)
    pw = write_secret(tmp_path / "pw.txt", b"pw\n")
    cp = subprocess.run([str(nbkey.path), "wallet", "address", "--keystore", str(ks), "--password-file", str(pw)],
                        capture_output=True, env=child_env(), stdin=subprocess.DEVNULL)
    assert (cp.returncode, cp.stdout) == (1, b""), cp.stderr
    assert cp.stderr == f"error: keystore KDF parameters are unreasonable: {why}\n".encode()


@pytest.mark.parametrize("name", KDF_CASES)
def test_keystore_refused_before_the_prompt(nbkey, tmp_path, name):
    ks = hostile_keystore(tmp_path, KDF_CASES[name][0])
    run = PtyRun(nbkey, ["wallet", "address", "--keystore", ks], tmp_path)
    code, stdout, stderr = run.finish()
    assert (code, stdout) == (1, b"")
    assert stderr.startswith(b"error: keystore KDF parameters are unreasonable: ")
    assert run.seen == b"", "nothing may be asked on the terminal"


# ------------------------------------------------------------------------------------------
# process hygiene: crashes, dumpability, locked memory
# ------------------------------------------------------------------------------------------

MARKER = "NBKEY-CRASH-MARKER-" + os.urandom(8).hex()
CRASHES = {"segv": signal.SIGSEGV, "trap": signal.SIGILL, "abort": signal.SIGABRT}


def crash(nbkey, kind, before_hygiene=False):
    env = child_env({"NBKEY_TEST_CRASH": kind, "NBKEY_TEST_CRASH_SECRET": MARKER})
    if before_hygiene:
        env["NBKEY_TEST_CRASH_BEFORE_HYGIENE"] = "1"
    cp = subprocess.run([str(nbkey.path), "key", "show", "none.json"], capture_output=True, env=env,
                        stdin=subprocess.DEVNULL, timeout=120)
    if cp.returncode >= 0:
        pytest.skip("no crash hook in this build (debug builds only)")
    return cp


def marker_forms():
    raw = MARKER.encode()
    return [raw, raw[:16], raw.hex().encode(), " ".join(f"{b:02x}" for b in raw[:16]).encode()]


@pytest.mark.parametrize("kind", CRASHES)
def test_crash_prints_no_memory(nbkey, kind):
    cp = crash(nbkey, kind)
    assert cp.returncode == -CRASHES[kind], cp.stderr[-2000:]
    assert cp.stdout == b""
    for form in marker_forms():
        assert form not in cp.stderr, f"the secret reached stderr: {cp.stderr[-2000:]!r}"
    assert b"Backtracing" not in cp.stderr and b"Registers" not in cp.stderr, cp.stderr[-2000:]


def test_crash_check_would_see_the_secret(nbkey):
    """The control: crashing before the hygiene is set up, Swift's backtracer prints the 16 bytes
    a register points at, which here are the marker's."""
    cp = crash(nbkey, "segv", before_hygiene=True)
    if b"Backtracing" not in cp.stderr:
        pytest.skip("Swift's backtracer is not installed here")
    assert any(form in cp.stderr for form in marker_forms()), cp.stderr[-3000:]


def without_capability(cap: str) -> list[str]:
    """A prefix running a command without a capability root would have (none needed otherwise)."""
    return ["setpriv", f"--bounding-set=-{cap}", f"--inh-caps=-{cap}", "--"] if os.geteuid() == 0 else []


OPEN_MEM = "import os, sys; os.close(os.open(f'/proc/{sys.argv[1]}/mem', os.O_RDONLY))"


def test_not_dumpable(nbkey, tmp_path):
    """Another process of the user, with the same capabilities, cannot open nbkey's
    /proc/PID/mem (nor attach a debugger); the control, a sleep started the same way, it can.
    (As root, all three run without CAP_SYS_PTRACE, which would open anything.)"""
    same = without_capability("sys_ptrace")
    key = write_secret(tmp_path / "eth.key", os.urandom(31).hex() + "01\n")
    proc = subprocess.Popen([*same, str(nbkey.path), "wallet", "sign-message", "--private-key-file", str(key), "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env())
    control = subprocess.Popen([*same, "sleep", "60"])
    try:
        # nbkey sets itself up before it reads stdin: wait until it sleeps in that read.
        for _ in range(400):
            stat = Path(f"/proc/{proc.pid}/stat").read_text()
            if Path(f"/proc/{proc.pid}/exe").exists() and stat.rsplit(")", 1)[1].split()[0] == "S" and "nbkey" in stat:
                break
            subprocess.run(["sleep", "0.05"])
        opened = lambda pid: subprocess.run([*same, sys.executable, "-c", OPEN_MEM, str(pid)], capture_output=True)
        assert opened(control.pid).returncode == 0, "the control must be open to the user"
        denied = opened(proc.pid)
        assert denied.returncode != 0 and b"PermissionError" in denied.stderr, denied
    finally:
        proc.kill()
        proc.wait()
        control.kill()
        control.wait()


def test_lock_failure_is_one_warning(nbkey, tmp_path):
    """RLIMIT_MEMLOCK 0 and no CAP_IPC_LOCK: every lock fails; the command works and says so once."""
    import resource

    sk = os.urandom(32)
    key = write_secret(tmp_path / "k.json", webapp.keyfile_json(webapp.x25519_public_key(sk), sk))
    argv = [str(nbkey.path), "key", "show", str(key)]
    cp = subprocess.run([*without_capability("ipc_lock"), *argv], capture_output=True, env=child_env(),
                        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0)))
    assert (cp.returncode, cp.stdout) == (0, webapp.b64e(webapp.x25519_public_key(sk)).encode() + b"\n"), cp.stderr
    assert cp.stderr == (b"warning: some secrets could not be locked in memory (RLIMIT_MEMLOCK, 'ulimit -l'); "
                         b"they may have reached swap\n")
    cp = subprocess.run(argv, capture_output=True, env=child_env())
    assert cp.returncode == 0 and cp.stderr == b""


# ------------------------------------------------------------------------------------------
# friction: mnemonics as MetaMask reads them, confirmations, secrets from a terminal stdin
# ------------------------------------------------------------------------------------------

def wallet_address(nbkey, mnemonic: bytes, d: Path):
    m = write_secret(d / "srp.txt", mnemonic)
    return subprocess.run([str(nbkey.path), "wallet", "address", "--mnemonic-file", str(m)], capture_output=True,
                          env=child_env(), stdin=subprocess.DEVNULL)


WORDS = MNEMONIC.split()
MNEMONIC_FORMS = {
    "capitals": MNEMONIC.upper(),
    "mixed case": " ".join(w.capitalize() for w in WORDS),
    "newlines and spaces": "\n\n  " + "\n".join("   ".join(WORDS[i:i + 3]) for i in range(0, 12, 3)) + "\n\n",
    "comma list": ", ".join(WORDS) + ".",
    "quoted, tabs, CRLF": "\r\n".join(f'\t"{w}"' for w in WORDS),
}


@pytest.mark.parametrize("form", MNEMONIC_FORMS)
def test_mnemonic_as_metamask_reads_it(nbkey, tmp_path, form):
    cp = wallet_address(nbkey, MNEMONIC_FORMS[form].encode(), tmp_path)
    assert (cp.returncode, cp.stderr) == (0, b"")
    assert cp.stdout == webapp.mnemonic_account(MNEMONIC)[1].encode() + b"\n"
    assert webapp.bip39_canonical(MNEMONIC_FORMS[form]) == MNEMONIC


@pytest.mark.parametrize("text,position", [
    (", ".join(WORDS[:2] + ["Abandxn"] + WORDS[3:]), 3),
    (" ".join(f"{i}. {w}" for i, w in enumerate(WORDS, 1)), 1),
    (" ".join(WORDS[:11] + ["\u00e9carter"]), 12),
])
def test_unknown_word_only_when_it_is_not_a_word(nbkey, tmp_path, text, position):
    cp = wallet_address(nbkey, text.encode(), tmp_path)
    assert (cp.returncode, cp.stdout) == (1, b"")
    assert cp.stderr == f"error: mnemonic word {position} is not in the BIP-39 English word list\n".encode()


def test_confirmation_asks_again(nbkey, tmp_path):
    out = tmp_path / "k.json"
    run = PtyRun(nbkey, ["keygen", "--protect", "-o", out], tmp_path)
    for first, second in [(b"one", b"two"), (b"three", b"four")]:
        run.expect(b"enter key file passphrase: ")
        run.type(first + b"\n")
        run.expect(b"confirm key file passphrase: ")
        run.type(second + b"\n")
        run.expect(b"the two differ; once more\r\n")
        run.seen = run.seen.split(b"the two differ; once more\r\n", 1)[1]
    run.expect(b"enter key file passphrase: ")
    run.type(b"five \n")
    run.expect(b"confirm key file passphrase: ")
    run.type(b"five \n")
    code, stdout, stderr = run.finish()
    assert code == 0, stderr
    assert stderr == b"warning: the key file passphrase typed at the prompt ends with white space\n"
    assert stdout == webapp.b64e(webapp.x25519_public_key(webapp.keyfile_load(webapp.unprotect(out.read_text(), "five "))[1])).encode() + b"\n"


def test_three_differing_confirmations_fail(nbkey, tmp_path):
    out = tmp_path / "k.json"
    run = PtyRun(nbkey, ["keygen", "--protect", "-o", out], tmp_path)
    for i in range(3):
        run.expect(b"enter key file passphrase: ")
        run.type(b"a%d\n" % i)
        run.expect(b"confirm key file passphrase: ")
        run.type(b"b%d\n" % i)
        run.seen = run.seen.rsplit(b"confirm key file passphrase: ", 1)[1]
    code, stdout, stderr = run.finish()
    assert (code, stdout) == (1, b"")
    assert stderr == b"error: the key file passphrase and its confirmation differed three times\n"
    assert not out.exists() and run.echo_after


@pytest.mark.parametrize("option,hint", [
    ("--mnemonic-file", "hint: name a file, or pipe the mnemonic in"),
    ("--private-key-file", "hint: name a file, or pipe the private key in"),
    ("--mnemonic-passphrase-file", "hint: leave out the file option and nbkey asks for the BIP-39 passphrase without echo"),
])
def test_secret_from_terminal_stdin_is_refused(nbkey, tmp_path, option, hint):
    args = ["wallet", "address", option, "-"]
    if option == "--mnemonic-passphrase-file":
        args += ["--mnemonic-file", write_secret(tmp_path / "srp.txt", MNEMONIC)]
    run = PtyRun(nbkey, args, tmp_path, stdin_is_terminal=True)
    code, stdout, stderr = run.finish()
    what = {"--mnemonic-file": "mnemonic", "--private-key-file": "private key"}.get(option, "BIP-39 passphrase")
    assert (code, stdout) == (1, b"")
    assert stderr == f"error: standard input is a terminal: not reading the {what} from it\n{hint}\n".encode()


def test_key_file_from_terminal_stdin_is_refused(nbkey, tmp_path):
    run = PtyRun(nbkey, ["key", "show", "-"], tmp_path, stdin_is_terminal=True)
    code, stdout, stderr = run.finish()
    assert (code, stdout) == (1, b"")
    assert stderr == b"error: standard input is a terminal: not reading the key file from it\nhint: name a file, or pipe the key file in\n"


def test_secret_through_a_pipe_still_works(nbkey):
    cp = subprocess.run([str(nbkey.path), "wallet", "address", "--mnemonic-file", "-"], input=MNEMONIC.encode(),
                        capture_output=True, env=child_env())
    assert (cp.returncode, cp.stdout) == (0, webapp.mnemonic_account(MNEMONIC)[1].encode() + b"\n")
