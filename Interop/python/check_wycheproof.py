#!/usr/bin/env python3
"""Checks vectors/wycheproof_x25519.json with PyNaCl (libsodium), never nbkey's Swift code.

For every case: the fields are exactly the documented ones; expect is invalid_public_key
exactly when `shared` is all zero (and then ZeroSharedSecret is among the flags); for "ok"
crypto_scalarmult(private, public) equals `shared` (and, for a NonCanonicalPublic key, so does
the canonical form: bit 255 cleared, reduced mod p); for "invalid_public_key" crypto_scalarmult
raises (libsodium refuses an all-zero result) and so does crypto_box_beforenm.

Usage: .venv/bin/python Interop/python/check_wycheproof.py [FILE]
Prints one line per failure and ends with `python-wycheproof: N passed, M failed` (N = cases
that passed, M = failed cases plus file-level failures); exits 1 if M > 0 or N == 0.
"""

from __future__ import annotations

import json
import os
import re
import sys

import nacl.bindings
import nacl.exceptions

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT = os.path.join(ROOT, "vectors", "wycheproof_x25519.json")
TOP_FIELDS = {"operation", "description", "generator", "implementation", "cases"}
CASE_FIELDS = {"id", "comment", "public", "private", "shared", "flags", "wycheproof_result", "expect"}
ID_RE = re.compile(r"\Atc-[1-9][0-9]*\Z")
HEX64_RE = re.compile(r"\A[0-9a-f]{64}\Z")
FLAG_RE = re.compile(r"\A[A-Za-z0-9]+\Z")
P = 2**255 - 19


def canonical(public: bytes) -> bytes:
    u = int.from_bytes(public, "little") & ((1 << 255) - 1)
    return (u % P).to_bytes(32, "little")


def refused(fn, *args) -> bool:
    try:
        fn(*args)
    except nacl.exceptions.RuntimeError:
        return True
    return False


def check_case(c: dict) -> None:
    """Raises AssertionError with a reason when the case is wrong."""
    assert set(c) == CASE_FIELDS, f"fields {sorted(set(c) ^ CASE_FIELDS)} unexpected or missing"
    assert all(isinstance(c[k], str) for k in CASE_FIELDS), "every field is a string"
    assert ID_RE.match(c["id"]), "id is not tc-<tcId>"
    assert c["comment"].startswith(f"Wycheproof tcId {c['id'][3:]}: ") and "\n" not in c["comment"], "comment"
    for k in ("public", "private", "shared"):
        assert HEX64_RE.match(c[k]), f"{k} is not 64 lowercase hex digits"
    flags = c["flags"].split(",") if c["flags"] else []
    assert all(FLAG_RE.match(f) for f in flags), "flags is not a comma-joined list of names"
    assert c["wycheproof_result"] in ("valid", "acceptable", "invalid"), "wycheproof_result"
    pub, priv, shared = (bytes.fromhex(c[k]) for k in ("public", "private", "shared"))
    zero = shared == bytes(32)
    assert c["expect"] == ("invalid_public_key" if zero else "ok"), "expect does not follow the shared secret"
    assert zero == ("ZeroSharedSecret" in flags), "ZeroSharedSecret flag does not follow the shared secret"
    if c["expect"] == "ok":
        got = nacl.bindings.crypto_scalarmult(priv, pub)
        assert got == shared, f"crypto_scalarmult gives {got.hex()}"
        if "NonCanonicalPublic" in flags:
            assert canonical(pub) != pub, "flagged NonCanonicalPublic but canonical"
            again = nacl.bindings.crypto_scalarmult(priv, canonical(pub))
            assert again == shared, f"the canonical form gives {again.hex()}"
    else:
        assert refused(nacl.bindings.crypto_scalarmult, priv, pub), "crypto_scalarmult accepted it"
        assert refused(nacl.bindings.crypto_box_beforenm, pub, priv), "crypto_box_beforenm accepted it"


def main(argv: list[str]) -> int:
    path = argv[1] if len(argv) > 1 else DEFAULT
    passed = failed = 0
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        assert set(doc) == TOP_FIELDS, f"top-level fields {sorted(doc)}"
        assert doc["operation"] == "wycheproof_x25519", "operation"
        assert doc["generator"] == "vectors/generate/wycheproof_x25519.py", "generator"
        ids = [c.get("id") for c in doc["cases"]]
        assert len(ids) == len(set(ids)), "duplicate case id"
        cases = doc["cases"]
    except (OSError, ValueError, AssertionError, KeyError, TypeError) as e:
        print(f"FAIL {path}: {e}")
        cases, failed = [], 1
    for c in cases:
        try:
            check_case(c)
        except Exception as e:  # noqa: BLE001 - any error is this case's failure
            print(f"FAIL wycheproof_x25519 {c.get('id', '?') if isinstance(c, dict) else '?'}: "
                  f"{type(e).__name__}: {e}")
            failed += 1
        else:
            passed += 1
    print(f"python-wycheproof: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
