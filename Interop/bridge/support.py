"""Shared helpers for the wallet-bridge tests (Interop/bridge, and the browser tests).

- NBKEY: the binary under test (env NBKEY, default .build/debug/nbkey relative to the repo root).
- start(args): runs `nbkey ARGS --no-open`, waits for the URL line on stderr (docs/BRIDGE.md,
  "The URL") and returns a Run (url, port, secret, proc, stderr_so_far(), finish()).
- ReferenceWallet: answers the four wallet methods with the reference model (Interop/python/
  webapp.py on PyNaCl + eth-account), never with nbkey's code.
- ApiClient: plays the page over raw HTTP (http.client): next(), answer(), event(), request().
- drive(run, wallet): polls and answers until the page state is done or failed; a wallet whose
  answer() raises WalletError(code, message) makes drive() post that error instead.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
_PY_TESTS = REPO_ROOT / "Interop" / "python"
if str(_PY_TESTS) not in sys.path:
    sys.path.insert(0, str(_PY_TESTS))

import webapp  # noqa: E402  (Interop/python/webapp.py)


def _nbkey_path() -> str:
    p = Path(os.environ.get("NBKEY", ".build/debug/nbkey"))
    if not p.is_absolute():
        p = REPO_ROOT / p
    return str(p)


NBKEY = _nbkey_path()

# Two fixed valid secp256k1 private keys (1 <= k < n); public test keys, never real accounts.
TEST_KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
OTHER_KEY = bytes.fromhex("8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f")

URL_RE = re.compile(r"http://127\.0\.0\.1:(\d+)/#session=([0-9a-f]{64})")
SESSION_HEADER = "X-NBKey-Session"


class Run:
    """A running `nbkey … --browser`. Background threads read its stdout and stderr."""

    def __init__(self, proc: subprocess.Popen, lines: list[str], lock: threading.Lock,
                 readers: list[threading.Thread], stdout: bytearray):
        self.proc = proc
        self.url = ""
        self.port = 0
        self.secret = ""
        self._lines = lines
        self._lock = lock
        self._readers = readers
        self._stdout = stdout

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stderr_so_far(self) -> str:
        with self._lock:
            return "".join(self._lines)

    def _join(self) -> None:
        for t in self._readers:
            t.join(timeout=5)

    def finish(self, timeout: float = 30) -> tuple[int, bytes, str]:
        """Waits for nbkey to exit: (returncode, stdout bytes, all stderr text). On timeout the
        process is killed and TimeoutError raised."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise TimeoutError(f"nbkey did not exit within {timeout} s; stderr:\n"
                               + self.stderr_so_far()) from None
        self._join()
        return self.proc.returncode, bytes(self._stdout), self.stderr_so_far()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self._join()


