#!/usr/bin/env python3
"""nbkey browser check: the NumerBay web app's crypto, in a real Chromium, against nbkey.

Headless Chromium (Debian's `chromium` + `chromium-driver`, driven by selenium with the driver at
/usr/bin/chromedriver, so selenium-manager never downloads anything) loads page.html from a
loopback-only HTTP server on 127.0.0.1. The page runs tweetnacl (Debian's `node-tweetnacl`,
nacl-fast.js) and webapp.js, which does what the web app does with tweetnacl,
tweetnacl-sealedbox-js and eth-sig-util. Results come back from WebDriver's execute_script as
JSON; bytes travel as base64.

Checks:
  page  - the page itself: BLAKE2b against RFC 7693 and hashlib; sealed boxes and envelopes
          against PyNaCl (an independent implementation).
  (a)   - every vectors/*.json case the browser can check (address, keccak256 and personal_sign
          are not browser operations and are skipped uncounted).
  (b)   - nbkey makes (keygen, encrypt, wallet encrypt, wrap v1/v2), the page opens.
  (c)   - the page makes (key files, sealed files, envelopes, wrapped keys), nbkey opens.

Prints one line per failure and ends with `browser: N passed, M failed`. Exit 0 when all passed,
1 when any failed (or none ran), 2 with `error: ...` when Chromium cannot be started.

Environment: NBKEY (default <repo>/.build/debug/nbkey), CHROMIUM (default /usr/bin/chromium),
CHROMEDRIVER (default /usr/bin/chromedriver), TWEETNACL_JS (default
/usr/share/nodejs/tweetnacl/nacl-fast.js), NBKEY_VECTORS (default <repo>/vectors).
"""

