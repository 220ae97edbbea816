"""How nbkey takes secrets (issue 12, bugs 3, 6, 7 and the prompt's friction items):

- a prompt on a terminal (a pty here) is left with echo on whatever ends the run: the line, an
  error, or SIGINT/SIGTERM/SIGHUP/SIGQUIT while it waits (and the exit status names the signal).

Secrets reach nbkey only through files (0600), the environment or the pty."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import subprocess
import termios
from pathlib import Path

import pytest

import webapp
from conftest import write_secret

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
    """nbkey with a fresh pty as its controlling terminal (its /dev/tty); stdin, stdout and
    stderr are files, so only the prompt goes through the pty."""

    def __init__(self, nbkey, args, cwd: Path, env=None):
        self.master, self.slave = os.openpty()
        self.out = open(cwd / ".stdout", "w+b")
        self.err = open(cwd / ".stderr", "w+b")
        slave = self.slave

        def become_session_leader_of_the_pty():
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen([str(nbkey.path), *map(str, args)], stdin=subprocess.DEVNULL,
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


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
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
