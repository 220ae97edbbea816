"""Reference model of the NumerBay web app's client-side encryption formats.

Built only on independent implementations: PyNaCl (libsodium), eth-account / eth-keys
(secp256k1, EIP-191, EIP-55), eth-hash (Keccak-256) and pycryptodome (Salsa20, only to
derive the box key of an all-zero X25519 shared secret). It never uses nbkey's Swift code.
See /work/shared/FORMATS.md for the formats. Other test scripts import it with
tests/python on sys.path:

    import webapp
    sealed = webapp.seal(pk, b"hello")

All functions take and return bytes unless said otherwise. Errors are raised as subclasses of
`WebappError`; each carries `kind`, the `expect` value used in vectors/*.json:
"format", "authentication_failure", "invalid_public_key", "key_mismatch",
"unsupported_version", "invalid_key".

JSON text: the web app writes JSON with JavaScript's JSON.stringify, which prints no
whitespace, keeps keys in insertion order, does NOT escape "/" or non-ASCII characters, and
escapes only `"`, `\\`, control characters U+0000..U+001F (as \\b \\f \\n \\r \\t, the
others as \\u00XX, lowercase hex) and lone surrogates (as \\udXXX). `js_stringify` below
reproduces that with json.dumps(..., separators=(",", ":"), ensure_ascii=False); the two
agree for every str that can be encoded as UTF-8 (lone surrogates cannot, so they never
reach a byte format).
"""

from __future__ import annotations

import base64
import binascii
import json
import re

import nacl.bindings
import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.public
import nacl.secret
import nacl.utils
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_hash.auto import keccak as _keccak
from eth_keys import keys as _eth_keys

__all__ = [
    "WebappError", "FormatError", "AuthenticationFailure", "InvalidPublicKey",
    "KeyMismatch", "UnsupportedVersion", "InvalidKey",
    "SECP256K1_N", "ENVELOPE_VERSION", "SALT_PREFIX",
    "b64e", "b64d", "js_stringify", "keccak256",
    "x25519_public_key", "keyfile_json", "keyfile_load",
    "seal", "seal_low_order", "seal_open", "hsalsa20_zero_nonce", "zero_shared_box_key",
    "encryption_public_key", "parse_private_key_file", "check_eth_private_key", "address",
    "envelope_encrypt", "envelope_decrypt", "envelope_to_hex",
    "safe_padding_length", "eth_sig_util_throws", "safe_plaintext",
    "encrypt_safely", "decrypt_safely",
    "personal_sign", "personal_sign_digest",
    "wrap_v1", "unwrap_v1", "parse_decimal_list", "salt_message", "storage_key",
    "signature_v01", "wrap_v2", "parse_v2", "unwrap_v2",
]


# ---------------------------------------------------------------- errors

class WebappError(Exception):
    kind = "error"


class FormatError(WebappError):
    kind = "format"


class AuthenticationFailure(WebappError):
    kind = "authentication_failure"


class InvalidPublicKey(WebappError):
    kind = "invalid_public_key"


class KeyMismatch(WebappError):
    kind = "key_mismatch"


class UnsupportedVersion(WebappError):
    kind = "unsupported_version"


class InvalidKey(WebappError):
    kind = "invalid_key"


# ---------------------------------------------------------------- constants

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
ENVELOPE_VERSION = "x25519-xsalsa20-poly1305"
SALT_PREFIX = "Sign this to retrieve your encryption key.\n\nSalt:"
PADDING_BLOCK = 2048
NACL_EXTRA_BYTES = 16

_B64_RE = re.compile(r"\A(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\Z")
_DECIMAL_RE = re.compile(r"\A(?:0|[1-9][0-9]{0,2})\Z")
_HEX64_RE = re.compile(r"\A[0-9a-fA-F]{64}\Z")


# ---------------------------------------------------------------- helpers

def b64e(data: bytes) -> str:
    """Standard base64 with padding (RFC 4648 section 4)."""
    return base64.b64encode(data).decode("ascii")


