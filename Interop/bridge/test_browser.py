"""The wallet bridge's page (Sources/NumerBayBridge/Page, docs/BRIDGE.md "The page") in a real
headless Chromium against the real nbkey. The wallet is mock_wallet.js, injected before any page
script; Python answers its requests with support.ReferenceWallet (webapp.py: PyNaCl +
eth-account), so every result is checked against an implementation that is not nbkey's.

Fixtures `launch` and `wallet` (ReferenceWallet(TEST_KEY)) come from conftest.py. One Chromium
serves the whole module (Debian's chromium + chromium-driver; selenium-manager never
downloads). Screenshots of the page's states go to $NBKEY_SCREENSHOTS (default
.build/bridge-screenshots) as bridge-<state>.png."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import pytest

from support import OTHER_KEY, REPO_ROOT, TEST_KEY, ApiClient, ReferenceWallet, webapp

HERE = Path(__file__).resolve().parent
PAGE_DIR = REPO_ROOT / "Sources" / "NumerBayBridge" / "Page"
PAGE_FILES = {"/": ("bridge.html", "text/html; charset=utf-8"),
              "/bridge.js": ("bridge.js", "text/javascript; charset=utf-8"),
              "/bridge.css": ("bridge.css", "text/css; charset=utf-8")}
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = Path(os.environ.get("NBKEY_SCREENSHOTS", REPO_ROOT / ".build" / "bridge-screenshots"))
MOCK_JS = (HERE / "mock_wallet.js").read_text("utf-8")

TEST_ADDR = webapp.address(TEST_KEY)
OTHER_ADDR = webapp.address(OTHER_KEY)
ADDRESS = ["wallet", "address", "--browser"]
SIGN = ["wallet", "sign-message", "--browser"]


def _icon(color: str, letter: str) -> str:
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
           f'<rect width="64" height="64" rx="14" fill="{color}"/><text x="32" y="43" font-size="30" '
           f'font-family="sans-serif" font-weight="bold" text-anchor="middle" fill="#fff">{letter}</text></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


METAMASK = {"uuid": "9f1c3b7e-2a4d-4c1e-8a61-3f2b9d0c5e11", "name": "MetaMask",
            "rdns": "io.metamask", "icon": _icon("#f6851b", "M")}
RABBY = {"uuid": "0b6e4d2a-71c5-4f3e-9d28-6a1c8e5b3f70", "name": "Rabby Wallet",
         "rdns": "io.rabby", "icon": _icon("#7084ff", "R")}


# ------------------------------------------------------------------------------ the browser

def start_browser(profile_dir) -> "webdriver.Chrome":
    """Headless Chromium with the options of Interop/browser/run_browser_check.py."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            pytest.skip(f"{path} not found (apt-get install chromium chromium-driver)")
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager: never download
    os.makedirs(profile_dir, exist_ok=True)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--no-first-run", "--no-default-browser-check", "--disable-extensions",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--metrics-recording-only", "--password-store=basic", "--use-mock-keychain",
              "--window-size=900,680", "--hide-scrollbars", f"--user-data-dir={profile_dir}"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER, log_output=os.path.join(profile_dir, "chromedriver.log"))
    driver = webdriver.Chrome(options=opts, service=service)
    driver.set_script_timeout(30)
    driver.set_page_load_timeout(30)
    return driver


