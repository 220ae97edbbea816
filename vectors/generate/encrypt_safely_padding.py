"""vectors/encrypt_safely_padding.json: encryptSafely's padding length (FORMATS.md 5)."""

import json

import nacl.public

from _common import webapp, rng, implementation, write

NAME = "encrypt_safely_padding"
r = rng(NAME)
cases = []


def js_escape(s: str) -> str:
    """An independent, explicit model of JSON.stringify on a string (no lone surrogates)."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif o < 0x20:
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def unpadded_length(data: str) -> int:
    return len(('{"data":' + js_escape(data) + ',"padding":""}').encode("utf-8"))


def add(id_, comment, data: str, target=None):
    L = unpadded_length(data)
    if target is not None:
        assert L == target, (id_, L, target)
    cases.append({"id": id_, "comment": comment, "data": data, "unpadded_length": L,
                  "padding_length": webapp.safe_padding_length(data),
                  "eth_sig_util_throws": L % 2048 > 2032})


def ascii_to(target: int, prefix: str = "") -> str:
    """prefix followed by 'a's so that L == target."""
    return prefix + "a" * (target - unpadded_length(prefix))


add("empty", "empty data: L = 24 ('{\"data\":\"\",\"padding\":\"\"}'), padded to 2032 bytes + 16-byte tag",
    "", 24)
add("mod-0", "L = 2048: already a multiple, no padding (the box output is then 2064, not a multiple)",
    ascii_to(2048), 2048)
add("mod-1", "L = 2049: L mod 2048 = 1, padding 2031", ascii_to(2049), 2049)
add("mod-2032", "L mod 2048 = 2032: padding 0 and the box output is exactly 2048", ascii_to(2032), 2032)
add("mod-2033", "L mod 2048 = 2033: eth-sig-util throws (count -1); nbkey pads 2047 to reach the next multiple",
    ascii_to(2033), 2033)
add("mod-2047", "L mod 2048 = 2047: eth-sig-util throws (count -15); nbkey pads 2033", ascii_to(2047), 2047)
add("mod-2047-second-block", "L = 4095 (mod 2047): throws in eth-sig-util; nbkey pads 2033", ascii_to(4095), 4095)
add("multi-kb", "L = 10000 (mod 1808): padding 224", ascii_to(10000), 10000)
add("multi-kb-mod-0", "L = 8192 (mod 0): no padding", ascii_to(8192), 8192)
special = 'é世🌍 "q" back\\slash a/b\n\t\r\b\f\x01\x1f\x7f'
add("escapes-and-utf8",
    "data with multi-byte UTF-8, '\"', '\\\\', '/', control characters (\\n \\t \\r \\b \\f \\u0001 \\u001f) and DEL: "
    "L counts escaped UTF-8 bytes; '/', DEL and non-ASCII are not escaped", special)
add("escapes-to-2040", "the same special characters, filled to L = 2040 (throws in eth-sig-util; nbkey pads 2040)",
    ascii_to(2040, special), 2040)
add("escapes-to-2048", "the same special characters, filled to L = 2048: no padding", ascii_to(2048, special), 2048)
add("random-unicode", "1500 random characters from a mixed set (1-4 UTF-8 bytes each, some escaped)",
    "".join(r.choice("a0 é€世🌍\"\\/\n\u2028") for _ in range(1500)))

recipient = webapp.x25519_public_key(r.randbytes(32))
for c in cases:
    data = c["data"]
    assert json.dumps({"data": data, "padding": ""}, separators=(",", ":"), ensure_ascii=False) \
        == '{"data":' + js_escape(data) + ',"padding":""}'
    L, pad = c["unpadded_length"], c["padding_length"]
    assert 0 <= pad < 2048
    mod = L % 2048
    assert pad == (0 if mod == 0 else (2048 - mod - 16) % 2048)
    assert c["eth_sig_util_throws"] == (mod != 0 and 2048 - mod - 16 < 0)
    # the box output of the padded text: a multiple of 2048 unless L already was one
    padded = webapp.safe_plaintext(data).encode("utf-8")
    assert len(padded) == L + pad
    box = nacl.public.Box(nacl.public.PrivateKey(r.randbytes(32)), nacl.public.PublicKey(recipient))
    out = box.encrypt(padded, r.randbytes(24)).ciphertext
    assert len(out) % 2048 == 0 or mod == 0, c["id"]

write(NAME, "encryptSafely padding (FORMATS.md 5): L = UTF-8 length of JSON.stringify({data, padding: ''}); "
      "padding_length = number of '0's nbkey adds; eth_sig_util_throws where eth-sig-util's count is negative.",
      implementation("PyNaCl"), cases)
