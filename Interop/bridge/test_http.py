"""The wallet bridge's HTTP contract (docs/BRIDGE.md) and the --browser exchanges' results and
errors (the CLI contract), against the real nbkey, with Python playing the page (support.ApiClient)
and the wallet (support.ReferenceWallet, built on webapp.py: PyNaCl + eth-account)."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import re
import secrets
import socket
import subprocess
import time

import pytest

import support
from support import OTHER_KEY, TEST_KEY, ApiClient, ReferenceWallet, WalletError, drive, webapp

ADDRESS = ["wallet", "address", "--browser"]
SIGN = ["wallet", "sign-message", "--browser"]
SECURITY_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "connection": "close",
}
MAX_BODY = 65_536
ID_RE = re.compile(r"[0-9a-f]{32}")
TEST_ADDR = webapp.address(TEST_KEY)
OTHER_ADDR = webapp.address(OTHER_KEY)
WALLET_ADDR = TEST_ADDR.lower()  # the account as the wallet returns it
FORGED_ACCOUNTS = [OTHER_ADDR.lower()]  # what a forged answer to eth_requestAccounts claims


# ------------------------------------------------------------------------------------- helpers

def other_port(port: int) -> int:
    return port + 1 if port < 65535 else port - 1


def wrong_secret(secret: str) -> str:
    """Same length, last hex digit changed."""
    return secret[:-1] + ("0" if secret[-1] != "0" else "1")


def unknown_id() -> str:
    return secrets.token_hex(16)


def padded_answer(size: int) -> bytes:
    """A valid JSON answer to an unknown id, padded with spaces to exactly `size` bytes."""
    body = json.dumps({"id": unknown_id(), "result": []}).encode()
    return body + b" " * (size - len(body))


def media_type(headers: dict) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def vm_rss(pid: int) -> int:
    """Resident set size in bytes, from /proc/PID/status."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


def wait_request(client: ApiClient, method: str, timeout: float = 15) -> dict:
    """Polls /api/next until the pending request is a `method` the client has not answered; in
    between only `wait` or an already answered request (listed for a moment) may come."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.next()
        handled = state["state"] == "request" and state["id"] in client.handled
        if state["state"] == "request" and state["method"] == method and not handled:
            return state
        assert state["state"] == "wait" or handled, f"waiting for {method}, got {state}"
        time.sleep(0.05)
    raise AssertionError(f"no {method} request within {timeout} s")


def error_lines(err: str, prefix: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(prefix)]


def assert_failed(state: dict, rc: int, out: bytes, err: str, error: str, exact: bool = True):
    """The exchange failed: exit 1, nothing on stdout, stderr's `error:` line is `error` (or
    starts with it when exact=False), and the page's failed state says the same (message and
    hint are the stderr lines without their prefixes)."""
    assert (rc, out) == (1, b""), err
    lines = error_lines(err, "error:")
    assert lines, err
    if exact:
        assert lines[0] == error, err
    else:
        assert lines[0].startswith(error), err
    expected_state = {"state": "failed", "message": lines[0].removeprefix("error: ")}
    expected_state.update({"hint": h.removeprefix("hint: ") for h in error_lines(err, "hint:")})
    assert state == expected_state, err


class ScriptedWallet(ReferenceWallet):
    """The reference wallet, recording its calls, with some methods overridden:
    overrides[method](params) returns the answer or raises WalletError."""

    def __init__(self, eth_sk: bytes = TEST_KEY, v01: bool = False, **overrides):
        super().__init__(eth_sk, v01)
        self.overrides = overrides
        self.calls: list[tuple[str, list]] = []

    def answer(self, method, params):
        self.calls.append((method, params))
        if method in self.overrides:
            return self.overrides[method](params)
        return super().answer(method, params)


def refuse(code: int):
    def _refuse(params):
        raise WalletError(code, f"refused with {code}")
    return _refuse


def finish_address(run, wallet, client: ApiClient) -> None:
    """Drives a `wallet address` run to its end: done, exit 0, stdout the EIP-55 address."""
    assert drive(run, wallet, client=client)["state"] == "done"
    assert run.finish()[:2] == (0, f"{TEST_ADDR}\n".encode())


def announce(client: ApiClient) -> None:
    """The page's `wallet` event."""
    assert client.event({"event": "wallet", "name": "Test Wallet", "rdns": "org.example.test"}) == 200


