"""vectors/wycheproof_x25519.json: hostile X25519 public keys from Project Wycheproof.

Usage: .venv/bin/python vectors/generate/wycheproof_x25519.py PATH/TO/x25519_test.json

PATH is a local copy of `testvectors/x25519_test.json` from the C2SP/wycheproof repository
(commit WYCHEPROOF_COMMIT below). The copy is not committed here: fetch it yourself. Unlike the
other generators this one draws no random bytes: every byte of the output comes from the
Wycheproof file. It keeps every test flagged LowOrderPublic, ZeroSharedSecret, SmallPublicKey
or NonCanonicalPublic, plus the ordinary and twist tests listed in ORDINARY, and checks each
with PyNaCl (libsodium's crypto_scalarmult) before writing:
- expect "ok": crypto_scalarmult(private, public) == shared; for a NonCanonicalPublic key also
  the same result from the canonical form (bit 255 cleared, then reduced mod p), which is how
  RFC 7748 and libsodium read such keys;
- expect "invalid_public_key" (Wycheproof's shared secret is all zero): crypto_scalarmult
  raises, because libsodium refuses an all-zero result (and low-order points).
A failed check aborts without writing.
"""

import json
import sys
from importlib.metadata import version

import nacl.bindings
import nacl.exceptions

from _common import write

NAME = "wycheproof_x25519"
WYCHEPROOF_COMMIT = "06b80c9dcd69ef172f18ba955d2ff54a2023fd94"
SELECTED_FLAGS = {"LowOrderPublic", "ZeroSharedSecret", "SmallPublicKey", "NonCanonicalPublic"}
# Ordinary (valid) and twist (acceptable) tests kept as positives: the normal case, public keys
# on the twist, the RFC 7748 and RFC 8037 answers, shared secrets with extreme values, and
# private keys that are -1 and 1 modulo the group order.
ORDINARY = [1, 2, 7, 33, 98, 99, 100, 101, 104, 113, 445, 446]
P = 2**255 - 19


def canonical(public: bytes) -> bytes:
    """RFC 7748 decodeUCoordinate: clear bit 255, then the value mod p, re-encoded."""
    u = int.from_bytes(public, "little") & ((1 << 255) - 1)
    return (u % P).to_bytes(32, "little")


def check(case: dict) -> None:
    """Raises AssertionError when PyNaCl disagrees with the case."""
    pub, priv, shared = (bytes.fromhex(case[k]) for k in ("public", "private", "shared"))
    if case["expect"] == "ok":
        got = nacl.bindings.crypto_scalarmult(priv, pub)
        assert got == shared, f"{case['id']}: crypto_scalarmult gives {got.hex()}, Wycheproof {shared.hex()}"
        if "NonCanonicalPublic" in case["flags"].split(","):
            assert canonical(pub) != pub, case["id"]
            again = nacl.bindings.crypto_scalarmult(priv, canonical(pub))
            assert again == shared, f"{case['id']}: the canonical form {canonical(pub).hex()} gives {again.hex()}"
    else:
        try:
            got = nacl.bindings.crypto_scalarmult(priv, pub)
        except nacl.exceptions.RuntimeError:
            return
        raise AssertionError(f"{case['id']}: crypto_scalarmult accepted it and gave {got.hex()}")


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    with open(argv[1], encoding="utf-8") as f:
        source = json.load(f)
    assert source["algorithm"] == "XDH", source["algorithm"]
    tests = [t for g in source["testGroups"] if g["curve"] == "curve25519" and g["type"] == "XdhComp"
             for t in g["tests"]]
    by_id = {t["tcId"]: t for t in tests}
    assert len(by_id) == len(tests), "duplicate tcId"
    missing = [n for n in ORDINARY if n not in by_id]
    assert not missing, f"tests {missing} are not in {argv[1]}"
    chosen = sorted({t["tcId"] for t in tests if SELECTED_FLAGS & set(t["flags"])} | set(ORDINARY))

    cases = []
    for n in chosen:
        t = by_id[n]
        for k in ("public", "private", "shared"):
            assert len(t[k]) == 64 and t[k] == t[k].lower(), (n, k)
        assert t["result"] in ("valid", "acceptable", "invalid"), (n, t["result"])
        zero = t["shared"] == "00" * 32
        assert zero == ("ZeroSharedSecret" in t["flags"]), f"tcId {n}: all-zero shared secret without the flag, or the reverse"
        case = {
            "id": f"tc-{n}",
            "comment": f"Wycheproof tcId {n}: {t['comment']}; flags: {', '.join(t['flags']) or 'none'}",
            "public": t["public"],
            "private": t["private"],
            "shared": t["shared"],
            "flags": ",".join(t["flags"]),
            "wycheproof_result": t["result"],
            "expect": "invalid_public_key" if zero else "ok",
        }
        check(case)
        cases.append(case)

    write(
        NAME,
        "Project Wycheproof X25519 tests (testvectors/x25519_test.json): every test flagged "
        "LowOrderPublic, ZeroSharedSecret, SmallPublicKey or NonCanonicalPublic, plus ordinary and "
        "twist tests. `public` is the peer's X25519 public key, `private` ours, `shared` Wycheproof's "
        "X25519 output. expect ok: X25519 gives `shared` (non-canonical keys are read as RFC 7748 "
        "says: bit 255 cleared, reduced mod p); invalid_public_key: the shared secret is all zero and "
        "libsodium (crypto_scalarmult, crypto_box_beforenm) refuses it.",
        f"Project Wycheproof x25519_test.json (C2SP/wycheproof {WYCHEPROOF_COMMIT}), "
        f"checked with PyNaCl {version('PyNaCl')} (libsodium crypto_scalarmult)",
        cases,
    )
    zero = sum(c["expect"] == "invalid_public_key" for c in cases)
    print(f"{len(cases)} cases: {len(cases) - zero} ok, {zero} invalid_public_key")


if __name__ == "__main__":
    main(sys.argv)