def b64d(text, length: int | None = None, what: str = "base64") -> bytes:
    """Strict standard base64: alphabet, '=' padding, and canonical (unused bits zero).

    Raises FormatError; checks the decoded length when `length` is given."""
    if not isinstance(text, str):
        raise FormatError(f"{what}: not a string")
    if not _B64_RE.match(text):
        raise FormatError(f"{what}: not standard padded base64")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as e:
        raise FormatError(f"{what}: {e}") from None
    if b64e(raw) != text:
        raise FormatError(f"{what}: non-canonical base64 (unused bits set)")
    if length is not None and len(raw) != length:
        raise FormatError(f"{what}: {len(raw)} bytes, expected {length}")
    return raw


def js_stringify(obj) -> str:
    """JSON.stringify(obj) for dicts/lists/strings/ints/bools (see module docstring)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise FormatError(f"not encodable as UTF-8: {e}") from None


def _parse_json_object(text, what: str) -> dict:
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError(f"{what}: not UTF-8") from None
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        raise FormatError(f"{what}: not JSON") from None
    if not isinstance(obj, dict):
        raise FormatError(f"{what}: not a JSON object")
    return obj


def _str_field(obj: dict, name: str, what: str) -> str:
    if name not in obj:
        raise FormatError(f"{what}: missing field {name!r}")
    value = obj[name]
    if not isinstance(value, str):
        raise FormatError(f"{what}: field {name!r} is not a string")
    return value


def keccak256(data: bytes) -> bytes:
    """Ethereum's Keccak-256 (original padding), via eth-hash."""
    return _keccak(bytes(data))


def x25519_public_key(secret: bytes) -> bytes:
    """X25519(secret, 9); the secret is clamped inside, as nacl.box.keyPair.fromSecretKey does."""
    if len(secret) != 32:
        raise FormatError("X25519 secret key must be 32 bytes")
    return bytes(nacl.public.PrivateKey(bytes(secret)).public_key)


def _shared_secret(secret: bytes, public: bytes) -> bytes:
    """Raw X25519 shared secret; InvalidPublicKey when it is all-zero (low-order point)."""
    try:
        return nacl.bindings.crypto_scalarmult(bytes(secret), bytes(public))
    except nacl.exceptions.RuntimeError:
        raise InvalidPublicKey("X25519 shared secret is all-zero (low-order public key)") from None


def hsalsa20_zero_nonce(key: bytes) -> bytes:
    """HSalsa20(key, 0^16), i.e. crypto_box_beforenm's key for the shared secret `key`.

    Derived from the first Salsa20 keystream block (pycryptodome) with nonce and counter zero:
    block = core(x) + x, and HSalsa20 is core(x) at words 0, 5, 10, 15, 6, 7, 8, 9, where x
    holds the four constants at 0, 5, 10, 15 and zeros at 6..9. Checked against libsodium's
    crypto_box_beforenm by `_self_test`."""
    from Crypto.Cipher import Salsa20

    block = Salsa20.new(key=bytes(key), nonce=bytes(8)).encrypt(bytes(64))
    words = [int.from_bytes(block[4 * i:4 * i + 4], "little") for i in range(16)]
    consts = [int.from_bytes(c, "little") for c in (b"expa", b"nd 3", b"2-by", b"te k")]
    out = [(words[w] - consts[i]) & 0xFFFFFFFF for i, w in enumerate((0, 5, 10, 15))]
    out += [words[w] for w in (6, 7, 8, 9)]  # input words 6..9 were zero
    return b"".join(v.to_bytes(4, "little") for v in out)


def zero_shared_box_key() -> bytes:
    """The box key of an all-zero shared secret (a low-order public key): HSalsa20(0^32, 0^16).
    libsodium refuses to compute it (crypto_box_beforenm fails), tweetnacl does not."""
    return hsalsa20_zero_nonce(bytes(32))