class Page:
    """One scenario's tab: the mock wallet (configured: announced wallets, window.ethereum)
    injected, then nbkey's page loaded from run.url."""

    def __init__(self, driver, run, wallets=(METAMASK,), ethereum=False, holdDiscovery=False):
        self.driver, self.run = driver, run
        config = {"wallets": list(wallets), "ethereum": ethereum, "holdDiscovery": holdDiscovery}
        self.script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {
            "source": f"window.__mockWalletConfig = {json.dumps(config)};\n{MOCK_JS}"})["identifier"]
        self.url = run.url
        self.console()  # drop the earlier pages' messages
        self.loaded_at = time.monotonic()
        driver.get(self.url)

    def close(self) -> None:
        self.driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": self.script})
        self.driver.get("about:blank")

    def console(self) -> list[str]:
        """The browser console's errors (a CSP violation, a failed request) since the last call."""
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    @property
    def state(self) -> str:
        return self.js("return document.getElementById('state').dataset.state;")

    def visible_text(self, element_id: str) -> str:
        """The element's text when the user sees it ('' when it or an ancestor is hidden)."""
        return self.js("const e = document.getElementById(arguments[0]);"
                       "return e.checkVisibility() ? e.textContent : '';", element_id)

    def wait_for(self, condition, what: str, timeout: float = 10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError(f"the page did not reach {what} within {timeout} s (state {self.state!r});"
                             f" stderr:\n{self.run.stderr_so_far()}")

    def wait_state(self, state: str, timeout: float = 10) -> None:
        self.wait_for(lambda: self.state == state, f"state {state!r}", timeout)

    def take(self) -> list[dict]:
        return self.js("return window.__mockWallet.take();")

    def settle(self, request: dict, outcome: tuple) -> None:
        kind, value = outcome
        self.js(f"window.__mockWallet.{kind}(arguments[0], arguments[1]);", request["id"], value)

    def emit(self, wallet: str, event: str, arg) -> int:
        return self.js("return window.__mockWallet.emit(arguments[0], arguments[1], arguments[2]);",
                       wallet, event, arg)

    def screenshot(self, state: str) -> None:
        assert self.state == state
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(SCREENSHOTS / f"bridge-{state}.png"))


def answers(wallet: ReferenceWallet, **special):
    """answer(page, request) for serve(): special[method] (an outcome, or a callable(page,
    request) giving one; None: never answered), else the reference wallet's result."""
    def answer(page, request):
        method = request["method"]
        if method in special:
            outcome = special[method]
            return outcome(page, request) if callable(outcome) else outcome
        return ("resolve", wallet.answer(method, request["params"]))
    return answer


def refuse(code: int, message: str = "refused by the test") -> tuple:
    return ("reject", {"code": code, "message": message})