def exchange(launch, args, wallet, before=None):
    """Runs `nbkey ARGS` to its end with `wallet` answering: (final state, rc, stdout, stderr).
    before(client), when given, runs first (e.g. to post an event)."""
    run = launch(args)
    client = ApiClient(run)
    if before:
        before(client)
    state = drive(run, wallet, client=client)
    return (state, *run.finish())


def sign_run(launch, tmp_path, wallet, connect: bool = True):
    """A `wallet sign-message` run whose page has polled; connect: the wallet's account is
    connected and personal_sign is pending. Returns (run, client, message bytes)."""
    path, data = message_file(tmp_path)
    run = launch([*SIGN, path])
    client = ApiClient(run)
    rid = wait_request(client, "eth_requestAccounts")["id"]
    if connect:
        assert client.answer(rid, result=[wallet.address]) == 200
        wait_request(client, "personal_sign")
    return run, client, data


def message_file(tmp_path, data: bytes = b"NumerBay \xe2\x9c\x93\nline 2\x00\xff") -> tuple[str, bytes]:
    path = tmp_path / "message.bin"
    path.write_bytes(data)
    return str(path), data


# --------------------------------------------------------------- statuses and headers, one table
# Each case runs against the module's idle run (its eth_requestAccounts stays unanswered) and
# must not change it: (expected status, request given the client).

def _bad_host(path: str, host_of):
    return lambda c: c.request("GET", path, c.api_headers(), host=host_of(c.port))


def _origin(origin_of):
    return lambda c: c.post_raw("/api/answer", {"id": unknown_id(), "result": []},
                                {"Origin": origin_of(c.port)})


def _pending_id(c: ApiClient) -> str:
    return c.next()["id"]


HOSTS = {
    "evil": lambda p: f"evil.example:{p}",
    "other-port": lambda p: f"127.0.0.1:{other_port(p)}",
    "no-port": lambda p: "127.0.0.1",
}
FOREIGN_ORIGINS = {
    "evil": lambda p: "http://evil.example",
    "other-port": lambda p: f"http://127.0.0.1:{other_port(p)}",
    "null": lambda p: "null",
}

CASES = {
    "page": (200, lambda c: c.request("GET", "/")),
    "bridge.js": (200, lambda c: c.request("GET", "/bridge.js")),
    "bridge.css": (200, lambda c: c.request("GET", "/bridge.css")),
    "next": (200, lambda c: c.get("/api/next")),
    "page-localhost": (200, lambda c: c.request("GET", "/", host=f"localhost:{c.port}")),
    "next-localhost": (200, lambda c: c.request("GET", "/api/next", c.api_headers(),
                                                host=f"localhost:{c.port}")),
    # the secret
    "next-no-secret": (403, lambda c: c.request("GET", "/api/next")),
    "next-wrong-secret": (403, lambda c: c.request("GET", "/api/next",
                                                   {"X-NBKey-Session": wrong_secret(c.secret)})),
    "next-uppercase-secret": (403, lambda c: c.request("GET", "/api/next", {"X-NBKey-Session": c.secret.upper()})),
    "answer-no-secret": (403, lambda c: c.request(
        "POST", "/api/answer", {"Origin": c.origin},
        json.dumps({"id": _pending_id(c), "result": FORGED_ACCOUNTS}))),
    "answer-wrong-secret": (403, lambda c: c.post_raw(
        "/api/answer", {"id": _pending_id(c), "result": FORGED_ACCOUNTS},
        {"X-NBKey-Session": wrong_secret(c.secret)})),
    "event-no-secret": (403, lambda c: c.request("POST", "/api/event", {"Origin": c.origin},
                                                 json.dumps({"event": "no-wallet"}))),
    # Host (DNS rebinding): the page and the API
    **{f"host-{name}-page": (421, _bad_host("/", host)) for name, host in HOSTS.items()},
    **{f"host-{name}-api": (421, _bad_host("/api/next", host)) for name, host in HOSTS.items()},
    # Origin
    **{f"origin-{name}": (403, _origin(origin)) for name, origin in FOREIGN_ORIGINS.items()},
    "origin-same-127": (404, _origin(lambda p: f"http://127.0.0.1:{p}")),
    "origin-same-localhost": (404, _origin(lambda p: f"http://localhost:{p}")),
    # answers
    "answer-unknown-id": (404, lambda c: c.post_raw("/api/answer", {"id": unknown_id(), "result": []})),
    "answer-not-json": (400, lambda c: c.post_raw("/api/answer", b"{not json")),
    "answer-not-object": (400, lambda c: c.post_raw("/api/answer", [_pending_id(c)])),
    "answer-no-id": (400, lambda c: c.post_raw("/api/answer", {"result": []})),
    "answer-both": (400, lambda c: c.post_raw("/api/answer", {
        "id": _pending_id(c), "result": [], "error": {"code": 4001, "message": "no"}})),
    "answer-neither": (400, lambda c: c.post_raw("/api/answer", {"id": _pending_id(c)})),
    "event-not-json": (400, lambda c: c.post_raw("/api/event", b"event")),
    # body size
    "body-65536": (404, lambda c: c.post_raw("/api/answer", padded_answer(MAX_BODY))),
    "body-65537": (413, lambda c: c.post_raw("/api/answer", padded_answer(MAX_BODY + 1))),
    "content-length-only": (413, lambda c: c.request(
        "POST", "/api/answer", c.api_headers({"Origin": c.origin, "Content-Length": "1000000"}))),
    # routes
    **{f"path-{p}": (404, lambda c, p=p: c.request("GET", p, c.api_headers()))
       for p in ("/nope", "/api/nope", "/bridge.js.map", "/index.html", "/api")},
    **{f"method-{m}-{p}": (405, lambda c, m=m, p=p: c.request(m, p, c.api_headers()))
       for m, p in (("POST", "/"), ("HEAD", "/"), ("DELETE", "/bridge.js"), ("PUT", "/bridge.css"),
                    ("POST", "/api/next"), ("GET", "/api/answer"), ("GET", "/api/event"))},
    # the order of the checks: Host, Origin, size, route, secret
    "order-host-first": (421, lambda c: c.request("POST", "/nope", {"Origin": "http://evil.example"},
                                                  b"x" * (MAX_BODY + 1), host="evil.example")),
    "order-origin-before-size": (403, lambda c: c.request(
        "POST", "/nope", {"Origin": "http://evil.example"}, b"x" * (MAX_BODY + 1))),
    "order-size-before-route": (413, lambda c: c.request("POST", "/nope", None, b"x" * (MAX_BODY + 1))),
    "order-route-before-secret": (404, lambda c: c.request("GET", "/api/nope")),
    "order-method-before-secret": (405, lambda c: c.request("GET", "/api/answer")),
}