def _self_test() -> None:
    """Cross-checks hsalsa20_zero_nonce against libsodium on a few fixed key pairs."""
    for i in range(1, 4):
        sk = keccak256(b"webapp-self-test-sk-%d" % i)
        pk = x25519_public_key(keccak256(b"webapp-self-test-pk-%d" % i))
        want = nacl.bindings.crypto_box_beforenm(pk, sk)
        assert hsalsa20_zero_nonce(nacl.bindings.crypto_scalarmult(sk, pk)) == want


# ---------------------------------------------------------------- key file (FORMATS.md 1-2)

def keyfile_json(public_key: bytes, private_key: bytes) -> str:
    """The export form: {"public_key":"<b64>","private_key":"<b64>"}, no whitespace, no newline."""
    return js_stringify({"public_key": b64e(public_key), "private_key": b64e(private_key)})


def keyfile_load(text) -> tuple[bytes, bytes]:
    """Parse a key file (str or bytes). Returns (public_key, private_key).

    FormatError: not UTF-8, not a JSON object, a field missing or not a string, not strict
    base64, not 32 bytes. KeyMismatch: public_key is not X25519(private_key). Unknown extra
    fields and whitespace are accepted."""
    obj = _parse_json_object(text, "key file")
    pk = b64d(_str_field(obj, "public_key", "key file"), 32, "public_key")
    sk = b64d(_str_field(obj, "private_key", "key file"), 32, "private_key")
    if x25519_public_key(sk) != pk:
        raise KeyMismatch("public_key does not belong to private_key")
    return pk, sk


# ---------------------------------------------------------------- sealed box (FORMATS.md 3)

def _seal_nonce(epk: bytes, rpk: bytes) -> bytes:
    return nacl.hash.blake2b(bytes(epk) + bytes(rpk), digest_size=24,
                             encoder=nacl.encoding.RawEncoder)


def seal(recipient_pk: bytes, plaintext: bytes, ephemeral_sk: bytes | None = None) -> bytes:
    """crypto_box_seal. With ephemeral_sk the result is deterministic (built from
    nacl.public.Box with nonce = BLAKE2b-24(epk || rpk)); without it, nacl.public.SealedBox."""
    rpk = nacl.public.PublicKey(bytes(recipient_pk))
    if ephemeral_sk is None:
        return nacl.public.SealedBox(rpk).encrypt(bytes(plaintext))
    esk = nacl.public.PrivateKey(bytes(ephemeral_sk))
    epk = bytes(esk.public_key)
    nonce = _seal_nonce(epk, bytes(rpk))
    ct = nacl.public.Box(esk, rpk).encrypt(bytes(plaintext), nonce).ciphertext
    return epk + ct


def seal_low_order(recipient_pk: bytes, plaintext: bytes, low_order_epk: bytes) -> bytes:
    """A 'sealed box' whose ephemeral key is a low-order point, authenticated under the box key
    of the all-zero shared secret: tweetnacl would open it, libsodium must refuse it."""
    nonce = _seal_nonce(low_order_epk, recipient_pk)
    ct = nacl.secret.SecretBox(zero_shared_box_key()).encrypt(bytes(plaintext), nonce).ciphertext
    return bytes(low_order_epk) + ct


def seal_open(recipient_sk: bytes, sealed: bytes) -> bytes:
    """crypto_box_seal_open via nacl.public.SealedBox, with the failure classified:
    FormatError (< 48 bytes), InvalidPublicKey (ephemeral key of low order),
    AuthenticationFailure (tag does not verify)."""
    sealed = bytes(sealed)
    if len(sealed) < 48:
        raise FormatError(f"sealed box is {len(sealed)} bytes, shorter than 48")
    sk = nacl.public.PrivateKey(bytes(recipient_sk))
    try:
        return nacl.public.SealedBox(sk).decrypt(sealed)
    except nacl.exceptions.CryptoError:
        _shared_secret(bytes(sk), sealed[:32])  # raises InvalidPublicKey if low order
        raise AuthenticationFailure("sealed box does not open with this key") from None


