"""vectors/protected_key_file.json: nbkey's passphrase-protected NumerBay key files (docs/CLI.md,
"Protected NumerBay key files").

Made with PyNaCl (libsodium): nacl.pwhash.argon2id.kdf for the key and nacl.secret.SecretBox for
the box, through Interop/python/webapp.py (protect / unprotect); salts and nonces come from this
generator's seeded random, so the files are reproducible. Small Argon2id parameters except one
case with the writer's defaults (opslimit 3, memlimit 64 MiB)."""

import json

import nacl.exceptions
import nacl.pwhash
import nacl.secret

from _common import webapp, rng, implementation, expect_error, write

NAME = "protected_key_file"
r = rng(NAME)
b64 = webapp.b64e
cases = []


def keypair():
    sk = r.randbytes(32)
    return webapp.x25519_public_key(sk), sk


def export(pk, sk):
    return webapp.keyfile_json(pk, sk)


def make(keyfile_text, passphrase, ops=1, mem=8192):
    return webapp.protect(keyfile_text, passphrase, r.randbytes(16), r.randbytes(24), ops, mem)


def ok(id_, comment, text, passphrase, pk, sk):
    cases.append({"id": id_, "comment": comment, "expect": "ok", "file": text, "passphrase": passphrase,
                  "public_key": b64(pk), "private_key": b64(sk)})


def bad(id_, comment, expect, text, passphrase):
    cases.append({"id": id_, "comment": comment, "expect": expect, "file": text, "passphrase": passphrase})


PP = "correct horse battery staple"
pk1, sk1 = keypair()
f_min = make(export(pk1, sk1), PP, 1, 8192)
ok("ops1-mem8k", "opslimit 1, memlimit 8192 (the smallest accepted)", f_min, PP, pk1, sk1)
pk2, sk2 = keypair()
ok("ops2-mem1m", "opslimit 2, memlimit 1 MiB", make(export(pk2, sk2), PP, 2, 1 << 20), PP, pk2, sk2)
pk3, sk3 = keypair()
ok("ops3-mem64m-defaults", "opslimit 3, memlimit 64 MiB: what nbkey writes (the only costly case)",
   make(export(pk3, sk3), PP, 3, 67108864), PP, pk3, sk3)
pk4, sk4 = keypair()
ok("ops16-mem8k", "opslimit 16 (the largest accepted), memlimit 8192", make(export(pk4, sk4), PP, 16, 8192), PP, pk4, sk4)
pk5, sk5 = keypair()
UNI = "pässwörd \u2615 ключ e\u0301"
f_uni = make(export(pk5, sk5), UNI, 1, 16384)
ok("unicode-passphrase", "non-ASCII passphrase 'pässwörd ☕ ключ é' (é decomposed): raw UTF-8, not normalised",
   f_uni, UNI, pk5, sk5)
pk6, sk6 = keypair()
ok("one-char-passphrase", "passphrase of one character", make(export(pk6, sk6), "x", 1, 8192), "x", pk6, sk6)
pk7, sk7 = keypair()
inner_pretty = json.dumps({"private_key": b64(sk7), "public_key": b64(pk7)}, indent=2) + "\n"
ok("inner-not-export-form", "inner key file with other key order, whitespace and a newline: any valid key file is "
   "accepted inside", make(inner_pretty, PP, 1, 8192), PP, pk7, sk7)
pk8, sk8 = keypair()
obj = json.loads(make(export(pk8, sk8), PP, 1, 8192))
ok("outer-pretty-printed", "the protected file pretty-printed with another key order and a trailing newline "
   "(readers parse JSON; only writers are byte-exact)", json.dumps(dict(reversed(list(obj.items()))), indent=1) + "\n",
   PP, pk8, sk8)