@pytest.fixture(scope="module")
def idle(idle_run) -> ApiClient:
    client = ApiClient(idle_run)
    wait_request(client, "eth_requestAccounts")
    return client


@pytest.mark.parametrize("case", CASES)
def test_status(idle, case):
    expected, send = CASES[case]
    status, _, body = send(idle)
    assert status == expected, body[:300]


@pytest.mark.parametrize("case", CASES)
def test_security_headers(idle, case):
    _, headers, _ = CASES[case][1](idle)
    assert {k: headers.get(k) for k in SECURITY_HEADERS} == SECURITY_HEADERS
    assert [k for k in headers if k.startswith("access-control-")] == []


@pytest.mark.parametrize("path, mime", [("/", "text/html"), ("/bridge.js", "text/javascript"),
                                        ("/bridge.css", "text/css")])
def test_static_files(idle, path, mime):
    status, headers, body = idle.request("GET", path)
    assert status == 200
    assert headers["content-type"].lower().replace(" ", "") in (mime, f"{mime};charset=utf-8")
    assert body and int(headers["content-length"]) == len(body)
    assert idle.secret.encode() not in body


def raw_exchange(port: int, data: bytes, timeout: float = 15) -> tuple[int, dict, float]:
    """Sends raw bytes on a new connection; reads until the server closes it. Returns (status,
    headers with lowercase names, seconds from the first response byte to the close)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks, first = [], None
        while chunk := sock.recv(65536):
            first = first or time.monotonic()
            chunks.append(chunk)
        closed = time.monotonic()
    head = b"".join(chunks).split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip() if name.strip().lower() not in headers else "<repeated>"
    return int(head[0].split()[1]), headers, closed - (first or closed)


RAW = {  # name: (expected status, request bytes given port); parser errors included
    "served": (200, lambda p: f"GET /bridge.css HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\r\n".encode()),
    "bad-host": (421, lambda p: b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n"),
    "garbage": (400, lambda p: b"\x00\x01\x02 garbage\r\n\r\n"),
    "content-length-overflow": (400, lambda p: (
        f"POST /api/answer HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n"
        "Content-Length: 18446744073709551616\r\n\r\n").encode()),
    "content-length-and-chunked": (400, lambda p: (
        f"POST /api/answer HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").encode()),
    "header-too-large": (400, lambda p: (
        f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nX-Big: {'a' * 100_000}\r\n\r\n").encode()),
}


@pytest.mark.parametrize("case", RAW)
def test_every_response_is_complete_and_closed(idle, case):
    """Also the HTTP parser's own errors: the five headers, and the connection closed at once."""
    expected, data = RAW[case]
    status, headers, linger = raw_exchange(idle.port, data(idle.port))
    wrong_headers = {k: headers.get(k) for k, v in SECURITY_HEADERS.items() if headers.get(k) != v}
    assert (status, wrong_headers, round(linger)) == (expected, {}, 0), \
        f"the server closed the connection {linger:.1f} s after its response"