def serve(page: Page, answer, timeout: float = 30) -> list[dict]:
    """Answers the mock wallet's requests until nbkey exits; returns the requests seen."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while page.run.proc.poll() is None and time.monotonic() < deadline:
        for request in page.take():
            seen.append(request)
            outcome = answer(page, request)
            if outcome is not None:
                page.settle(request, outcome)
        time.sleep(0.01)
    return seen


# ------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = start_browser(str(tmp_path_factory.mktemp("chromium")))
    yield driver
    driver.quit()


@pytest.fixture
def open_page(browser):
    """open_page(run, **config) -> Page; each is closed at teardown."""
    pages: list[Page] = []

    def _open(run, **config) -> Page:
        pages.append(Page(browser, run, **config))
        return pages[-1]

    yield _open
    for page in pages:
        page.close()


class Exchange:
    """One finished `nbkey … --browser` run driven through the page."""

    def __init__(self, launch, open_page, args, answer, config=None, before=None, timeout=30):
        self.run = launch(args)
        self.page = open_page(self.run, **(config or {}))
        if before:
            before(self.page)
        self.requests = serve(self.page, answer, timeout)
        self.rc, self.out, self.err = self.run.finish(timeout=10)

    @property
    def methods(self) -> list[str]:
        return [r["method"] for r in self.requests]

    def lines(self, prefix: str) -> list[str]:
        return [line.removeprefix(prefix) for line in self.err.splitlines() if line.startswith(prefix)]

    def assert_ok(self, stdout: bytes, wallet_name: str = "MetaMask") -> None:
        assert (self.rc, self.out) == (0, stdout), self.err
        assert not self.lines("error:"), self.err
        assert f"using account {TEST_ADDR} ({wallet_name})" in self.lines(""), self.err
        self.page.wait_state("done")
        assert self.page.visible_text("done-message")
        assert self.page.console() == []

    def assert_failed(self, error: str, hint: str | None = None, out_file: Path | None = None) -> None:
        """Exit 1, no stdout, the first `error:` line starts with `error` (and a `hint:` line
        holding `hint`), nothing written; the page shows the same message and hint."""
        assert (self.rc, self.out) == (1, b""), self.err
        errors, hints = self.lines("error: "), self.lines("hint: ")
        assert errors and ("error: " + errors[0]).startswith(error), self.err
        if hint is not None:
            assert len(hints) == 1 and hint in hints[0], self.err
        if out_file is not None:
            assert not out_file.exists(), f"{out_file} written by a failed command"
        self.page.wait_state("error")
        assert self.page.visible_text("message") == errors[0]
        assert self.page.visible_text("hint") == (hints[0] if hints else "")
        assert self.page.console() == []


@pytest.fixture
def exchange(launch, open_page):
    return lambda args, answer, **kw: Exchange(launch, open_page, args, answer, **kw)


# ------------------------------------------------------------------------------ inputs

def nb_key(tmp_path) -> tuple[bytes, Path]:
    """A random NumerBay key and its key file (export form, by webapp.py)."""
    sk = os.urandom(32)
    path = tmp_path / "numerbay.json"
    path.write_text(webapp.keyfile_json(webapp.x25519_public_key(sk), sk))
    path.chmod(0o600)
    return sk, path


def profile(tmp_path, sk: bytes, scheme: str, v01: bool = False) -> Path:
    """A NumerBay profile whose key `sk` the wallet TEST_KEY wrapped (webapp.py)."""
    pk = webapp.b64e(webapp.x25519_public_key(sk))
    if scheme == "v2":
        fields = {"public_key_v2": pk, "encrypted_private_key_v2":
                  webapp.wrap_v2(TEST_KEY, sk, os.urandom(32), os.urandom(24), v01=v01)}
    else:
        fields = {"public_key": pk, "encrypted_private_key": webapp.wrap_v1(TEST_KEY, sk)}
    path = tmp_path / f"profile-{scheme}.json"
    path.write_text(json.dumps(fields, indent=2))
    return path


def message_file(tmp_path, data: bytes = "NumerBay ✓ bridge\n\x00\xff".encode()) -> tuple[Path, bytes]:
    path = tmp_path / "message.bin"
    path.write_bytes(data)
    return path, data


def unwrap_args(tmp_path, scheme: str, v01: bool = False) -> tuple[bytes, list, Path]:
    sk, _ = nb_key(tmp_path)
    out = tmp_path / "restored.json"
    return sk, ["unwrap", "--browser", profile(tmp_path, sk, scheme, v01), "-o", out], out


def expect_pk_line(sk: bytes) -> bytes:
    return f"{webapp.b64e(webapp.x25519_public_key(sk))}\n".encode()


# ------------------------------------------------------------------------------ the page itself

def test_binary_embeds_the_page_sources(launch):
    """The binary serves exactly Sources/NumerBayBridge/Page (it embeds them at build time)."""
    client = ApiClient(launch(ADDRESS))
    for path, (name, _) in PAGE_FILES.items():
        status, _, body = client.request("GET", path)
        assert status == 200 and body == (PAGE_DIR / name).read_bytes(), \
            f"nbkey serves a {path} that differs from {name}: rebuild nbkey"


def test_secret_leaves_the_address_bar(launch, open_page):
    run = launch(ADDRESS)
    page = open_page(run)
    page.wait_state("waiting")
    assert page.js("return location.href;") == run.url.split("#")[0]  # http://127.0.0.1:PORT/


def test_page_without_the_secret(launch, open_page):
    """Opened without its #session fragment (a reload drops it): an error, and no API call."""
    run = launch(ADDRESS)
    page = open_page(run)
    page.wait_state("waiting")
    page.driver.get(page.url.split("#")[0])
    page.wait_state("error")
    assert "#session=" in page.visible_text("hint")
    assert page.take() == [] and page.console() == []


# ------------------------------------------------------------------------------ results

@pytest.mark.parametrize("scheme, v01", [("v2", False), ("v2", True), ("v1", False)],
                         ids=["v2", "v2-signature-v01", "v1"])
def test_unwrap(exchange, tmp_path, scheme, v01):
    sk, args, out = unwrap_args(tmp_path, scheme, v01)
    x = exchange(args, answers(ReferenceWallet(TEST_KEY, v01=v01)))
    x.assert_ok(expect_pk_line(sk))
    assert out.read_text() == webapp.keyfile_json(webapp.x25519_public_key(sk), sk)
    assert out.stat().st_mode & 0o777 == 0o600
    assert any(f"unwrapped with scheme {scheme}" in line for line in x.lines("")), x.err
    second = "personal_sign" if scheme == "v2" else "eth_decrypt"
    assert x.methods == ["eth_requestAccounts", second]


