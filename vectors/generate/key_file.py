"""vectors/key_file.json: NumerBay key files (FORMATS.md 1-2)."""

import base64

import nacl.public

from _common import webapp, rng, implementation, expect_error, write

NAME = "key_file"
r = rng(NAME)


def pair():
    sk = r.randbytes(32)
    return bytes(nacl.public.PrivateKey(sk).public_key), sk


def pair_where(pred):
    while True:
        pk, sk = pair()
        if pred(webapp.b64e(pk) + webapp.b64e(sk)):
            return pk, sk


b64 = webapp.b64e
cases = []


def ok(id_, comment, text, pk, sk):
    cases.append({"id": id_, "comment": comment, "expect": "ok", "json": text,
                  "public_key": b64(pk), "private_key": b64(sk),
                  "canonical": text == webapp.keyfile_json(pk, sk)})


def bad(id_, comment, expect, text=None, raw=None):
    c = {"id": id_, "comment": comment, "expect": expect}
    if raw is not None:
        c["json_b64"] = b64(raw)
    else:
        c["json"] = text
    cases.append(c)


pk, sk = pair_where(lambda s: "/" in s and "+" not in s)
ok("canonical-slash", "export form; a key's base64 contains '/' (must not be escaped as \\/)",
   webapp.keyfile_json(pk, sk), pk, sk)
pk, sk = pair_where(lambda s: "+" in s and "/" not in s)
ok("canonical-plus", "export form; a key's base64 contains '+'", webapp.keyfile_json(pk, sk), pk, sk)
pk, sk = pair_where(lambda s: "+" in s and "/" in s)
ok("canonical-slash-and-plus", "export form; the base64 contains both '/' and '+'",
   webapp.keyfile_json(pk, sk), pk, sk)
for i in range(1, 3):
    pk, sk = pair()
    ok(f"canonical-random-{i}", "export form of a random key pair", webapp.keyfile_json(pk, sk), pk, sk)

pk, sk = pair()
ok("trailing-newline", "export form plus a trailing newline: accepted, not byte-exact export form",
   webapp.keyfile_json(pk, sk) + "\n", pk, sk)
pk, sk = pair_where(lambda s: "/" in s)
ok("reordered-whitespace-newline",
   "private_key first, pretty-printed with indentation and a trailing newline: accepted, not canonical",
   '{\n  "private_key": "%s",\n  "public_key": "%s"\n}\n' % (b64(sk), b64(pk)), pk, sk)
pk, sk = pair_where(lambda s: "/" in s)
ok("escaped-slash", "JSON escapes '\\/' in the base64 strings (JSON-equal to the export form): accepted, not canonical",
   webapp.keyfile_json(pk, sk).replace("/", "\\/"), pk, sk)
assert "\\/" in cases[-1]["json"]
pk, sk = pair()
ok("extra-field", "an unknown extra field is ignored: accepted, not canonical",
   '{"public_key":"%s","private_key":"%s","created":"2022-01-01T00:00:00Z"}' % (b64(pk), b64(sk)), pk, sk)

pk, sk = pair()
bad("missing-public-key", "only private_key present (the Python client would accept it; nbkey requires both)",
    "format", '{"private_key":"%s"}' % b64(sk))
bad("missing-private-key", "only public_key present", "format", '{"public_key":"%s"}' % b64(pk))
bad("public-key-not-string", "public_key is a JSON array of numbers instead of a base64 string", "format",
    '{"public_key":[%s],"private_key":"%s"}' % (",".join(str(b) for b in pk), b64(sk)))
bad("bad-base64-char", "private_key contains '!', not a base64 character", "format",
    '{"public_key":"%s","private_key":"%s"}' % (b64(pk), "!" + b64(sk)[1:]))
bad("base64url", "private_key written in the URL-safe alphabet ('-' and '_'), not standard base64", "format",
    '{"public_key":"%s","private_key":"%s"}' % (
        b64(pk), "-_" + b64(sk)[2:]))
bad("unpadded-base64", "private_key without its trailing '=' padding", "format",
    '{"public_key":"%s","private_key":"%s"}' % (b64(pk), b64(sk).rstrip("=")))
last = b64(sk)[42]
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
idx = alphabet.index(last)
assert idx & 0x3 == 0  # 32 bytes: the 43rd digit carries 4 data bits and 2 unused bits
noncanon = b64(sk)[:42] + alphabet[idx | 0x1] + "="
assert base64.b64decode(noncanon) == sk  # a lenient decoder ignores the set bits
bad("non-canonical-base64",
    "private_key's last base64 digit has unused low bits set: lenient decoders give the same key, strict ones refuse",
    "format", '{"public_key":"%s","private_key":"%s"}' % (b64(pk), noncanon))
bad("private-key-31-bytes", "private_key decodes to 31 bytes", "format",
    '{"public_key":"%s","private_key":"%s"}' % (b64(pk), b64(sk[:31])))
bad("private-key-33-bytes", "private_key decodes to 33 bytes", "format",
    '{"public_key":"%s","private_key":"%s"}' % (b64(pk), b64(sk + b"\x00")))
bad("public-key-33-bytes", "public_key decodes to 33 bytes", "format",
    '{"public_key":"%s","private_key":"%s"}' % (b64(pk + b"\x01"), b64(sk)))
pk2, sk2 = pair()
bad("mismatched-pair", "public_key belongs to a different private key", "key_mismatch",
    webapp.keyfile_json(pk2, sk))
bad("not-json", "a key=value text file, not JSON", "format",
    "public_key=%s\nprivate_key=%s\n" % (b64(pk), b64(sk)))
bad("json-array", "valid JSON but an array, not an object", "format", '["%s","%s"]' % (b64(pk), b64(sk)))
bad("not-utf8", "export form plus a field holding a Latin-1 byte 0xE9: not UTF-8 (given as json_b64)", "format",
    raw=('{"public_key":"%s","private_key":"%s","note":"caf' % (b64(pk), b64(sk))).encode() + b'\xe9"}')
bad("empty-file", "an empty file", "format", "")

# Verify with the independent implementation before writing.
for c in cases:
    text = base64.b64decode(c["json_b64"]) if "json_b64" in c else c["json"]
    if c["expect"] == "ok":
        got_pk, got_sk = webapp.keyfile_load(text)
        assert (b64(got_pk), b64(got_sk)) == (c["public_key"], c["private_key"]), c["id"]
        assert bytes(nacl.public.PrivateKey(got_sk).public_key) == got_pk
    else:
        expect_error(c["expect"], webapp.keyfile_load, text)

write(NAME, "NumerBay key files (numerbay.json, FORMATS.md 1-2): which texts load, to which key pair, "
      "and whether a text is byte-exact the web app's export form.",
      implementation("PyNaCl"), cases)