import argparse
import base64
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
NBKEY = os.environ.get("NBKEY", os.path.join(REPO, ".build", "debug", "nbkey"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
TWEETNACL_JS = os.environ.get("TWEETNACL_JS", "/usr/share/nodejs/tweetnacl/nacl-fast.js")
VECTORS = os.environ.get("NBKEY_VECTORS", os.path.join(REPO, "vectors"))

# Browser-side sizes for sealed files, as the brief asks: 0, 1, 33, 64 KiB + 1, 1 MiB + 7.
SIZES = [0, 1, 33, 64 * 1024 + 1, 1024 * 1024 + 7]
SALT_PREFIX = "Sign this to retrieve your encryption key.\n\nSalt:"
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def b64e(b):
    return base64.b64encode(b).decode("ascii")


def b64d(s):
    return base64.b64decode(s, validate=True)


def pattern(n):
    """byte i = i % 251 (the vectors' and this check's pattern for large plaintexts)."""
    block = bytes(range(251))
    return (block * (n // 251 + 1))[:n]


def sha256hex(b):
    return hashlib.sha256(b).hexdigest()


def js_json(obj):
    """JSON.stringify's text for plain objects of strings (no whitespace, '/' not escaped)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def short(x, n=120):
    s = x if isinstance(x, str) else repr(x)
    return s if len(s) <= n else s[:n] + f"...({len(s)} chars)"


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, name, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {name}" + (f": {detail}" if detail else ""), flush=True)
        return cond

    def fail(self, name, detail):
        return self.ok(name, False, detail)

    def eq(self, name, expected, got):
        return self.ok(name, expected == got, f"expected {short(expected)}, got {short(got)}")


# ----------------------------------------------------------------------------- the page
class PageError(Exception):
    pass


class Server:
    """Loopback-only HTTP server for page.html, webapp.js and Debian's nacl-fast.js."""

    def __init__(self):
        files = {
            "/": (os.path.join(HERE, "page.html"), "text/html; charset=utf-8"),
            "/page.html": (os.path.join(HERE, "page.html"), "text/html; charset=utf-8"),
            "/webapp.js": (os.path.join(HERE, "webapp.js"), "text/javascript; charset=utf-8"),
            "/nacl-fast.js": (TWEETNACL_JS, "text/javascript; charset=utf-8"),
        }

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                entry = files.get(self.path.split("?")[0])
                if entry is None:
                    self.send_error(404)
                    return
                with open(entry[0], "rb") as f:
                    body = f.read()
                self.send_response(200)
                self.send_header("Content-Type", entry[1])
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/page.html"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Page:
    def __init__(self, driver):
        self.d = driver

    def batch(self, items):
        """items: [(op, args)] -> [(ok, value_or_error)]"""
        res = self.d.execute_script("return NB.run(arguments[0]);",
                                    [{"op": op, "args": args} for op, args in items])
        return [(r["ok"], r["value"] if r["ok"] else r["error"]) for r in res]

    def call(self, op, **args):
        ok, v = self.batch([(op, args)])[0]
        if not ok:
            raise PageError(f"{op}: {v}")
        return v

    def attempt(self, op, **args):
        return self.batch([(op, args)])[0]


def start_browser(tmp):
    for path, what in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromedriver"), (TWEETNACL_JS, "tweetnacl")):
        if not os.path.exists(path):
            raise RuntimeError(f"{what} not found at {path} (apt-get install chromium chromium-driver node-tweetnacl)")
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager: never download
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--no-first-run", "--no-default-browser-check", "--disable-extensions",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--metrics-recording-only", "--password-store=basic", "--use-mock-keychain",
              f"--user-data-dir={os.path.join(tmp, 'chromium-profile')}"):
        opts.add_argument(a)
    service = Service(executable_path=CHROMEDRIVER, log_output=os.path.join(tmp, "chromedriver.log"))
    driver = webdriver.Chrome(options=opts, service=service)
    driver.set_script_timeout(120)
    driver.set_page_load_timeout(60)
    return driver


# ----------------------------------------------------------------------------- nbkey
class Nbkey:
    def __init__(self, path, tmp):
        self.path = path
        self.tmp = tmp
        self.n = 0

    def run(self, *args, input=b"", env=None):
        e = dict(os.environ)
        e.pop("NUMERBAY_KEY_PATH", None)
        if env:
            e.update(env)
        return subprocess.run([self.path, *args], input=input, capture_output=True, timeout=120, env=e)

    def file(self, name, data=None):
        self.n += 1
        p = os.path.join(self.tmp, f"{self.n:03d}-{name}")
        if data is not None:
            with open(p, "wb") as f:
                f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        return p


def cmd_ok(t, name, proc):
    """Count a failure (with stderr) when nbkey exited non-zero; return whether it succeeded."""
    if proc.returncode != 0:
        t.fail(name, f"nbkey exit {proc.returncode}: {stderr_line(proc)}")
        return False
    return True


def stderr_line(proc):
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return (lines[0] if lines else "(no stderr)")[:300]


def refused(t, name, proc):
    """nbkey must refuse with its error status 1 (64 would be a usage error, not a refusal)."""
    return t.ok(name, proc.returncode == 1,
                f"expected exit 1 (error), got exit {proc.returncode}: {stderr_line(proc) if proc.returncode else ''}")


def one_line(out):
    s = out.decode("utf-8")
    return s[:-1] if s.endswith("\n") else s


def new_eth_key():
    while True:
        k = os.urandom(32)
        if 1 <= int.from_bytes(k, "big") < SECP256K1_N:
            return k


def personal_sign(eth_key, message):
    from eth_account import Account
    from eth_account.messages import encode_defunct

    sig = Account.sign_message(encode_defunct(text=message), private_key=eth_key)
    return bytes(sig.signature)


def keccak256(b):
    from eth_hash.auto import keccak

    return keccak(b)


# ----------------------------------------------------------------------------- page self-checks
def check_page(t, page):
    st = page.call("selftest")
    t.ok("page: BLAKE2b RFC 7693 Appendix A (BLAKE2b-512 'abc')", st.get("blake2b_rfc7693_abc") is True, repr(st))

    items, want = [], []
    for n in (0, 1, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1000):
        data = os.urandom(n)
        for outlen in (24, 32, 64):
            items.append(("blake2b", {"data": b64e(data), "outlen": outlen}))
            want.append((f"page: BLAKE2b-{outlen * 8} of {n} bytes vs hashlib",
                         hashlib.blake2b(data, digest_size=outlen).hexdigest()))
    for (name, exp), (ok, got) in zip(want, page.batch(items)):
        t.eq(name, exp, got if ok else f"error {got}")

    import nacl.public
    import nacl.utils

    sk = nacl.public.PrivateKey.generate()
    pk_b64 = b64e(bytes(sk.public_key))
    t.eq("page: public key from secret vs PyNaCl", pk_b64, page.call("public_key", secret_key=b64e(bytes(sk))))
    for n in (0, 1, 100):
        m = os.urandom(n)
        sealed = b64d(page.call("seal", plaintext=b64e(m), recipient_public_key=pk_b64)["b64"])
        try:
            got = nacl.public.SealedBox(sk).decrypt(sealed)
        except Exception as e:  # noqa: BLE001
            got = f"PyNaCl error {e}"
        t.eq(f"page: seal {n} bytes, PyNaCl SealedBox opens", m, got)
        sealed = nacl.public.SealedBox(sk.public_key).encrypt(m)
        r = page.attempt("seal_open", sealed=b64e(sealed), secret_key=b64e(bytes(sk)))
        t.eq(f"page: PyNaCl SealedBox {n} bytes, page opens", b64e(m), r[1]["b64"] if r[0] else r[1])
    # envelope: page encrypts, PyNaCl Box opens; PyNaCl Box encrypts, page decrypts
    eth = new_eth_key()
    wallet = nacl.public.PrivateKey(eth)
    enc_pk = page.call("encryption_public_key", eth_private_key=b64e(eth))
    t.eq("page: encryption public key vs PyNaCl", b64e(bytes(wallet.public_key)), enc_pk)
    env = json.loads(page.call("eth_encrypt", public_key=enc_pk, data="héllo / wörld ✓"))
    try:
        got = nacl.public.Box(wallet, nacl.public.PublicKey(b64d(env["ephemPublicKey"]))).decrypt(
            b64d(env["ciphertext"]), b64d(env["nonce"])).decode("utf-8")
    except Exception as e:  # noqa: BLE001
        got = f"PyNaCl error {e}"
    t.eq("page: envelope, PyNaCl Box opens", "héllo / wörld ✓", got)
    eph = nacl.public.PrivateKey.generate()
    nonce = nacl.utils.random(24)
    ct = nacl.public.Box(eph, wallet.public_key).encrypt("€ 42".encode(), nonce).ciphertext
    text = js_json({"version": "x25519-xsalsa20-poly1305", "nonce": b64e(nonce),
                    "ephemPublicKey": b64e(bytes(eph.public_key)), "ciphertext": b64e(ct)})
    r = page.attempt("eth_decrypt", text=text, eth_private_key=b64e(eth))
    t.eq("page: PyNaCl Box envelope, page decrypts", b64e("€ 42".encode()), r[1])


# ----------------------------------------------------------------------------- (b) nbkey -> page
def check_nbkey_to_page(t, page, nb, eth, eth_file):
    # keygen and the key file
    kf = nb.file("keygen.json")
    p = nb.run("keygen", "-o", kf)
    if not cmd_ok(t, "b: nbkey keygen", p):
        return None
    pub = one_line(p.stdout)
    text = open(kf, "rb").read().decode("utf-8")
    r = page.attempt("key_file_import", text=text)
    if t.ok("b: page imports nbkey's key file", r[0], str(r[1])):
        t.eq("b: key file public_key matches private_key (page)", True, r[1]["public_key_matches"])
        t.eq("b: keygen stdout = page's public key from the key file", r[1]["public_key"], pub)
        exp = page.call("key_file_export", secret_key=r[1]["private_key"])
        t.eq("b: nbkey key file = page's export form, byte for byte", exp, text)
    sk_b64 = json.loads(text)["private_key"]

    # sealed files
    for n in SIZES:
        plain = os.urandom(n)
        fin, fout = nb.file(f"plain-{n}", plain), nb.file(f"sealed-{n}")
        p = nb.run("encrypt", "--to", pub, fin, "-o", fout, "--quiet")
        if not cmd_ok(t, f"b: nbkey encrypt {n} bytes", p):
            continue
        sealed = open(fout, "rb").read()
        t.eq(f"b: nbkey sealed file length for {n} bytes", n + 48, len(sealed))
        r = page.attempt("seal_open", sealed=b64e(sealed), secret_key=sk_b64, public_key=pub, digest_only=True)
        t.eq(f"b: page opens nbkey's sealed file of {n} bytes (sha256)", (n, sha256hex(plain)),
             (r[1]["len"], r[1]["sha256"]) if r[0] else r[1])
        if n == 33:
            bad = bytearray(sealed)
            bad[-1] ^= 1
            r = page.attempt("seal_open", sealed=b64e(bytes(bad)), secret_key=sk_b64, digest_only=True)
            t.ok("b: page refuses nbkey's sealed file with a flipped byte", not r[0], "it opened")
            other = page.call("keygen")
            r = page.attempt("seal_open", sealed=b64e(sealed), secret_key=other["private_key"], digest_only=True)
            t.ok("b: page refuses nbkey's sealed file with another key", not r[0], "it opened")

    # encryption public key
    p = nb.run("wallet", "encryption-public-key", "--private-key-file", eth_file)
    enc_pk = None
    if cmd_ok(t, "b: nbkey wallet encryption-public-key", p):
        enc_pk = one_line(p.stdout)
        t.eq("b: encryption public key nbkey vs page", page.call("encryption_public_key", eth_private_key=b64e(eth)),
             enc_pk)
    if enc_pk is None:
        enc_pk = page.call("encryption_public_key", eth_private_key=b64e(eth))

    # wallet encrypt: plain, --safe, --hex, --safe --hex
    long_near = "x" * (2040 - len('{"data":"","padding":""}'))  # L = 2040: L mod 2048 > 2032
    messages = [("ascii", "hello numerbay"), ("empty", ""), ("utf8", "prix: 12 € — ✓ 🚀 / \\ \"q\"\n2nd line"),
                ("4 KiB", "A" * 4096), ("L mod 2048 = 2040", long_near)]
    for flags in ([], ["--safe"], ["--hex"], ["--safe", "--hex"]):
        safe, hexform = "--safe" in flags, "--hex" in flags
        for label, msg in messages:
            name = f"b: wallet encrypt {' '.join(flags) or 'plain'} [{label}]"
            p = nb.run("wallet", "encrypt", "--to", enc_pk, *flags, "-", input=msg.encode("utf-8"))
            if not cmd_ok(t, name, p):
                continue
            out = one_line(p.stdout)
            if hexform:
                t.ok(name + " is 0x-hex", out.startswith("0x"), short(out))
            else:
                canon = page.attempt("envelope_canonical", text=out)
                t.eq(name + " is eth-sig-util's JSON.stringify form", out, canon[1])
            r = page.attempt("eth_decrypt", text=out, eth_private_key=b64e(eth), safe=safe)
            t.eq(name + ", page decrypts", b64e(msg.encode("utf-8")), r[1])
            if safe:
                r = page.attempt("eth_decrypt_raw", text=out, eth_private_key=b64e(eth))
                if t.ok(name + ", page reads the padded plaintext", r[0], str(r[1])):
                    raw = b64d(r[1])
                    t.ok(name + ", box length is a multiple of 2048", (len(raw) + 16) % 2048 == 0,
                         f"box length {len(raw) + 16}")
                    exp = page.call("safe_plaintext", data=msg, strict=False)
                    t.eq(name + ", padded plaintext = page's encryptSafely plaintext", exp, raw.decode("utf-8"))

    # wrap v1
    p = nb.run("wrap", "--key", kf, "--scheme", "v1", "--private-key-file", eth_file)
    if cmd_ok(t, "b: nbkey wrap --scheme v1", p):
        stored = one_line(p.stdout)
        t.eq("b: v1 stored string is JSON.stringify's form", stored, page.attempt("envelope_canonical", text=stored)[1])
        r = page.attempt("unwrap_v1", stored=stored, eth_private_key=b64e(eth))
        t.eq("b: page unwraps nbkey's v1 key", sk_b64, r[1])
        r = page.attempt("eth_decrypt", text=stored, eth_private_key=b64e(eth))
        if r[0]:
            exp = page.call("v1_plaintext", secret_key=sk_b64)
            t.eq("b: v1 plaintext = Uint8Array.toString() of the key", exp, b64d(r[1]).decode("utf-8"))

    # wrap v2
    p = nb.run("wrap", "--key", kf, "--scheme", "v2", "--private-key-file", eth_file)
    if cmd_ok(t, "b: nbkey wrap --scheme v2", p):
        stored = one_line(p.stdout)
        t.eq("b: v2 stored string is JSON.stringify's form", stored, page.attempt("v2_canonical", text=stored)[1])
        obj = json.loads(stored)
        salt = obj.get("salt", "")
        t.eq("b: v2 stored string has keys data, salt in that order", ["data", "salt"], list(obj))
        ok_salt = salt.startswith(SALT_PREFIX) and len(b64d(salt[len(SALT_PREFIX):])) == 32
        t.ok("b: v2 salt message is the prefix + base64 of 32 bytes", ok_salt, repr(salt))
        sig = personal_sign(eth, salt)
        p = nb.run("wallet", "sign-message", "--private-key-file", eth_file, "-", input=salt.encode("utf-8"))
        if cmd_ok(t, "b: nbkey wallet sign-message", p):
            t.eq("b: nbkey sign-message = eth_account's signature over the salt", "0x" + sig.hex(), one_line(p.stdout))
        storage_key = keccak256(sig)
        r = page.attempt("unwrap_v2", stored=stored, storage_key=b64e(storage_key))
        t.eq("b: page unwraps nbkey's v2 key (secretbox, storage key from eth_hash)", sk_b64, r[1])
    return kf


# ----------------------------------------------------------------------------- (c) page -> nbkey
def check_page_to_nbkey(t, page, nb, eth, eth_file):
    kp = page.call("keygen")
    kf = nb.file("page-key.json", kp["key_file"])
    t.eq("c: page key file is the export form", js_json({"public_key": kp["public_key"],
                                                          "private_key": kp["private_key"]}), kp["key_file"])
    p = nb.run("key", "show", kf)
    if cmd_ok(t, "c: nbkey key show on the page's key file", p):
        t.eq("c: nbkey key show = page's public key", kp["public_key"], one_line(p.stdout))
    # a key file whose public_key does not match: nbkey must refuse
    other = page.call("keygen")
    bad = nb.file("page-key-mismatch.json", js_json({"public_key": other["public_key"], "private_key": kp["private_key"]}))
    p = nb.run("key", "show", bad)
    refused(t, "c: nbkey key show refuses a key file whose public_key does not match", p)

    # sealed files made by the page (plaintext built in the page: byte i = i % 251)
    for n in SIZES:
        r = page.attempt("seal", plaintext={"pattern": n}, recipient_public_key=kp["public_key"])
        if not t.ok(f"c: page seals {n} bytes", r[0], str(r[1])):
            continue
        sealed = b64d(r[1]["b64"])
        fin, fout = nb.file(f"page-sealed-{n}", sealed), nb.file(f"page-opened-{n}")
        p = nb.run("decrypt", "--key", kf, fin, "-o", fout, "--quiet")
        if cmd_ok(t, f"c: nbkey decrypt page's sealed file of {n} bytes", p):
            got = open(fout, "rb").read()
            t.ok(f"c: nbkey decrypt of page's {n}-byte sealed file, byte for byte", got == pattern(n),
                 f"expected {n} bytes sha256 {sha256hex(pattern(n))}, got {len(got)} bytes sha256 {sha256hex(got)}")
        if n == 33:
            # stdin/stdout and NUMERBAY_KEY_PATH
            p = nb.run("decrypt", "-", "-o", "-", "--quiet", input=sealed, env={"NUMERBAY_KEY_PATH": kf})
            if cmd_ok(t, "c: nbkey decrypt - -o - (NUMERBAY_KEY_PATH) of the page's sealed file", p):
                t.eq("c: nbkey decrypt to stdout, byte for byte", pattern(n), p.stdout)
            bad = bytearray(sealed)
            bad[40] ^= 0x80
            fbad, fo = nb.file("page-sealed-bad", bytes(bad)), nb.file("page-opened-bad")
            p = nb.run("decrypt", "--key", kf, fbad, "-o", fo, "--quiet")
            if refused(t, "c: nbkey decrypt refuses the page's sealed file with a flipped tag byte", p):
                left = os.path.getsize(fo) if os.path.exists(fo) else None
                t.ok("c: nbkey decrypt leaves no output file for a sealed file that does not open", left is None,
                     f"the output file exists ({left} bytes)")
    m = os.urandom(1000)
    r = page.attempt("seal", plaintext=b64e(m), recipient_public_key=kp["public_key"])
    if t.ok("c: page seals 1000 random bytes", r[0], str(r[1])):
        p = nb.run("decrypt", "--key", kf, "-", "-o", "-", "--quiet", input=b64d(r[1]["b64"]))
        if cmd_ok(t, "c: nbkey decrypt page's sealed 1000 random bytes", p):
            t.eq("c: nbkey decrypt page's sealed 1000 random bytes, byte for byte", m, p.stdout)

    # envelopes made by the page, to the wallet's encryption public key
    enc_pk = page.call("encryption_public_key", eth_private_key=b64e(eth))
    long_near = "y" * (2040 - len('{"data":"","padding":""}'))
    messages = [("ascii", "order #1234"), ("empty", ""), ("utf8", "ünïcødé ✓ 🚀 / \"q\" \\ \n"),
                ("4 KiB", "B" * 4096), ("L mod 2048 = 2040", long_near)]
    for safe in (False, True):
        for hexform in (False, True):
            for label, msg in messages:
                flags = (["--safe"] if safe else [])
                name = f"c: page {'encryptSafely' if safe else 'encrypt'}{' 0x-hex' if hexform else ''} [{label}]"
                r = page.attempt("eth_encrypt", public_key=enc_pk, data=msg, safe=safe, hex=hexform, strict=False)
                if not t.ok(name, r[0], str(r[1])):
                    continue
                p = nb.run("wallet", "decrypt", "--private-key-file", eth_file, *flags, "-", input=r[1].encode())
                if cmd_ok(t, name + ", nbkey wallet decrypt", p):
                    t.eq(name + ", nbkey wallet decrypt output", msg.encode("utf-8"), p.stdout)
    # eth-sig-util's own encryptSafely throws when L mod 2048 > 2032 (FORMATS.md 5)
    r = page.attempt("eth_encrypt", public_key=enc_pk, data=long_near, safe=True, strict=True)
    t.ok("c: strict (eth-sig-util) encryptSafely throws for L mod 2048 = 2040", not r[0], "it did not throw")
    # a wrong version must be refused
    env = json.loads(page.call("eth_encrypt", public_key=enc_pk, data="v"))
    env["version"] = "x25519-xsalsa20-poly1305-v2"
    p = nb.run("wallet", "decrypt", "--private-key-file", eth_file, "-", input=js_json(env).encode())
    refused(t, "c: nbkey wallet decrypt refuses an unknown envelope version", p)

    # v1 wrapped key made by the page
    exp_file = kp["key_file"].encode("utf-8")
    stored = page.call("wrap_v1", secret_key=kp["private_key"], wallet_public_key=enc_pk)
    for label, inp in (("stored string", stored),
                       ("profile fields", js_json({"public_key": kp["public_key"], "encrypted_private_key": stored}))):
        out = nb.file("unwrapped-v1.json")
        p = nb.run("unwrap", "--private-key-file", eth_file, "-", "-o", out, input=inp.encode())
        if cmd_ok(t, f"c: nbkey unwrap page's v1 key ({label})", p):
            t.eq(f"c: nbkey unwrap page's v1 key ({label}), key file byte for byte", exp_file, open(out, "rb").read())

    # v2 wrapped key made by the page: salt message from the page, signed here, keccak here
    salt = page.call("v2_salt_message")
    t.ok("c: page v2 salt message form", salt.startswith(SALT_PREFIX) and len(b64d(salt[len(SALT_PREFIX):])) == 32,
         repr(salt))
    storage_key = keccak256(personal_sign(eth, salt))
    stored = page.call("wrap_v2", secret_key=kp["private_key"], storage_key=b64e(storage_key), salt_message=salt)
    for label, inp in (("stored string", stored),
                       ("profile fields", js_json({"public_key_v2": kp["public_key"],
                                                   "encrypted_private_key_v2": stored}))):
        out = nb.file("unwrapped-v2.json")
        p = nb.run("unwrap", "--private-key-file", eth_file, "-", "-o", out, input=inp.encode())
        if cmd_ok(t, f"c: nbkey unwrap page's v2 key ({label})", p):
            t.eq(f"c: nbkey unwrap page's v2 key ({label}), key file byte for byte", exp_file, open(out, "rb").read())
    # a wallet that returns v as 0/1 (some hardware wallets, FORMATS.md 7) gives another storage key
    sig = personal_sign(eth, salt)
    sig01 = sig[:64] + bytes([sig[64] - 27])
    stored01 = page.call("wrap_v2", secret_key=kp["private_key"], storage_key=b64e(keccak256(sig01)),
                         salt_message=salt)
    out = nb.file("unwrapped-v2-v01.json")
    p = nb.run("unwrap", "--private-key-file", eth_file, "-", "-o", out, input=stored01.encode())
    if cmd_ok(t, "c: nbkey unwrap page's v2 key made with a 0/1-v signature", p):
        t.eq("c: nbkey unwrap page's v2 key made with a 0/1-v signature, key file byte for byte", exp_file,
             open(out, "rb").read())
    # a v2 key wrapped under another wallet's storage key must not unwrap
    other_eth = new_eth_key()
    stored_other = page.call("wrap_v2", secret_key=kp["private_key"],
                             storage_key=b64e(keccak256(personal_sign(other_eth, salt))), salt_message=salt)
    out = nb.file("unwrapped-v2-other.json")
    p = nb.run("unwrap", "--private-key-file", eth_file, "-", "-o", out, input=stored_other.encode())
    refused(t, "c: nbkey unwrap refuses a v2 key wrapped for another wallet", p)


# ----------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-nbkey", action="store_true", help="skip parts (b) and (c)")
    ap.add_argument("--no-vectors", action="store_true", help="skip part (a)")
    ap.add_argument("--wait-nbkey", type=float, default=0, metavar="SECONDS",
                    help="wait up to SECONDS for the nbkey binary to appear")
    args = ap.parse_args()

    t = Tally()
    tmp = tempfile.mkdtemp(prefix="nbkey-browser-")
    server = driver = None
    try:
        server = Server()
        try:
            driver = start_browser(tmp)
            driver.get(server.url)
            ready = driver.execute_script("return !!(window.NB && window.nacl) && NB.ready === true;")
        except Exception as e:  # noqa: BLE001
            print(f"error: chromium could not start or load the page: {str(e).strip().splitlines()[0]}",
                  file=sys.stderr)
            return 2
        if not t.ok("page: loads tweetnacl and webapp.js, BLAKE2b self-test passes", ready):
            print(f"browser: {t.passed} passed, {t.failed} failed")
            return 1
        page = Page(driver)
        sections = [("page", lambda: check_page(t, page))]
        if not args.no_vectors:
            import vector_checks

            sections.append(("a", lambda: vector_checks.check_vectors(t, page, VECTORS)))
        if not args.no_nbkey:
            deadline = time.time() + args.wait_nbkey
            while not os.access(NBKEY, os.X_OK) and time.time() < deadline:
                time.sleep(2)
            if not os.access(NBKEY, os.X_OK):
                t.fail("b/c: nbkey binary", f"not found or not executable at {NBKEY} (set NBKEY, or swift build)")
            else:
                nb = Nbkey(NBKEY, tmp)
                eth = new_eth_key()
                eth_file = nb.file("eth.key", eth.hex() + "\n")
                os.chmod(eth_file, 0o600)
                sections.append(("b", lambda: check_nbkey_to_page(t, page, nb, eth, eth_file)))
                sections.append(("c", lambda: check_page_to_nbkey(t, page, nb, eth, eth_file)))
        for label, fn in sections:
            try:
                fn()
            except Exception as e:  # noqa: BLE001  (one broken section must not hide the others)
                t.fail(f"{label}: section aborted", f"{type(e).__name__}: {e}")
                traceback.print_exc()
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception:  # noqa: BLE001
                pass
        if server is not None:
            server.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"browser: {t.passed} passed, {t.failed} failed")
    return 1 if (t.failed > 0 or t.passed == 0) else 0


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    sys.exit(main())
