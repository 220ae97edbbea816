#!/usr/bin/env python3
"""Writes the seed corpus fuzz/corpus/<harness>/ from vectors/*.json (docs/FUZZING.md).

Each harness gets the strings of the vectors that its parser reads, valid and invalid alike, so
fuzzing starts from every case the tests know. Run it again after the vectors change; the output
is deterministic. Only the standard library is used.
"""
import base64
import json
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "corpus"
MAX_SEED = 64 << 10  # larger vectors only slow libFuzzer down; -max_len cuts them anyway

corpus: dict[str, dict[str, bytes]] = {}


def add(harness: str, name: str, data) -> None:
    if isinstance(data, str):
        data = data.encode()
    if data is None or len(data) > MAX_SEED:
        return
    corpus.setdefault(harness, {})[name] = data


def cases(name: str):
    return json.loads((ROOT / "vectors" / f"{name}.json").read_text())["cases"]


def looks_json(s: str) -> bool:
    return s.lstrip()[:1] in ("{", "[")


for c in cases("key_file"):
    raw = c["json"].encode() if "json" in c else base64.b64decode(c["json_b64"])
    add("key-file", f"key_file-{c['id']}", raw)
    add("json", f"key_file-{c['id']}", raw)
    if "public_key" in c:
        add("recipients", f"key_file-{c['id']}", c["public_key"] + "\n")

for c in cases("protected_key_file"):
    add("protected-key-file", f"protected-{c['id']}", c["file"])
    add("json", f"protected-{c['id']}", c["file"])

for c in cases("eth_envelope"):
    add("envelope", f"eth_envelope-{c['id']}", c["envelope"])
    add("wrapped-key-input", f"eth_envelope-{c['id']}", c["envelope"])
    if looks_json(c["envelope"]):
        add("json", f"eth_envelope-{c['id']}", c["envelope"])
    if "plaintext" in c:
        add("envelope-roundtrip", f"eth_envelope-{c['id']}", c["plaintext"])

for c in cases("encrypt_safely_padding"):
    add("envelope-roundtrip", f"padding-{c['id']}", c["data"])

for c in cases("wrapped_v1"):
    add("envelope", f"wrapped_v1-{c['id']}", c["stored"])
    add("wrapped-key-input", f"wrapped_v1-{c['id']}", c["stored"])
    if "numerbay_private_key" in c:
        key = base64.b64decode(c["numerbay_private_key"])
        add("v1-decimal-list", f"wrapped_v1-{c['id']}", ",".join(str(b) for b in key))
        profile = {"encrypted_private_key": c["stored"], "public_key": c["numerbay_public_key"]}
        add("wrapped-key-input", f"profile-v1-{c['id']}", json.dumps(profile))

for c in cases("wrapped_v2"):
    add("v2-unwrap", f"wrapped_v2-{c['id']}", c["stored"])
    add("wrapped-key-input", f"wrapped_v2-{c['id']}", c["stored"])
    if looks_json(c["stored"]):
        add("json", f"wrapped_v2-{c['id']}", c["stored"])
    if "numerbay_private_key" in c:
        inner = json.dumps({"data": c["numerbay_private_key"]}, separators=(",", ":"))
        add("v2-inner", f"wrapped_v2-{c['id']}", b"\x00" + inner.encode())
        profile = {"encrypted_private_key_v2": c["stored"], "public_key_v2": c["numerbay_public_key"]}
        add("wrapped-key-input", f"profile-v2-{c['id']}", json.dumps(profile, indent=1))

for c in cases("keystore_v3"):
    add("keystore-v3", f"keystore-{c['id']}", c["keystore"])
    if looks_json(c["keystore"]):
        add("json", f"keystore-{c['id']}", c["keystore"])

for c in cases("bip39"):
    add("mnemonic", f"bip39-{c['id']}", c["mnemonic"])

for c in cases("mnemonic_account"):
    add("mnemonic", f"account-{c['id']}", c["mnemonic"])
    add("derivation-path", f"account-{c['id']}", c["derivation_path"])

for c in cases("address"):
    add("private-key-hex", f"address-{c['id']}", c["private_key_file"])

for c in cases("sealed_box"):
    if "sealed_b64" in c:
        add("sealed-file", f"sealed-{c['id']}", base64.b64decode(c["sealed_b64"]))
    if "plaintext_b64" in c and len(c["plaintext_b64"]) < 8192:
        add("sealed-roundtrip", f"sealed-{c['id']}", base64.b64decode(c["plaintext_b64"]))

# multi-seal: byte 0 = recipients - 1 (mod 4), bytes 1-3 = plaintext length, then a pattern. The
# vectors' plaintexts at their own length, and as the pattern of lengths around the 4 KiB grid
# (less the 48-byte header) and the 1 MiB chunk.
def multi_seal(count: int, length: int, pattern: bytes) -> bytes:
    return bytes([count % 4, length >> 16 & 255, length >> 8 & 255, length & 255]) + pattern


plains = [base64.b64decode(c["plaintext_b64"]) for c in cases("sealed_box")
          if "plaintext_b64" in c and len(c["plaintext_b64"]) < 8192]
for i, p in enumerate(plains[:8]):
    add("multi-seal", f"vector-{i}", multi_seal(i, len(p), p))
for i, length in enumerate([4047, 4048, 4096, (1 << 20) - 48, (1 << 20) + 1]):
    add("multi-seal", f"boundary-{length}", multi_seal(i + 1, length, plains[0] if plains and plains[0] else b"nb"))

# A sales JSON in the NumerBay API's shape, and the hand-written list form.
keys = [c["public_key"] for c in cases("key_file") if c.get("expect") == "ok"][:3]
add("recipients", "list-comments", "# buyers\n" + "\n".join(f"  {k}  # order {i}" for i, k in enumerate(keys)) + "\n\n")
add("recipients", "sales-json", json.dumps({"data": [{"id": 100 + i, "buyer_public_key": k, "buyer": {"username": f"u{i}"}}
                                                     for i, k in enumerate(keys)]}))
add("recipients", "sales-string-ids", json.dumps([{"id": f"ord-{i}_x", "buyer_public_key": k} for i, k in enumerate(keys)]))

# secretbox-stream: flags, split count, chunk lengths, message (see Fuzzing.secretboxStream).
for flags, cuts, n in [(0, [], 0), (1, [1], 64), (2, [31, 33], 200), (3, [0x81, 5, 0], 300), (1, [63, 1, 64, 0x82], 700)]:
    add("secretbox-stream", f"splits-{flags}-{len(cuts)}-{n}", bytes([flags, len(cuts), *cuts]) + bytes((i * 7) & 255 for i in range(n)))

if OUT.exists():
    shutil.rmtree(OUT)
total = 0
for harness, files in sorted(corpus.items()):
    folder = OUT / harness
    folder.mkdir(parents=True)
    for name, data in sorted(files.items()):
        (folder / name).write_bytes(data)
        total += len(data)
print(f"fuzz/corpus: {sum(len(f) for f in corpus.values())} seeds, {total} bytes, harnesses: {' '.join(sorted(corpus))}")