# ---------------------------------------------------------------- Ethereum account (FORMATS.md 4, 8)

def check_eth_private_key(eth_sk: bytes) -> bytes:
    eth_sk = bytes(eth_sk)
    if len(eth_sk) != 32:
        raise FormatError("Ethereum private key must be 32 bytes")
    k = int.from_bytes(eth_sk, "big")
    if not 1 <= k < SECP256K1_N:
        raise InvalidKey("Ethereum private key out of range (must be 1 <= k < n)")
    return eth_sk


def parse_private_key_file(text: str) -> bytes:
    """A --private-key-file: 64 hex digits (either case), optional 0x, surrounding whitespace
    ignored. FormatError for anything else; InvalidKey for 0 or >= n."""
    s = text.strip()
    if s[:2] in ("0x", "0X"):
        s = s[2:]
    if not _HEX64_RE.match(s):
        raise FormatError("private key file must hold 64 hex digits")
    return check_eth_private_key(bytes.fromhex(s))


def encryption_public_key(eth_sk: bytes) -> str:
    """MetaMask's eth_getEncryptionPublicKey: base64 X25519 public key of the eth key as-is."""
    return b64e(x25519_public_key(bytes(eth_sk)))


def address(eth_sk: bytes) -> str:
    """EIP-55 address (eth-account); cross-checked against eth-keys."""
    eth_sk = check_eth_private_key(eth_sk)
    addr = Account.from_key(eth_sk).address
    assert addr == _eth_keys.PrivateKey(eth_sk).public_key.to_checksum_address()
    return addr


# ---------------------------------------------------------------- eth-sig-util envelope (FORMATS.md 5)

def _envelope_json(nonce: bytes, epk: bytes, ct: bytes) -> str:
    return js_stringify({"version": ENVELOPE_VERSION, "nonce": b64e(nonce),
                         "ephemPublicKey": b64e(epk), "ciphertext": b64e(ct)})


def envelope_encrypt(recipient_enc_pk_b64: str, data: str, ephemeral_sk: bytes | None = None,
                     nonce: bytes | None = None) -> str:
    """eth-sig-util encrypt(): the envelope JSON text of nacl.box(utf8(data))."""
    rpk = nacl.public.PublicKey(b64d(recipient_enc_pk_b64, 32, "recipient public key"))
    if ephemeral_sk is None:
        esk = nacl.public.PrivateKey.generate()
    else:
        esk = nacl.public.PrivateKey(bytes(ephemeral_sk))
    if nonce is None:
        nonce = nacl.utils.random(24)
    ct = nacl.public.Box(esk, rpk).encrypt(_utf8(data), bytes(nonce)).ciphertext
    return _envelope_json(bytes(nonce), bytes(esk.public_key), ct)


def envelope_to_hex(envelope_text: str) -> str:
    """The 0x-hex form eth_decrypt also takes: '0x' + hex of the UTF-8 bytes."""
    return "0x" + envelope_text.encode("utf-8").hex()


def _envelope_open_bytes(eth_sk: bytes, envelope) -> bytes:
    if isinstance(envelope, (bytes, bytearray)):
        try:
            envelope = bytes(envelope).decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError("envelope: not UTF-8") from None
    if envelope.startswith("0x"):
        h = envelope[2:]
        if len(h) % 2 or not re.fullmatch(r"[0-9a-fA-F]*", h):
            raise FormatError("envelope: bad 0x-hex")
        envelope = bytes.fromhex(h)
    obj = _parse_json_object(envelope, "envelope")
    version = _str_field(obj, "version", "envelope")
    if version != ENVELOPE_VERSION:
        raise UnsupportedVersion(f"envelope version {version!r} is not supported")
    nonce = b64d(_str_field(obj, "nonce", "envelope"), 24, "nonce")
    epk = b64d(_str_field(obj, "ephemPublicKey", "envelope"), 32, "ephemPublicKey")
    ct = b64d(_str_field(obj, "ciphertext", "envelope"), None, "ciphertext")
    if len(ct) < 16:
        raise FormatError("ciphertext shorter than the 16-byte tag")
    sk = nacl.public.PrivateKey(bytes(eth_sk))
    _shared_secret(bytes(sk), epk)  # InvalidPublicKey for a low-order ephemeral key
    try:
        return nacl.public.Box(sk, nacl.public.PublicKey(epk)).decrypt(ct, nonce)
    except nacl.exceptions.CryptoError:
        raise AuthenticationFailure("envelope does not open with this wallet") from None