def test_next_returns_the_pending_request(idle):
    status, headers, body = idle.get("/api/next")
    assert (status, media_type(headers)) == (200, "application/json")
    state = json.loads(body)
    assert ID_RE.fullmatch(state["id"]), state
    assert {k: state[k] for k in ("state", "method", "params")} == {
        "state": "request", "method": "eth_requestAccounts", "params": []}
    assert isinstance(state["title"], str) and isinstance(state["detail"], str) and state["title"]
    assert idle.next()["id"] == state["id"], "the same request on every poll until answered"


# ------------------------------------------------------------------------------- answers

@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
def test_foreign_origin_answer_does_not_count(launch, wallet, origin):
    run = launch(ADDRESS)
    client = ApiClient(run)
    pending = wait_request(client, "eth_requestAccounts")
    status = client.post("/api/answer", {"id": pending["id"], "result": FORGED_ACCOUNTS},
                         {"Origin": FOREIGN_ORIGINS[origin](run.port)})
    assert status == 403
    assert client.next() == pending
    finish_address(run, wallet, client)


def test_replayed_answer_is_409_and_the_first_counts(launch, wallet):
    run = launch(ADDRESS)
    client = ApiClient(run)
    rid = wait_request(client, "eth_requestAccounts")["id"]
    first = client.answer_raw(rid, result=[wallet.address])
    assert (first[0], json.loads(first[2])) == (200, {"ok": True})
    assert client.answer(rid, result=FORGED_ACCOUNTS) == 409
    assert client.answer(rid, error={"code": 4001, "message": "no"}) == 409
    finish_address(run, wallet, client)


# ------------------------------------------------------------------------------- robustness

BURST = 1_000
BURST_KINDS = {  # kind: (expected status, request)
    "no-secret": (403, lambda c: c.request("GET", "/api/next")),
    "bad-host": (421, lambda c: c.request("GET", "/api/next", c.api_headers(),
                                          host=f"evil.example:{c.port}")),
    "poll": (200, lambda c: c.get("/api/next")),
}


def _burst_one(client: ApiClient, kind: str):
    try:
        status, _, body = BURST_KINDS[kind][1](client)
    except TimeoutError:
        return "timeout", None
    except (ConnectionError, http.client.HTTPException):
        return "dropped", None  # over the 16-connection bound: closed at once, the page retries
    return status, body


def test_burst_changes_nothing(launch, wallet):
    run = launch([*ADDRESS, "--browser-timeout", "180"])
    client = ApiClient(run)
    pending = wait_request(client, "eth_requestAccounts")
    rss_before = vm_rss(run.pid)
    kinds = [list(BURST_KINDS)[i % len(BURST_KINDS)] for i in range(BURST)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda k: (k, *_burst_one(client, k)), kinds))
    rss_after = vm_rss(run.pid)

    seen = {(kind, status) for kind, status, _ in results}
    allowed = {(kind, s) for kind, (expected, _) in BURST_KINDS.items() for s in (expected, "dropped")}
    assert seen <= allowed, sorted(seen - allowed, key=str)
    assert {kind for kind, status, _ in results if status != "dropped"} == set(BURST_KINDS)
    assert {json.loads(body)["id"] for kind, status, body in results if kind == "poll" and body} == {pending["id"]}
    assert rss_after - rss_before <= 8 * 1024 * 1024, (rss_before, rss_after)
    finish_address(run, wallet, client)