# Negatives.
bad("wrong-passphrase", "ops1-mem8k with another passphrase", "wrong_passphrase", f_min, PP + "!")
bad("wrong-passphrase-composed", "unicode-passphrase opened with é composed (U+00E9): not normalised, so another "
    "passphrase", "wrong_passphrase", f_uni, "pässwörd \u2615 ключ \u00e9")
bad("empty-passphrase", "ops1-mem8k with an empty passphrase", "wrong_passphrase", f_min, "")


def variant(text, fn):
    o = json.loads(text)
    fn(o)
    return webapp.js_stringify(o)


def flip_b64(s, i):
    raw = bytearray(webapp.b64d(s))
    raw[i] ^= 0x01
    return b64(bytes(raw))


bad("tampered-ciphertext", "one bit of the ciphertext flipped: the box does not open, as for a wrong passphrase",
    "wrong_passphrase", variant(f_min, lambda o: o.update(ciphertext=flip_b64(o["ciphertext"], 40))), PP)
bad("tampered-tag", "one bit of the Poly1305 tag flipped", "wrong_passphrase",
    variant(f_min, lambda o: o.update(ciphertext=flip_b64(o["ciphertext"], 0))), PP)
bad("tampered-nonce", "one bit of the nonce flipped", "wrong_passphrase",
    variant(f_min, lambda o: o.update(nonce=flip_b64(o["nonce"], 5))), PP)
bad("tampered-salt", "one bit of the salt flipped: another key", "wrong_passphrase",
    variant(f_min, lambda o: o.update(salt=flip_b64(o["salt"], 3))), PP)
bad("tampered-opslimit", "opslimit changed from 1 to 2: another key", "wrong_passphrase",
    variant(f_min, lambda o: o.update(opslimit=2)), PP)

bad("unknown-format", "format 'nbkey-protected-key/2'", "format",
    variant(f_min, lambda o: o.update(format="nbkey-protected-key/2")), PP)
bad("missing-format", "no format field", "format", variant(f_min, lambda o: o.pop("format")), PP)
bad("kdf-argon2i", "kdf 'argon2i'", "format", variant(f_min, lambda o: o.update(kdf="argon2i")), PP)
bad("salt-15-bytes", "salt of 15 bytes", "format", variant(f_min, lambda o: o.update(salt=b64(webapp.b64d(o["salt"])[:15]))), PP)
bad("nonce-23-bytes", "nonce of 23 bytes", "format", variant(f_min, lambda o: o.update(nonce=b64(webapp.b64d(o["nonce"])[:23]))), PP)
bad("public-key-31-bytes", "public_key of 31 bytes", "format",
    variant(f_min, lambda o: o.update(public_key=b64(webapp.b64d(o["public_key"])[:31]))), PP)
bad("ciphertext-15-bytes", "ciphertext shorter than the 16-byte tag", "format",
    variant(f_min, lambda o: o.update(ciphertext=b64(webapp.b64d(o["ciphertext"])[:15]))), PP)
bad("ciphertext-bad-base64", "ciphertext is not base64", "format",
    variant(f_min, lambda o: o.update(ciphertext="!" + o["ciphertext"][1:])), PP)
bad("opslimit-string", "opslimit given as the string \"1\"", "format", variant(f_min, lambda o: o.update(opslimit="1")), PP)
bad("not-json", "not JSON", "format", "nbkey-protected-key/1\n", PP)
bad("plain-key-file-with-format", "a JSON object with format but nothing else", "format",
    '{"format":"nbkey-protected-key/1"}', PP)

bad("opslimit-0", "opslimit 0", "kdf_limits", variant(f_min, lambda o: o.update(opslimit=0)), PP)
bad("opslimit-17", "opslimit 17 (above 16)", "kdf_limits", variant(f_min, lambda o: o.update(opslimit=17)), PP)
bad("memlimit-8191", "memlimit 8191 (below 8192)", "kdf_limits", variant(f_min, lambda o: o.update(memlimit=8191)), PP)
bad("memlimit-2gib", "memlimit 2 GiB (above 1 GiB); refused before running Argon2id", "kdf_limits",
    variant(f_min, lambda o: o.update(memlimit=2 << 30)), PP)
