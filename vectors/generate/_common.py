"""Shared plumbing for the vector generators (not a generator itself).

Every generator draws all of its random bytes from random.Random("nbkey-<name>-v1"), so
running it again reproduces its JSON file byte for byte. The crypto comes only from
Interop/python/webapp.py, i.e. PyNaCl (libsodium), eth-account / eth-keys, eth-hash.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from importlib.metadata import version

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.dirname(HERE)
ROOT = os.path.dirname(VECTORS)
sys.path.insert(0, os.path.join(ROOT, "Interop", "python"))

import webapp  # noqa: E402

_ID_RE = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")


def rng(name: str) -> random.Random:
    return random.Random(f"nbkey-{name}-v1")


def implementation(*dists: str) -> str:
    return ", ".join(f"{d} {version(d)}" for d in dists) + " (Python, via Interop/python/webapp.py)"


def eth_key(r: random.Random) -> bytes:
    """A random valid secp256k1 private key from r."""
    while True:
        k = r.randbytes(32)
        if 1 <= int.from_bytes(k, "big") < webapp.SECP256K1_N:
            return k


def expect_error(kind: str, fn, *args):
    """Runs fn(*args) and asserts it raises a webapp error of the given kind."""
    try:
        fn(*args)
    except webapp.WebappError as e:
        assert e.kind == kind, f"expected {kind}, got {e.kind}: {e}"
        return
    raise AssertionError(f"expected {kind}, but it succeeded")


def write(name: str, description: str, impl: str, cases: list[dict]) -> str:
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case id"
    for c in cases:
        assert _ID_RE.match(c["id"]), c["id"]
        assert c.get("comment") and "\n" not in c["comment"], c["id"]
        assert all(v is not None for v in c.values()), c["id"]
    doc = {
        "operation": name,
        "description": description,
        "generator": f"vectors/generate/{name}.py",
        "implementation": impl,
        "cases": cases,
    }
    path = os.path.join(VECTORS, f"{name}.json")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    print(f"{path}: {len(cases)} cases")
    return path