def wrap(exchange, tmp_path, wallet, scheme: str):
    """`nbkey wrap --browser` of a fresh key: (the key, the stored string printed, the Exchange)."""
    sk, key = nb_key(tmp_path)
    x = exchange(["wrap", "--browser", "--key", key, "--scheme", scheme], answers(wallet))
    x.assert_ok(x.out)  # what it printed is checked by unwrapping it with webapp.py
    assert x.out.endswith(b"\n") and x.out.count(b"\n") == 1, x.out
    return sk, x.out[:-1].decode(), x


def test_wrap_v2(exchange, tmp_path, wallet):
    sk, stored, x = wrap(exchange, tmp_path, wallet, "v2")
    assert webapp.unwrap_v2(TEST_KEY, stored) == sk
    assert x.methods == ["eth_requestAccounts", "personal_sign"]
    signed = bytes.fromhex(x.requests[1]["params"][0][2:]).decode()
    assert x.requests[1]["params"][1] == wallet.address and signed == json.loads(stored)["salt"]


def test_wrap_v1_confirms_with_a_second_approval(exchange, tmp_path, wallet):
    sk, stored, x = wrap(exchange, tmp_path, wallet, "v1")
    assert webapp.unwrap_v1(TEST_KEY, stored) == sk
    # two approvals after connecting: the encryption key, then eth_decrypt of the new envelope
    assert x.methods == ["eth_requestAccounts", "eth_getEncryptionPublicKey", "eth_decrypt"]
    assert x.requests[2]["params"] == [webapp.envelope_to_hex(stored), wallet.address]


def test_address(exchange, wallet):
    exchange(ADDRESS, answers(wallet)).assert_ok(f"{TEST_ADDR}\n".encode())


def test_encryption_public_key(exchange, wallet):
    x = exchange(["wallet", "encryption-public-key", "--browser"], answers(wallet))
    x.assert_ok(f"{webapp.encryption_public_key(TEST_KEY)}\n".encode())


def test_decrypt(exchange, tmp_path, wallet):
    text = "NumerBay ✓ \"quoted\"\n\ttab"
    envelope = webapp.envelope_encrypt(webapp.encryption_public_key(TEST_KEY), text)
    path = tmp_path / "envelope.json"
    path.write_text(envelope)
    x = exchange(["wallet", "decrypt", "--browser", path], answers(wallet))
    x.assert_ok(text.encode())
    assert x.requests[1]["params"] == [webapp.envelope_to_hex(envelope), wallet.address]


def test_sign_message(exchange, tmp_path, wallet):
    path, data = message_file(tmp_path)

    def sign_after_screenshot(page, request):
        page.wait_for(lambda: page.visible_text("method") == "personal_sign", "the personal_sign request")
        assert "Approve the request in your wallet" in page.visible_text("request")
        page.screenshot("waiting")
        return ("resolve", wallet.answer(request["method"], request["params"]))

    x = exchange([*SIGN, path], answers(wallet, personal_sign=sign_after_screenshot))
    x.assert_ok(f"{webapp.personal_sign(TEST_KEY, data)}\n".encode())
    x.page.screenshot("done")


# ------------------------------------------------------------------------------ refusals

def test_refused_4001(exchange, tmp_path, wallet):
    _, args, out = unwrap_args(tmp_path, "v2")
    x = exchange(args, answers(wallet, personal_sign=refuse(4001, "User rejected the request.")))
    x.assert_failed("error: the wallet refused the request (personal_sign)", out_file=out)


def test_decrypt_internal_error(exchange, tmp_path, wallet):
    _, args, out = unwrap_args(tmp_path, "v1")
    error = refuse(-32603, "MetaMask DecryptMessage: User denied message decryption.")
    x = exchange(args, answers(wallet, eth_decrypt=error))
    x.assert_failed("error: the wallet answered eth_decrypt with -32603", hint="malformed", out_file=out)
    x.page.screenshot("error")


def test_error_without_code_is_32603(exchange, tmp_path, wallet):
    """A thrown error with no code reaches nbkey as -32603 (the page's default)."""
    _, args, out = unwrap_args(tmp_path, "v1")
    x = exchange(args, answers(wallet, eth_decrypt=("reject", {"message": "no code"})))
    x.assert_failed("error: the wallet answered eth_decrypt with -32603", out_file=out)