def test_connections_over_16_are_closed_at_once(launch, wallet):
    run = launch(ADDRESS)
    client = ApiClient(run)
    wait_request(client, "eth_requestAccounts")
    held = [socket.create_connection(("127.0.0.1", run.port), timeout=5) for _ in range(16)]
    try:
        time.sleep(0.3)
        with socket.create_connection(("127.0.0.1", run.port), timeout=3) as extra:
            t0 = time.monotonic()
            try:
                assert extra.recv(4096) == b""
            except ConnectionResetError:
                pass
            assert time.monotonic() - t0 < 1
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    finish_address(run, wallet, client)


def test_silent_connection_is_closed(launch):
    run = launch(ADDRESS)
    with socket.create_connection(("127.0.0.1", run.port), timeout=20) as sock:
        sock.sendall(f"GET /api/next HTTP/1.1\r\nHost: 127.0.0.1:{run.port}\r\n".encode())
        t0 = time.monotonic()
        assert ApiClient(run).next()["state"] in ("wait", "request"), "others are served meanwhile"
        try:
            while sock.recv(4096):
                pass
        except ConnectionResetError:
            pass
        elapsed = time.monotonic() - t0
    assert elapsed < 15, elapsed


def test_port_refuses_after_exit(launch, wallet):
    run = launch(ADDRESS)
    drive(run, wallet)
    assert run.finish()[0] == 0
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", run.port), timeout=2).close()


def test_timeout_with_nobody_polling(launch):
    t0 = time.monotonic()
    run = launch([*ADDRESS, "--browser-timeout", "2"])
    rc, out, err = run.finish(timeout=20)
    elapsed = time.monotonic() - t0
    assert (rc, out) == (1, b""), err
    assert error_lines(err, "error:") == ["error: no answer from the browser wallet within 2 seconds"], err
    assert 2 <= elapsed < 8, elapsed


# ------------------------------------------------------------------------------- results

def test_address(launch, wallet):
    state, rc, out, err = exchange(launch, ADDRESS, wallet, before=announce)
    assert (state["state"], rc, out) == ("done", 0, f"{TEST_ADDR}\n".encode()), err
    url, *rest = err.splitlines()
    assert re.fullmatch(r"open this page in the browser that has your wallet: "
                        r"http://127\.0\.0\.1:\d+/#session=[0-9a-f]{64}", url), err
    assert rest == [f"using account {TEST_ADDR} (Test Wallet)"], err


@pytest.mark.parametrize("v01", [False, True], ids=["v27", "v01"])
def test_sign_message(launch, tmp_path, v01):
    path, data = message_file(tmp_path)
    wallet = ScriptedWallet(v01=v01)
    state, rc, out, err = exchange(launch, [*SIGN, path], wallet)
    sig = webapp.personal_sign(TEST_KEY, data)
    expected = webapp.signature_v01(sig) if v01 else sig
    assert (state["state"], rc, out) == ("done", 0, f"{expected}\n".encode()), err
    assert wallet.calls == [("eth_requestAccounts", []),
                            ("personal_sign", ["0x" + data.hex(), WALLET_ADDR])]


PLAINTEXT = "NumerBay ✓ \"quoted\"\n\ttab"


def envelope_file(tmp_path, safe: bool = False) -> str:
    seal = webapp.encrypt_safely if safe else webapp.envelope_encrypt
    path = tmp_path / "envelope.json"
    path.write_text(seal(webapp.encryption_public_key(TEST_KEY), PLAINTEXT), encoding="utf-8")
    return str(path)


def decrypt_calls(tmp_path) -> list:
    envelope = (tmp_path / "envelope.json").read_text("utf-8")
    return [("eth_decrypt", [webapp.envelope_to_hex(envelope), WALLET_ADDR])]


RESULTS = {  # name: (args given tmp_path, stdout, the command's wallet calls after the account)
    "encryption-public-key": (
        lambda tmp: ["wallet", "encryption-public-key", "--browser"],
        f"{webapp.encryption_public_key(TEST_KEY)}\n".encode(),
        lambda tmp: [("eth_getEncryptionPublicKey", [WALLET_ADDR])]),
    "decrypt": (lambda tmp: ["wallet", "decrypt", "--browser", envelope_file(tmp)],
                PLAINTEXT.encode(), decrypt_calls),
    "decrypt-safe": (lambda tmp: ["wallet", "decrypt", "--browser", "--safe", envelope_file(tmp, safe=True)],
                     PLAINTEXT.encode(), decrypt_calls),
}


