"""Part (a) of the browser check: the vectors/*.json cases, checked by the page (webapp.js).

Each vector file holds {"operation", "description", ..., "cases": [...]}; a case has an "id" and,
for the operations that can fail, "expect" ("ok" or an error kind). The page checks:

  key_file               ok: the page loads it, to the vector's key pair; the page's export form
                         equals the text exactly when the vector calls it canonical.
                         not ok: the page refuses it.
  sealed_box             ok: the page opens it (plaintext SHA-256) and reproduces the sealed bytes
                         from ephemeral_secret_key. not ok: the page does not open it.
  encryption_public_key  the page's nacl.box.keyPair.fromSecretKey(eth key).publicKey.
  eth_envelope           ok: the page decrypts (decryptSafely when safe) and, given the ephemeral
                         key, reproduces the envelope byte for byte. not ok: the page refuses.
  encrypt_safely_padding L, the padding length, and whether eth-sig-util's own rule throws.
  wrapped_v1             ok: the page unwraps to the key and reproduces the stored string.
                         not ok: the page refuses.
  wrapped_v2             ok: the page opens the secretbox with storage_key_hex, gets the key, and
                         reproduces the stored string. not ok: the page refuses.
  address, keccak256, personal_sign: not browser operations (the web app has the wallet do them);
                         skipped and not counted.

Where a vector refuses something for nbkey's stricter policy but tweetnacl / eth-sig-util, and
so the web app, accept it (low-order X25519 public keys: tweetnacl has no low-order check), the
page's acceptance is printed as a `note:` line and not counted: that is a known, intended
difference (nbkey refuses inputs no honest web app produces), not an incompatibility.
"""

import base64
import glob
import hashlib
import json
import os

EXPECTED_FILES = ["key_file", "sealed_box", "encryption_public_key", "address", "keccak256", "personal_sign",
                  "eth_envelope", "encrypt_safely_padding", "wrapped_v1", "wrapped_v2"]
NOT_BROWSER = {"address", "keccak256", "personal_sign"}
# Error kinds that come from nbkey's low-order public key check (libsodium's), which tweetnacl,
# and so the web app, does not have.
LOW_ORDER = {"invalid_public_key"}
# Single cases where nbkey is stricter than the libraries the web app uses.
LENIENT = {
    ("key_file", "non-canonical-base64"):
        "tweetnacl-util's decodeBase64 (validation regex, then atob) ignores the unused low bits of the last digit",
}


def b64e(b):
    return base64.b64encode(b).decode("ascii")


def b64d(s):
    return base64.b64decode(s, validate=True)


