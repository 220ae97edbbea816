"""Shared fixtures for the nbkey interop tests.

The binary under test comes from env NBKEY (default `.build/debug/nbkey`, resolved relative to
the repository root, which is two directories up from this file). Tests that need it take the
`nbkey` fixture, which skips them, with the reason, only when the binary is missing.

The independent implementations are PyNaCl, eth-account and the real NumerBay Python client
(numerbay==0.2.4), plus `webapp.py`, a reference model of the web app's formats built on them.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

# secp256k1 group order
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

# The exact "Export key file" form (FORMATS.md section 2): no whitespace, no trailing newline.
KEYFILE_RE = re.compile(
    rb'\{"public_key":"([A-Za-z0-9+/]{43}=)","private_key":"([A-Za-z0-9+/]{43}=)"\}'
)


def nbkey_path() -> Path:
    raw = os.environ.get("NBKEY", ".build/debug/nbkey")
    p = Path(raw)
    if not p.is_absolute():
        p = REPO_ROOT / p
    return p


@dataclass
class Result:
    args: list
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def err_text(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    def describe(self) -> str:
        return (
            f"nbkey {' '.join(map(str, self.args))}\n"
            f"  exit: {self.returncode}\n"
            f"  stdout ({len(self.stdout)} bytes): {self.stdout[:400]!r}\n"
            f"  stderr: {self.stderr[:1200]!r}"
        )


class Nbkey:
    """Runs the binary. Secrets are only ever passed through files or stdin, never argv."""

    def __init__(self, path: Path):
        self.path = path

    def __call__(self, *args, input: bytes | None = None, env: dict | None = None,
                 cwd: Path | None = None, timeout: float = 60) -> Result:
        base_env = {k: v for k, v in os.environ.items() if k != "NUMERBAY_KEY_PATH"}
        if env:
            base_env.update(env)
        argv = [str(self.path), *[str(a) for a in args]]
        cp = subprocess.run(
            argv,
            input=input if input is not None else b"",
            capture_output=True,
            env=base_env,
            cwd=str(cwd) if cwd else None,
            timeout=timeout,
        )
        return Result([str(a) for a in args], cp.returncode, cp.stdout, cp.stderr)

    def ok(self, *args, **kw) -> Result:
        r = self(*args, **kw)
        assert r.returncode == 0, "expected success:\n" + r.describe()
        return r


@pytest.fixture(scope="session")
def nbkey() -> Nbkey:
    p = nbkey_path()
    if not (p.is_file() and os.access(p, os.X_OK)):
        pytest.skip(f"nbkey binary not found at {p} (set NBKEY or build it with `swift build`)")
    return Nbkey(p)


# --------------------------------------------------------------------------------------------
# Reference implementations
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def webapp():
    import webapp as module  # Interop/python/webapp.py
    return module


def b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def unb64(s) -> bytes:
    return base64.b64decode(s, validate=True)


def random_eth_key() -> bytes:
    """A uniformly random valid secp256k1 private key (1 <= k < n), 32 bytes big-endian."""
    k = secrets.randbelow(SECP256K1_N - 1) + 1
    return k.to_bytes(32, "big")


def write_secret(path: Path, data) -> Path:
    """Write a secret file (key file, private key file) with mode 0600, as a careful user keeps
    it; nbkey may warn about group/world-readable secret files, which would put a `warning:`
    line before any `error:` line."""
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    os.chmod(path, 0o600)
    return path


def file_mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def secret_forms(*secrets_: bytes) -> list[bytes]:
    """Textual forms a leaked secret could take in output."""
    forms = []
    for s in secrets_:
        if not s:
            continue
        h = s.hex().encode()
        forms += [h, h.upper(), base64.b64encode(s)]
        if len(s) == 32:
            forms.append(",".join(str(x) for x in s).encode())
    return forms


def assert_failed(r: Result, *, out: Path | None = None, leaked: list[bytes] = (),
                  stderr_contains: str | None = None, code: int | None = 1):
    """The common 'bad input' contract: non-zero exit, empty stdout, stderr's first line
    starts with 'error:', no output file, no secret in stdout/stderr.

    `code`: CLI.md says errors exit 1 and usage errors 64. Bad *data* (file contents, keys,
    envelopes) is not a usage error, so by default exactly 1 is expected; this also keeps a
    missing subcommand or option (64) from passing as a correct rejection. None: any non-zero."""
    assert r.returncode != 0, "expected failure:\n" + r.describe()
    if code is not None:
        assert r.returncode == code, f"expected exit status {code}:\n" + r.describe()
    assert r.stdout == b"", "stdout must be empty on failure:\n" + r.describe()
    first = r.err_text.splitlines()[0] if r.err_text else ""
    assert first.startswith("error:"), "stderr's first line must start with 'error:':\n" + r.describe()
    if out is not None:
        assert not out.exists(), f"output file {out} must not be created on failure:\n" + r.describe()
    for form in leaked:
        if len(form) >= 8:
            assert form not in r.stdout and form not in r.stderr, (
                f"secret material {form[:12]!r}... appears in output:\n" + r.describe())
    if stderr_contains is not None:
        assert stderr_contains in r.err_text, (
            f"stderr should contain {stderr_contains!r}:\n" + r.describe())


# --------------------------------------------------------------------------------------------
# Watching a running nbkey's outputs
# --------------------------------------------------------------------------------------------

def output_sizes(pid: int, directory: Path) -> list[int]:
    """Sizes of the regular files under `directory` that process `pid` holds open for writing:
    its outputs, named or not (an O_TMPFILE file reads as `DIR/#INODE (deleted)`)."""
    sizes = []
    prefix = str(directory) + "/"
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except FileNotFoundError:
        return sizes
    for fd in fds:
        try:
            if not os.readlink(f"/proc/{pid}/fd/{fd}").startswith(prefix):
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                flags = int(next(l for l in f if l.startswith("flags:")).split()[1], 8)
            st = os.stat(f"/proc/{pid}/fd/{fd}")
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
        if flags & 3 and stat.S_ISREG(st.st_mode):
            sizes.append(st.st_size)
    return sizes


def wait_for_output(p: subprocess.Popen, directory: Path, nbytes: int, count: int = 1, timeout=120.0):
    """Busy-polls until `count` outputs of `p` under `directory` hold >= nbytes (or `p` ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and p.poll() is None:
        if len([s for s in output_sizes(p.pid, directory) if s >= nbytes]) >= count:
            return
        time.sleep(0.0002)
    if p.poll() is None:
        raise AssertionError(f"no output of {nbytes} bytes under {directory} within {timeout}s")