def start(args: list[str], tmp_path=None, env: dict | None = None,
          url_timeout: float = 20) -> Run:
    """Launches [NBKEY, *args, "--no-open"] and waits for the URL line on stderr."""
    args = [str(a) for a in args]
    if "--no-open" not in args:
        args.append("--no-open")
    full_env = {k: v for k, v in os.environ.items() if k != "NUMERBAY_KEY_PATH"}
    if env:
        full_env.update(env)
    proc = subprocess.Popen([NBKEY, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=full_env,
                            cwd=str(tmp_path) if tmp_path is not None else None)
    lines: list[str] = []
    stdout = bytearray()
    lock = threading.Lock()
    found = threading.Event()
    match: list[re.Match] = []

    def read_stderr() -> None:
        with proc.stderr:
            for raw in iter(proc.stderr.readline, b""):
                line = raw.decode("utf-8", "replace")
                with lock:
                    lines.append(line)
                if not found.is_set():
                    m = URL_RE.search(line)
                    if m:
                        match.append(m)
                        found.set()
        found.set()  # EOF: wake the waiter

    def read_stdout() -> None:
        with proc.stdout:
            for chunk in iter(lambda: proc.stdout.read1(65536), b""):
                stdout.extend(chunk)

    readers = [threading.Thread(target=f, name=f"nbkey-{f.__name__}-{proc.pid}", daemon=True)
               for f in (read_stderr, read_stdout)]
    for t in readers:
        t.start()
    run = Run(proc, lines, lock, readers, stdout)
    found.wait(url_timeout)
    if not match:
        run.kill()
        raise RuntimeError(f"nbkey {' '.join(args)}: no URL line on stderr within "
                           f"{url_timeout} s (exit {proc.returncode}); stderr:\n"
                           + run.stderr_so_far())
    m = match[0]
    run.url, run.port, run.secret = m.group(0), int(m.group(1)), m.group(2)
    return run


# --------------------------------------------------------------------------- reference wallet

class WalletError(Exception):
    """Raised by a wallet's answer() to make drive() post {"error": {"code", "message"}}."""

    def __init__(self, code: int, message: str = "refused"):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ReferenceWallet:
    """A browser wallet modelled with webapp.py. v01: personal_sign returns v as 0/1."""

    def __init__(self, eth_sk: bytes, v01: bool = False):
        self.eth_sk = bytes(eth_sk)
        self.v01 = v01
        self.address = webapp.address(self.eth_sk).lower()
        self.checksum_address = webapp.address(self.eth_sk)

    def _check_address(self, addr) -> None:
        if addr != self.address:
            raise ValueError(f"request for account {addr!r}, this wallet is {self.address}")

    @staticmethod
    def _hex_bytes(value) -> bytes:
        if not isinstance(value, str) or not value.startswith("0x"):
            raise ValueError(f"not 0x-hex: {value!r}")
        return bytes.fromhex(value[2:])

    def answer(self, method: str, params):
        if method == "eth_requestAccounts":
            if params != []:
                raise ValueError(f"eth_requestAccounts params {params!r}, expected []")
            return [self.address]
        if method == "personal_sign":
            message, addr = params
            self._check_address(addr)
            sig = webapp.personal_sign(self.eth_sk, self._hex_bytes(message))
            return webapp.signature_v01(sig) if self.v01 else sig
        if method == "eth_getEncryptionPublicKey":
            (addr,) = params
            self._check_address(addr)
            return webapp.encryption_public_key(self.eth_sk)
        if method == "eth_decrypt":
            envelope, addr = params
            self._check_address(addr)
            return webapp.envelope_decrypt(self.eth_sk, self._hex_bytes(envelope).decode("utf-8"))
        raise ValueError(f"unknown wallet method {method!r}")


# --------------------------------------------------------------------------- the page, in Python

class ApiClient:
    """Plays the page over raw HTTP: one connection per request, as the server closes each."""

    def __init__(self, run: Run, timeout: float = 10):
        self.run = run
        self.port = run.port
        self.secret = run.secret
        self.timeout = timeout
        self.handled: set[str] = set()  # ids answered through answer(): the page handles each once

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, headers: dict | None = None, body=None,
                host: str | None = None) -> tuple[int, dict, bytes]:
        """A raw request. `headers` are sent as given (no secret is added); `host` overrides the
        Host header. Returns (status, headers with lowercase names, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", self.host if host is None else host)
            if isinstance(body, str):
                body = body.encode("utf-8")
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            if body is not None and not any(k.lower() == "content-length" for k in (headers or {})):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()
            hdrs: dict[str, str] = {}
            for k, v in resp.getheaders():
                hdrs[k.lower()] = v if k.lower() not in hdrs else hdrs[k.lower()] + ", " + v
            return resp.status, hdrs, data
        finally:
            conn.close()

    def api_headers(self, extra: dict | None = None) -> dict:
        h = {SESSION_HEADER: self.secret}
        if extra:
            h.update(extra)
        return h

    def get(self, path: str) -> tuple[int, dict, bytes]:
        return self.request("GET", path, self.api_headers())

    def post_raw(self, path: str, obj, extra: dict | None = None) -> tuple[int, dict, bytes]:
        """POST as the page does (secret, same-origin Origin, JSON); `obj` may be raw bytes/str;
        `extra` adds or overrides headers."""
        body = obj if isinstance(obj, (bytes, str)) else json.dumps(obj)
        return self.request("POST", path,
                            self.api_headers({"Content-Type": "application/json",
                                              "Origin": self.origin, **(extra or {})}),
                            body)

    def post(self, path: str, obj, extra: dict | None = None) -> int:
        return self.post_raw(path, obj, extra)[0]

    def next(self) -> dict:
        status, _, body = self.get("/api/next")
        if status != 200:
            raise RuntimeError(f"GET /api/next: {status} {body[:200]!r}")
        return json.loads(body)

    def answer_raw(self, id: str, result=None, error=None) -> tuple[int, dict, bytes]:
        """POST /api/answer {"id", "result"} (or "error" when given); the id counts as handled."""
        self.handled.add(id)
        obj: dict = {"id": id}
        if error is not None:
            obj["error"] = error
        else:
            obj["result"] = result
        return self.post_raw("/api/answer", obj)

    def answer(self, id: str, result=None, error=None) -> int:
        return self.answer_raw(id, result, error)[0]

    def event(self, obj) -> int:
        return self.post("/api/event", obj)


FINAL_STATES = ("done", "failed")


def drive(run: Run, wallet: ReferenceWallet | None, until_done: bool = True,
          timeout: float = 30, poll: float = 0.05, client: ApiClient | None = None) -> dict:
    """Polls /api/next every `poll` s and answers each request that `client` has not answered yet
    (a request can still be listed for a moment after its answer) with wallet.answer, until the
    state is done or failed (until_done=False: returns the first request instead of answering;
    wallet=None: answers nothing, only waits for done/failed). Returns the last state dict."""
    client = client or ApiClient(run)
    deadline = time.monotonic() + timeout
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError(f"exchange not finished within {timeout} s; stderr:\n"
                               + run.stderr_so_far())
        try:
            state = client.next()
        except (OSError, http.client.HTTPException):
            if run.proc.poll() is not None:
                raise RuntimeError("nbkey exited before the page saw done/failed; stderr:\n"
                                   + run.stderr_so_far()) from None
            time.sleep(poll)
            continue
        if state.get("state") in FINAL_STATES:
            return state
        if state.get("state") == "request" and state["id"] not in client.handled:
            if not until_done:
                return state
            if wallet is None:
                time.sleep(poll)
                continue
            try:
                status = client.answer(state["id"], result=wallet.answer(state["method"], state["params"]))
            except WalletError as e:
                status = client.answer(state["id"], error={"code": e.code, "message": e.message})
            if status != 200:
                raise RuntimeError(f"POST /api/answer for {state['method']}: {status}")
        time.sleep(poll)
