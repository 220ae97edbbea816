"""vectors/keccak256.json: Ethereum's Keccak-256 (original 0x01 padding, not SHA3-256)."""

import hashlib

from Crypto.Hash import keccak as pycryptodome_keccak

from _common import webapp, rng, implementation, write

NAME = "keccak256"
r = rng(NAME)

cases = []


def add(id_, comment, data: bytes):
    cases.append({"id": id_, "comment": comment, "input_hex": data.hex(),
                  "digest_hex": webapp.keccak256(data).hex()})


# Published answers (asserted below against eth-hash's output).
PUBLISHED = {
    "empty": "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    "abc": "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    "quick-brown-fox": "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15",
}
add("empty", "empty input; published: Ethereum's hash of empty code/data (go-ethereum's EmptyCodeHash). "
    "SHA3-256 would give a7ffc6f8...", b"")
add("abc", "'abc'; published Keccak-256 known answer (Keccak team / Ethereum tooling)", b"abc")
add("quick-brown-fox", "'The quick brown fox jumps over the lazy dog'; widely published Keccak-256 answer",
    b"The quick brown fox jumps over the lazy dog")
add("a3-200-bytes", "200 bytes of 0xa3 (the 1600-bit message of the NIST SHA-3 examples); digest from eth-hash",
    b"\xa3" * 200)
for n in (135, 136, 137, 272, 1000):
    note = {135: "one byte short of the 136-byte rate", 136: "exactly one rate block",
            137: "one byte past a rate block", 272: "exactly two rate blocks",
            1000: "several blocks"}[n]
    add(f"random-{n}", f"{n} random bytes: {note}; digest from eth-hash", r.randbytes(n))
add("signature-65", "65 random bytes, the size of a signature hashed into a v2 storage key", r.randbytes(65))

for c in cases:
    data = bytes.fromhex(c["input_hex"])
    other = pycryptodome_keccak.new(digest_bits=256, data=data).hexdigest()
    assert c["digest_hex"] == other, c["id"]
    assert c["digest_hex"] != hashlib.sha3_256(data).hexdigest()
    if c["id"] in PUBLISHED:
        assert c["digest_hex"] == PUBLISHED[c["id"]], c["id"]

write(NAME, "Keccak-256 as Ethereum uses it (original Keccak padding 0x01, not SHA3-256's 0x06).",
      implementation("eth-hash", "pycryptodome"), cases)