def envelope_decrypt(eth_sk: bytes, envelope) -> str:
    """eth_decrypt: envelope JSON text (or its 0x-hex form) -> UTF-8 plaintext string."""
    raw = _envelope_open_bytes(eth_sk, envelope)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError("decrypted envelope is not UTF-8") from None


def safe_padding_length(data: str) -> int:
    """Number of '0's encryptSafely adds; where eth-sig-util throws (L mod 2048 > 2032)
    this pads to the next multiple of 2048 instead (adds 2048 to the negative count)."""
    length = len(_utf8(js_stringify({"data": data, "padding": ""})))
    mod = length % PADDING_BLOCK
    if mod == 0:
        return 0
    pad = PADDING_BLOCK - mod - NACL_EXTRA_BYTES
    if pad < 0:
        pad += PADDING_BLOCK
    return pad


def eth_sig_util_throws(data: str) -> bool:
    length = len(_utf8(js_stringify({"data": data, "padding": ""})))
    return length % PADDING_BLOCK > PADDING_BLOCK - NACL_EXTRA_BYTES


def safe_plaintext(data: str) -> str:
    return js_stringify({"data": data, "padding": "0" * safe_padding_length(data)})


def encrypt_safely(recipient_enc_pk_b64: str, data: str, ephemeral_sk: bytes | None = None,
                   nonce: bytes | None = None) -> str:
    """eth-sig-util encryptSafely (with the next-multiple fix where it would throw)."""
    return envelope_encrypt(recipient_enc_pk_b64, safe_plaintext(data), ephemeral_sk, nonce)


def decrypt_safely(eth_sk: bytes, envelope) -> str:
    """decryptSafely: eth_decrypt, JSON.parse, return .data (which must be a string)."""
    inner = _parse_json_object(envelope_decrypt(eth_sk, envelope), "safe plaintext")
    return _str_field(inner, "data", "safe plaintext")


# ---------------------------------------------------------------- EIP-191 personal_sign

def personal_sign_digest(message: bytes) -> bytes:
    message = bytes(message)
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message)


def personal_sign(eth_sk: bytes, message: bytes) -> str:
    """personal_sign: '0x' + 130 hex (r || s || v, v = 27/28), via eth-account."""
    eth_sk = check_eth_private_key(eth_sk)
    sig = bytes(Account.sign_message(encode_defunct(primitive=bytes(message)), eth_sk).signature)
    assert len(sig) == 65 and sig[64] in (27, 28)
    return "0x" + sig.hex()


# ---------------------------------------------------------------- wrapped key v1 (FORMATS.md 6)

def wrap_v1(eth_sk: bytes, nb_sk: bytes, ephemeral_sk: bytes | None = None,
            nonce: bytes | None = None) -> str:
    """encrypted_private_key: envelope of Uint8Array.toString() of the key."""
    if len(nb_sk) != 32:
        raise FormatError("NumerBay private key must be 32 bytes")
    text = ",".join(str(b) for b in bytes(nb_sk))
    return envelope_encrypt(encryption_public_key(eth_sk), text, ephemeral_sk, nonce)