bad("memlimit-1gib-plus-1", "memlimit 1 GiB + 1", "kdf_limits", variant(f_min, lambda o: o.update(memlimit=(1 << 30) + 1)), PP)
bad("memlimit-negative", "memlimit -1", "kdf_limits", variant(f_min, lambda o: o.update(memlimit=-1)), PP)

# Authentic boxes (right passphrase) around wrong contents.
pka, ska = keypair()
pkb, skb = keypair()


def sealed(inner: bytes, outer_pk: bytes, passphrase=PP):
    salt, nonce = r.randbytes(16), r.randbytes(24)
    key = nacl.pwhash.argon2id.kdf(32, passphrase.encode(), salt, opslimit=1, memlimit=8192)
    ct = nacl.secret.SecretBox(key).encrypt(inner, nonce).ciphertext
    return webapp.js_stringify({"format": "nbkey-protected-key/1", "public_key": b64(outer_pk), "kdf": "argon2id",
                                "opslimit": 1, "memlimit": 8192, "salt": b64(salt), "nonce": b64(nonce),
                                "ciphertext": b64(ct)})


bad("outer-public-key-mismatch", "public_key is another key's than the inner key file's", "key_mismatch",
    sealed(export(pka, ska).encode(), pkb), PP)
bad("inner-key-file-mismatch", "the inner key file's public_key does not belong to its private_key", "key_mismatch",
    sealed(export(pkb, ska).encode(), pkb), PP)
bad("inner-not-key-file", "the inner plaintext is 'hello', not a key file", "format", sealed(b"hello", pka), PP)
bad("inner-json-without-private-key", "the inner plaintext is JSON with only public_key", "format",
    sealed(webapp.js_stringify({"public_key": b64(pka)}).encode(), pka), PP)
bad("inner-not-utf8", "the inner plaintext is not UTF-8", "format", sealed(b"\xff\xfe" + r.randbytes(30), pka), PP)

for c in cases:
    if c["expect"] == "ok":
        inner = webapp.unprotect(c["file"], c["passphrase"])
        pk, sk = webapp.keyfile_load(inner)
        assert (b64(pk), b64(sk)) == (c["public_key"], c["private_key"]), c["id"]
        # one-shot PyNaCl, independent of webapp.unprotect
        o = json.loads(c["file"])
        key = nacl.pwhash.argon2id.kdf(32, c["passphrase"].encode(), webapp.b64d(o["salt"]),
                                       opslimit=o["opslimit"], memlimit=o["memlimit"])
        plain = nacl.secret.SecretBox(key).decrypt(webapp.b64d(o["ciphertext"]), webapp.b64d(o["nonce"]))
        assert plain.decode() == inner and o["public_key"] == c["public_key"], c["id"]
        if c["id"] != "outer-pretty-printed":
            again = webapp.protect(inner, c["passphrase"], webapp.b64d(o["salt"]), webapp.b64d(o["nonce"]),
                                   o["opslimit"], o["memlimit"])
            assert again == c["file"], c["id"]
    else:
        expect_error(c["expect"], webapp.unprotect, c["file"], c["passphrase"])

write(NAME, "nbkey's passphrase-protected key file (docs/CLI.md): JSON {format: nbkey-protected-key/1, public_key, "
      "kdf: argon2id, opslimit, memlimit, salt (16), nonce (24), ciphertext}; key = crypto_pwhash Argon2id13(32, "
      "passphrase as raw UTF-8, salt, opslimit, memlimit); ciphertext = crypto_secretbox_easy(key file bytes, nonce, "
      "key). Readers accept opslimit 1..16 and memlimit 8192..1 GiB, and check public_key against the inner file.",
      implementation("PyNaCl"), cases)