def js_json(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def is_js_json(text):
    try:
        return js_json(json.loads(text)) == text
    except ValueError:
        return False


def short(x, n=100):
    s = x if isinstance(x, str) else repr(x)
    return s if len(s) <= n else s[:n] + f"...({len(s)} chars)"


class Batch:
    """Collect page calls with the checks to run on their results, then run them in one go."""

    def __init__(self, page):
        self.page = page
        self.items = []
        self.checks = []

    def add(self, op, args, check):
        self.items.append((op, args))
        self.checks.append(check)

    def run(self, chunk=40):
        for i in range(0, len(self.items), chunk):
            results = self.page.batch(self.items[i:i + chunk])
            for check, (ok, value) in zip(self.checks[i:i + chunk], results):
                check(ok, value)
        self.items, self.checks = [], []


def expect_refused(t, name, expect, notes, op=None, case_id=None):
    """A check for a case the vector says must fail: the page must refuse it."""

    def check(ok, value):
        if not ok:
            t.ok(name, True)
        elif expect in LOW_ORDER:
            notes.append((op, case_id, f"tweetnacl has no low-order check; nbkey refuses ({expect})"))
        elif (op, case_id) in LENIENT:
            notes.append((op, case_id, LENIENT[(op, case_id)] + f"; nbkey refuses ({expect})"))
        else:
            t.fail(name, f"expected the page to refuse it ({expect}), but it was accepted: {short(value)}")

    return check


def check_key_file(t, page, cases, notes):
    OP = "key_file"
    b = Batch(page)
    for c in cases:
        name = f"a: key_file/{c['id']}"
        text_bytes = b64d(c["json_b64"]) if "json_b64" in c else c["json"].encode("utf-8")
        if c.get("expect", "ok") == "ok":
            def chk(ok, v, c=c, name=name):
                if not t.ok(name + " loads", ok, str(v)):
                    return
                t.eq(name + " private key", c["private_key"], v["private_key"])
                t.eq(name + " public key derived from private_key", c["public_key"], v["public_key"])
                t.eq(name + " public_key matches", True, v["public_key_matches"])
                t.eq(name + " is the export form exactly when canonical", c["canonical"], v["export"] == c["json"])
            b.add("key_file_import", {"bytes": b64e(text_bytes)}, chk)
        else:
            b.add("key_file_import", {"bytes": b64e(text_bytes)},
                  expect_refused(t, name + " refused", c["expect"], notes, OP, c["id"]))
    b.run()


def plaintext_arg(c):
    if "plaintext_pattern_length" in c:
        return {"pattern": c["plaintext_pattern_length"]}
    return c["plaintext_b64"]


def check_sealed_box(t, page, cases, notes):
    OP = "sealed_box"
    b = Batch(page)
    for c in cases:
        name = f"a: sealed_box/{c['id']}"
        keys = {"secret_key": c["recipient_secret_key"], "public_key": c["recipient_public_key"]}
        if c.get("expect", "ok") == "ok":
            if "sealed_b64" in c:
                def chk_open(ok, v, c=c, name=name):
                    got = (v["len"], v["sha256"]) if ok else v
                    want_len = (c["plaintext_pattern_length"] if "plaintext_pattern_length" in c
                                else len(b64d(c["plaintext_b64"])))
                    t.eq(name + " opens (length, sha256)", (want_len, c["plaintext_sha256"]), got)
                b.add("seal_open", dict(keys, sealed=c["sealed_b64"], digest_only=True), chk_open)
            want_sealed = c["sealed_sha256"] if "sealed_sha256" in c else hashlib.sha256(b64d(c["sealed_b64"])).hexdigest()

            def chk_seal(ok, v, name=name, want=want_sealed):
                t.eq(name + " reproduced from ephemeral_secret_key (sha256)", want, v["sha256"] if ok else v)
            b.add("seal", {"plaintext": plaintext_arg(c), "recipient_public_key": c["recipient_public_key"],
                           "ephemeral_secret_key": c["ephemeral_secret_key"], "digest_only": True}, chk_seal)
        else:
            b.add("seal_open", dict(keys, sealed=c["sealed_b64"], digest_only=True),
                  expect_refused(t, name + " does not open", c["expect"], notes, OP, c["id"]))
    b.run(chunk=4)  # large sealed files: keep each WebDriver message small


def check_encryption_public_key(t, page, cases, notes):
    b = Batch(page)
    for c in cases:
        def chk(ok, v, c=c):
            t.eq(f"a: encryption_public_key/{c['id']}", c["encryption_public_key"], v)
        b.add("encryption_public_key", {"eth_private_key": {"hex": c["eth_private_key"]}}, chk)
    b.run()


def check_eth_envelope(t, page, cases, notes):
    OP = "eth_envelope"
    b = Batch(page)
    for c in cases:
        name = f"a: eth_envelope/{c['id']}"
        sk = {"hex": c["recipient_eth_private_key"]}
        safe = bool(c.get("safe"))
        if c.get("expect", "ok") != "ok":
            b.add("eth_decrypt", {"text": c["envelope"], "eth_private_key": sk, "safe": safe},
                  expect_refused(t, name + " refused", c["expect"], notes, OP, c["id"]))
            continue

        def chk_dec(ok, v, c=c, name=name):
            t.eq(name + (" decryptSafely" if c.get("safe") else " decrypt"),
                 b64e(c["plaintext"].encode("utf-8")), v)
        b.add("eth_decrypt", {"text": c["envelope"], "eth_private_key": sk, "safe": safe}, chk_dec)
        if safe and "padding_length" in c:
            def chk_pad(ok, v, c=c, name=name):
                t.eq(name + " padding length", c["padding_length"], v["padding_length"] if ok else v)
            b.add("safe_padding", {"data": c["plaintext"], "strict": False}, chk_pad)
        if "ephemeral_secret_key" in c:
            text = c["envelope"]
            hexform = text.startswith("0x")
            env = json.loads(bytes.fromhex(text[2:]).decode("utf-8") if hexform else text)

            def chk_rep(ok, v, name=name, text=text):
                t.eq(name + " reproduced from ephemeral_secret_key", text, v)
            b.add("eth_encrypt_for", {"eth_private_key": sk, "data": c["plaintext"], "safe": safe, "hex": hexform,
                                      "strict": False, "ephemeral_secret_key": c["ephemeral_secret_key"],
                                      "nonce": env["nonce"]}, chk_rep)
    b.run()


def check_encrypt_safely_padding(t, page, cases, notes):
    b = Batch(page)
    for c in cases:
        name = f"a: encrypt_safely_padding/{c['id']}"

        def chk(ok, v, c=c, name=name):
            if not t.ok(name, ok, str(v)):
                return
            t.eq(name + " L", c["unpadded_length"], v["unpadded_length"])
            t.eq(name + " padding length", c["padding_length"], v["padding_length"])
            t.eq(name + " eth-sig-util's rule throws", c["eth_sig_util_throws"], v["strict_throws"])
        b.add("safe_padding", {"data": c["data"], "strict": False}, chk)
    b.run()


def check_wrapped_v1(t, page, cases, notes):
    OP = "wrapped_v1"
    b = Batch(page)
    for c in cases:
        name = f"a: wrapped_v1/{c['id']}"
        sk = {"hex": c["eth_private_key"]}
        if c.get("expect", "ok") != "ok":
            b.add("unwrap_v1", {"stored": c["stored"], "eth_private_key": sk},
                  expect_refused(t, name + " refused", c["expect"], notes, OP, c["id"]))
            continue

        def chk(ok, v, c=c, name=name):
            t.eq(name + " unwraps to the key", c["numerbay_private_key"], v)
        b.add("unwrap_v1", {"stored": c["stored"], "eth_private_key": sk}, chk)

        def chk_pub(ok, v, c=c, name=name):
            t.eq(name + " key's public key", c["numerbay_public_key"], v)
        b.add("public_key", {"secret_key": c["numerbay_private_key"]}, chk_pub)
        if "ephemeral_secret_key" in c:
            def chk_rep(ok, v, c=c, name=name):
                t.eq(name + " reproduced from ephemeral_secret_key", c["stored"], v)
            b.add("wrap_v1_for", {"secret_key": c["numerbay_private_key"], "eth_private_key": sk,
                                  "ephemeral_secret_key": c["ephemeral_secret_key"],
                                  "nonce": json.loads(c["stored"])["nonce"]}, chk_rep)
    b.run()


def storage_key_for(c):
    """storage_key_hex from the vector; when a case has none, derive it as the web app would
    (wallet signs the stored salt; keccak256 of the signature), if the stored string has a salt."""
    if "storage_key_hex" in c:
        return {"hex": c["storage_key_hex"]}
    try:
        salt = json.loads(c["stored"])["salt"]
        if not isinstance(salt, str):
            raise ValueError("salt is not a string")
    except (ValueError, KeyError, TypeError):
        return {"hex": "00" * 32}  # the page fails before it would use it
    from eth_account import Account
    from eth_account.messages import encode_defunct
    from eth_hash.auto import keccak

    sig = Account.sign_message(encode_defunct(text=salt), private_key=bytes.fromhex(c["eth_private_key"]))
    return {"b64": b64e(keccak(bytes(sig.signature)))}


def check_wrapped_v2(t, page, cases, notes):
    OP = "wrapped_v2"
    b = Batch(page)
    for c in cases:
        name = f"a: wrapped_v2/{c['id']}"
        key = storage_key_for(c)
        if c.get("expect", "ok") != "ok":
            b.add("unwrap_v2", {"stored": c["stored"], "storage_key": key},
                  expect_refused(t, name + " refused", c["expect"], notes, OP, c["id"]))
            continue

        def chk(ok, v, c=c, name=name):
            t.eq(name + " unwraps to the key (secretbox with storage_key_hex)", c["numerbay_private_key"], v)
        b.add("unwrap_v2", {"stored": c["stored"], "storage_key": key}, chk)

        def chk_pub(ok, v, c=c, name=name):
            t.eq(name + " key's public key", c["numerbay_public_key"], v)
        b.add("public_key", {"secret_key": c["numerbay_private_key"]}, chk_pub)
        if is_js_json(c["stored"]):
            raw = b64d(json.loads(c["stored"])["data"])

            def chk_rep(ok, v, c=c, name=name):
                t.eq(name + " reproduced from its nonce", c["stored"], v)
            b.add("wrap_v2", {"secret_key": c["numerbay_private_key"], "storage_key": key,
                              "salt_message": c["salt_message"], "nonce": b64e(raw[:24])}, chk_rep)
    b.run()


CHECKERS = {
    "key_file": check_key_file,
    "sealed_box": check_sealed_box,
    "encryption_public_key": check_encryption_public_key,
    "eth_envelope": check_eth_envelope,
    "encrypt_safely_padding": check_encrypt_safely_padding,
    "wrapped_v1": check_wrapped_v1,
    "wrapped_v2": check_wrapped_v2,
}


def check_vectors(t, page, vectors_dir):
    notes = []
    present = {os.path.splitext(os.path.basename(p))[0]: p for p in glob.glob(os.path.join(vectors_dir, "*.json"))}
    for name in EXPECTED_FILES:
        if name not in present:
            t.fail(f"a: vectors/{name}.json", "missing")
    for name, path in sorted(present.items()):
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            op = doc.get("operation", name)
            cases = doc["cases"]
        except (OSError, ValueError, KeyError) as e:
            t.fail(f"a: vectors/{name}.json", f"unreadable: {e}")
            continue
        if op in NOT_BROWSER:
            continue
        checker = CHECKERS.get(op)
        if checker is None:
            notes.append((op, None, "no browser check for this operation"))
            continue
        before = t.passed + t.failed
        try:
            checker(t, page, cases, notes)
        except Exception as e:  # noqa: BLE001  (report and go on with the other files)
            t.fail(f"a: vectors/{name}.json", f"check aborted: {type(e).__name__}: {e}")
        if t.passed + t.failed == before and cases:
            t.fail(f"a: vectors/{name}.json", "no case was checked")
    grouped = {}
    for op, case_id, why in notes:
        grouped.setdefault((op, why), []).append(case_id)
    for (op, why), ids in grouped.items():
        shown = ", ".join(i for i in ids if i) or "-"
        print(f"note: {op}: the page (as the web app) accepts {len(ids)} case(s) the vectors refuse, "
              f"not counted: {why}: {shown}")