@pytest.mark.parametrize("name", RESULTS)
def test_result(launch, tmp_path, name):
    args, stdout, calls = RESULTS[name]
    wallet = ScriptedWallet()
    state, rc, out, err = exchange(launch, args(tmp_path), wallet)
    assert (state["state"], rc, out) == ("done", 0, stdout), err
    assert wallet.calls == [("eth_requestAccounts", []), *calls(tmp_path)]


def test_address_option_matching(launch, wallet):
    state, rc, out, err = exchange(launch, [*ADDRESS, "--address", TEST_ADDR.lower()], wallet)
    assert (state["state"], rc, out) == ("done", 0, f"{TEST_ADDR}\n".encode()), err


# ------------------------------------------------------------------------------- errors

def test_refused(launch):
    wallet = ScriptedWallet(eth_requestAccounts=refuse(4001))
    assert_failed(*exchange(launch, ADDRESS, wallet),
                  "error: the wallet refused the request (eth_requestAccounts)")


def test_unsupported_method_hints_v2(launch):
    wallet = ScriptedWallet(eth_getEncryptionPublicKey=refuse(4200))
    state, rc, out, err = exchange(launch, ["wallet", "encryption-public-key", "--browser"], wallet)
    assert_failed(state, rc, out, err, "error: the wallet does not support eth_getEncryptionPublicKey")
    hints = error_lines(err, "hint:")
    assert len(hints) == 1 and "v2" in hints[0], err


def test_decrypt_internal_error_hints_malformed(launch, tmp_path):
    wallet = ScriptedWallet(eth_decrypt=refuse(-32603))
    state, rc, out, err = exchange(launch, ["wallet", "decrypt", "--browser", envelope_file(tmp_path)], wallet)
    assert_failed(state, rc, out, err, "error: the wallet answered eth_decrypt with -32603", exact=False)
    hints = error_lines(err, "hint:")
    assert len(hints) == 1 and "malformed" in hints[0], err


def test_signature_by_another_account(launch, tmp_path):
    path, _ = message_file(tmp_path)
    foreign = lambda params: webapp.personal_sign(OTHER_KEY, bytes.fromhex(params[0][2:]))
    wallet = ScriptedWallet(personal_sign=foreign)
    assert_failed(*exchange(launch, [*SIGN, path], wallet),
                  f"error: the signature is by {OTHER_ADDR}, not by the connected account {TEST_ADDR}")


def test_address_option_other_account(launch, wallet):
    assert_failed(*exchange(launch, [*ADDRESS, "--address", OTHER_ADDR], wallet),
                  f"error: the wallet connected {TEST_ADDR}, not {OTHER_ADDR} (--address)")


def test_accounts_changed_to_the_same_account_is_harmless(launch, tmp_path, wallet):
    """MetaMask also sends accountsChanged when the page connects: the connected account again
    must not fail the exchange (BrowserWallet/BridgeExchange: only a change away from it counts)."""
    run, client, data = sign_run(launch, tmp_path, wallet)
    assert client.event({"event": "accountsChanged", "accounts": [wallet.address]}) == 200
    assert drive(run, wallet, client=client)["state"] == "done"
    assert run.finish()[:2] == (0, f"{webapp.personal_sign(TEST_KEY, data)}\n".encode())


EVENTS = {  # name: (event, posted after the account is connected, error line, exact)
    "accountsChanged": ({"event": "accountsChanged", "accounts": [OTHER_ADDR.lower()]}, True,
                        "error: the wallet switched accounts during the exchange", True),
    "disconnect": ({"event": "disconnect", "code": 4900, "message": "Disconnected"}, True,
                   "error: the wallet disconnected during the exchange", True),
    "no-wallet": ({"event": "no-wallet"}, False, "error: no browser wallet found", False),
}


@pytest.mark.parametrize("name", EVENTS)
def test_event_fails_the_exchange(launch, wallet, tmp_path, name):
    event, connected, error, exact = EVENTS[name]
    run, client, _ = sign_run(launch, tmp_path, wallet, connect=connected)
    assert client.event(event) == 200
    state = drive(run, None, client=client)
    assert_failed(state, *run.finish(), error, exact)


def test_wrap_help_says_what_v1_needs():
    """The help of `wrap` says that v1 needs two approvals and that some wallets can do only v2."""
    out = subprocess.run([str(support.NBKEY), "wrap", "--help"], capture_output=True, text=True, check=True).stdout
    text = " ".join(out.split())
    assert "v1 needs two approvals" in text and "Hardware wallets and MetaMask Mobile can do only v2" in text, out