def test_wrap_v1_unsupported_hints_v2(exchange, tmp_path, wallet):
    _, key = nb_key(tmp_path)
    x = exchange(["wrap", "--browser", "--key", key, "--scheme", "v1"],
                 answers(wallet, eth_getEncryptionPublicKey=refuse(4200, "Unsupported method")))
    x.assert_failed("error: the wallet does not support eth_getEncryptionPublicKey", hint="v2")


def test_signature_by_another_account(exchange, tmp_path, wallet):
    _, args, out = unwrap_args(tmp_path, "v2")
    other = ReferenceWallet(OTHER_KEY)
    foreign = lambda page, r: ("resolve", other.answer("personal_sign", [r["params"][0], other.address]))
    x = exchange(args, answers(wallet, personal_sign=foreign))
    x.assert_failed(f"error: the signature is by {OTHER_ADDR}, not by the connected account {TEST_ADDR}",
                    out_file=out)


def test_address_option_other_account(exchange, wallet):
    x = exchange([*ADDRESS, "--address", OTHER_ADDR], answers(wallet))
    x.assert_failed(f"error: the wallet connected {TEST_ADDR}, not {OTHER_ADDR} (--address)")


@pytest.mark.parametrize("event, arg, error", [
    ("accountsChanged", [OTHER_ADDR.lower()], "error: the wallet switched accounts during the exchange"),
    ("disconnect", {"code": 4900, "message": "Disconnected"}, "error: the wallet disconnected during the exchange"),
], ids=["accountsChanged", "disconnect"])
def test_wallet_event_mid_way(exchange, tmp_path, wallet, event, arg, error):
    """The wallet emits the event while personal_sign waits for the user."""
    _, args, out = unwrap_args(tmp_path, "v2")

    def emit_instead(page, request):
        assert page.emit("MetaMask", event, arg) == 1  # the page listens, once
        return None

    x = exchange(args, answers(wallet, personal_sign=emit_instead))
    x.assert_failed(error, out_file=out)


def test_timeout(exchange):
    x = exchange([*ADDRESS, "--browser-timeout", "3"], lambda page, request: None)
    x.assert_failed("error: no answer from the browser wallet within 3 seconds")
    assert x.methods == ["eth_requestAccounts"]


# ------------------------------------------------------------------------------ discovery

def test_two_wallets_chooser(exchange, wallet):
    """Both announce (each twice: the repeated uuid is ignored); the one clicked gets every
    request, the other none."""
    def choose(page):
        page.wait_state("chooser")
        buttons = page.driver.find_elements("css selector", "button.wallet")
        assert [b.text for b in buttons] == ["MetaMask", "Rabby Wallet"]
        icons = "return [...document.querySelectorAll('button.wallet img')].map(i => i.naturalWidth > 0);"
        assert page.js(icons) == [True, True]
        page.screenshot("chooser")
        buttons[1].click()

    x = exchange(ADDRESS, answers(wallet), config={"wallets": [METAMASK, RABBY]}, before=choose)
    x.assert_ok(f"{TEST_ADDR}\n".encode(), wallet_name="Rabby Wallet")
    assert {r["wallet"] for r in x.requests} == {"Rabby Wallet"}


def test_window_ethereum_fallback(exchange, wallet):
    def connecting(page):
        page.wait_state("connecting")
        page.screenshot("connecting")
        page.js("window.__mockWallet.release();")  # the page's 400 ms discovery wait ends

    x = exchange(ADDRESS, answers(wallet), config={"wallets": [], "ethereum": True, "holdDiscovery": True},
                 before=connecting)
    x.assert_ok(f"{TEST_ADDR}\n".encode(), wallet_name="browser wallet")
    assert {r["wallet"] for r in x.requests} == {"window.ethereum"}


def test_no_wallet(exchange, wallet):
    x = exchange(ADDRESS, answers(wallet), config={"wallets": [], "ethereum": False})
    x.assert_failed("error: no browser wallet found")
    assert x.requests == []


def test_nbkey_gone(launch, open_page):
    """nbkey killed mid-exchange: after 5 s of failed polls the page says so."""
    run = launch(ADDRESS)
    page = open_page(run)
    page.wait_for(page.take, "the eth_requestAccounts request")
    run.kill()
    page.wait_state("error", timeout=10)
    assert "nbkey is no longer running" in page.visible_text("message")