def parse_decimal_list(text: str) -> bytes:
    items = text.split(",")
    if len(items) != 32:
        raise FormatError(f"wrapped v1 key has {len(items)} numbers, expected 32")
    out = bytearray()
    for item in items:
        if not _DECIMAL_RE.match(item) or int(item) > 255:
            raise FormatError(f"wrapped v1 key: bad byte {item!r}")
        out.append(int(item))
    return bytes(out)


def unwrap_v1(eth_sk: bytes, stored) -> bytes:
    """Strict: exactly 32 items, each ^(0|[1-9][0-9]{0,2})$ and <= 255."""
    return parse_decimal_list(envelope_decrypt(eth_sk, stored))


# ---------------------------------------------------------------- wrapped key v2 (FORMATS.md 7)

def salt_message(salt32: bytes) -> str:
    if len(salt32) != 32:
        raise FormatError("salt must be 32 bytes")
    return SALT_PREFIX + b64e(bytes(salt32))


def storage_key(signature_hex: str) -> bytes:
    """keccak256 of the 65 raw signature bytes (hex with or without 0x)."""
    h = signature_hex[2:] if signature_hex.startswith("0x") else signature_hex
    raw = bytes.fromhex(h)
    if len(raw) != 65:
        raise FormatError("signature must be 65 bytes")
    return keccak256(raw)


def signature_v01(signature_hex: str) -> str:
    """The same signature with v as 0/1 (what some hardware wallets return)."""
    raw = bytearray.fromhex(signature_hex[2:])
    if raw[64] in (27, 28):
        raw[64] -= 27
    return "0x" + bytes(raw).hex()


def wrap_v2(eth_sk: bytes, nb_sk: bytes, salt32: bytes, nonce24: bytes, v01: bool = False) -> str:
    """encrypted_private_key_v2: {"data":"<b64(nonce||secretbox)>","salt":"<message>"}."""
    if len(nb_sk) != 32 or len(nonce24) != 24:
        raise FormatError("bad key or nonce length")
    message = salt_message(salt32)
    sig = personal_sign(eth_sk, message.encode("utf-8"))
    if v01:
        sig = signature_v01(sig)
    key = storage_key(sig)
    inner = js_stringify({"data": b64e(bytes(nb_sk))}).encode("utf-8")
    box = nacl.secret.SecretBox(key).encrypt(inner, bytes(nonce24))
    assert bytes(box) == bytes(nonce24) + box.ciphertext
    return js_stringify({"data": b64e(bytes(box)), "salt": message})


def parse_v2(stored) -> tuple[bytes, str]:
    """Structure checks of a v2 stored string -> (nonce || secretbox bytes, salt message)."""
    obj = _parse_json_object(stored, "wrapped v2 key")
    data = b64d(_str_field(obj, "data", "wrapped v2 key"), None, "data")
    salt = _str_field(obj, "salt", "wrapped v2 key")
    if not salt.startswith(SALT_PREFIX):
        raise FormatError("salt message does not start with the NumerBay prefix")
    b64d(salt[len(SALT_PREFIX):], 32, "salt")
    if len(data) < 24 + 16:
        raise FormatError(f"data is {len(data)} bytes, shorter than nonce + tag (40)")
    return data, salt


def unwrap_v2(eth_sk: bytes, stored) -> bytes:
    """Signs the salt message, tries the 27/28 signature's key, then the 0/1 form's key."""
    data, salt = parse_v2(stored)
    sig = personal_sign(eth_sk, salt.encode("utf-8"))
    inner = None
    for candidate in (sig, signature_v01(sig)):
        try:
            inner = nacl.secret.SecretBox(storage_key(candidate)).decrypt(data)
            break
        except nacl.exceptions.CryptoError:
            continue
    if inner is None:
        raise AuthenticationFailure("wrapped v2 key does not open with this wallet's signature")
    obj = _parse_json_object(inner, "wrapped v2 inner")
    return b64d(_str_field(obj, "data", "wrapped v2 inner"), 32, "wrapped v2 private key")


_self_test()
