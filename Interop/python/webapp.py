"""Reference model of the NumerBay web app's client-side encryption formats.

Built only on independent implementations: PyNaCl (libsodium), eth-account / eth-keys
(secp256k1, EIP-191, EIP-55), eth-hash (Keccak-256) and pycryptodome (Salsa20, only to
derive the box key of an all-zero X25519 shared secret). It never uses nbkey's Swift code.
See docs/FORMATS.md for the formats. Other test scripts import it with
Interop/python on sys.path:

    import webapp
    sealed = webapp.seal(pk, b"hello")

All functions take and return bytes unless said otherwise. Errors are raised as subclasses of
`WebappError`; each carries `kind`, the `expect` value used in vectors/*.json:
"format", "authentication_failure", "invalid_public_key", "key_mismatch",
"unsupported_version", "invalid_key", and for the wallet sources and protected key files
"wrong_password", "wrong_passphrase", "unsupported", "kdf_limits".

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
    "WrongPassword", "WrongPassphrase", "Unsupported", "KdfLimits",
    "BIP39_WORD_COUNTS", "METAMASK_PATH", "bip39_words", "bip39_canonical", "bip39_entropy",
    "bip39_seed", "bip32_parse_path", "bip32_derive", "mnemonic_account",
    "KEYSTORE_MAX_MEMORY", "scrypt", "keystore_params", "keystore_derived_key",
    "keystore_decrypt", "keystore_encrypt",
    "PROTECTED_FORMAT", "protect", "protected_params", "unprotect",
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


class WrongPassword(WebappError):
    """Keystore V3: the MAC does not match (wrong password, or a tampered mac/ciphertext)."""
    kind = "wrong_password"


class WrongPassphrase(WebappError):
    """Protected key file: the secretbox does not open (wrong passphrase, or tampered data)."""
    kind = "wrong_passphrase"


class Unsupported(WebappError):
    """Keystore V3: a cipher, kdf, prf or dklen nbkey does not implement."""
    kind = "unsupported"


class KdfLimits(WebappError):
    """KDF parameters refused before running the KDF (absurd memory or time, or invalid)."""
    kind = "kdf_limits"


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


# ---------------------------------------------------------------- wallet sources (issue 5)
#
# Models of the other ways nbkey gets the wallet's key, built on independent implementations:
# the `mnemonic` package (Trezor's BIP-39 reference code) and hashlib for BIP-39, eth-account
# and eth-keys for BIP-32/BIP-44, hashlib / pycryptodome / eth-hash for keystore V3 files, and
# PyNaCl (libsodium) for passphrase-protected NumerBay key files.

BIP39_WORD_COUNTS = (12, 15, 18, 21, 24)
METAMASK_PATH = "m/44'/60'/0'/0/0"
_BIP32_HARDENED = 0x80000000
_BIP32_PATH_RE = re.compile(r"\Am(?:/(?:0|[1-9][0-9]*)'?)*\Z")


# Unicode's White_Space property, and what MetaMask's `\w+` leaves between words among ASCII.
_WHITE_SPACE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {chr(c) for c in range(0x2000, 0x200B)}
_ASCII_PUNCTUATION = {chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum() and chr(c) != "_"}


def bip39_words(mnemonic: str) -> list[str]:
    """nbkey's reading of a mnemonic, as MetaMask's import reads one (parseSecretRecoveryPhrase:
    lower case, then the runs of `\\w`): NFKD, ASCII letters in lower case, words separated by any
    run of white space or ASCII punctuation (leading, trailing and repeated spaces, tabs,
    newlines, U+3000 IDEOGRAPHIC SPACE, which NFKD turns into U+0020, commas, quotes). Other
    characters stay in their word, so a French word is one word that is not in the list."""
    import unicodedata

    words, word = [], ""
    for ch in unicodedata.normalize("NFKD", mnemonic):
        if ch in _WHITE_SPACE or ch in _ASCII_PUNCTUATION:
            if word:
                words.append(word)
            word = ""
        else:
            word += ch.lower() if "A" <= ch <= "Z" else ch
    return words + [word] if word else words


def bip39_canonical(mnemonic: str) -> str:
    """The words joined by single U+0020 spaces: the string PBKDF2 runs over."""
    return " ".join(bip39_words(mnemonic))


def bip39_entropy(mnemonic: str) -> bytes:
    """Checks a mnemonic against the English list and its checksum; returns the entropy.

    FormatError for: a word count other than 12/15/18/21/24 (incl. empty), a word not in the
    list (the error's `bad_word` names the first one, in lower case; words must be whole list
    entries, prefixes are not expanded), or a checksum that does not match."""
    from mnemonic import Mnemonic

    words = bip39_words(mnemonic)
    if len(words) not in BIP39_WORD_COUNTS:
        raise FormatError(f"mnemonic has {len(words)} words, expected 12, 15, 18, 21 or 24")
    m = Mnemonic("english")
    for w in words:
        if w not in m.wordlist:
            err = FormatError(f"mnemonic: {w!r} is not a BIP-39 English word")
            err.bad_word = w
            raise err
    try:
        return bytes(m.to_entropy(words))
    except ValueError as e:  # "Failed checksum."
        raise FormatError(f"mnemonic checksum does not match ({e})") from None


def bip39_seed(mnemonic: str, passphrase: str = "") -> bytes:
    """BIP-39 seed: PBKDF2-HMAC-SHA512(NFKD(words joined by spaces), "mnemonic" + NFKD(passphrase),
    2048, 64) with hashlib, after the checks of bip39_entropy; cross-checked against the
    `mnemonic` package's Mnemonic.to_seed of the canonical form."""
    import hashlib
    import unicodedata

    from mnemonic import Mnemonic

    bip39_entropy(mnemonic)
    canonical = bip39_canonical(mnemonic)
    salt = ("mnemonic" + unicodedata.normalize("NFKD", passphrase)).encode("utf-8")
    seed = hashlib.pbkdf2_hmac("sha512", canonical.encode("utf-8"), salt, 2048, 64)
    assert seed == Mnemonic.to_seed(canonical, passphrase)
    return seed


def bip32_parse_path(path: str) -> list[int]:
    """m/a/b'/... -> child indices (hardened ones with bit 31 set). Each index < 2^31."""
    if not _BIP32_PATH_RE.match(path):
        raise FormatError(f"derivation path {path!r} is not m/N/N'/...")
    out = []
    for part in path.split("/")[1:]:
        hardened = part.endswith("'")
        n = int(part.rstrip("'"))
        if n >= _BIP32_HARDENED:
            raise FormatError(f"derivation path index {n} is not below 2^31")
        out.append(n | (_BIP32_HARDENED if hardened else 0))
    return out


def bip32_derive(seed: bytes, path: str) -> bytes:
    """BIP-32 private key derivation with hmac/hashlib and eth-keys (compressed public keys),
    written from the BIP-32 text as a second opinion on eth-account's HD wallet."""
    import hashlib
    import hmac

    i_ = hmac.new(b"Bitcoin seed", bytes(seed), hashlib.sha512).digest()
    k, chain = int.from_bytes(i_[:32], "big"), i_[32:]
    assert 0 < k < SECP256K1_N
    for index in bip32_parse_path(path):
        kb = k.to_bytes(32, "big")
        if index & _BIP32_HARDENED:
            data = b"\x00" + kb + index.to_bytes(4, "big")
        else:
            data = _eth_keys.PrivateKey(kb).public_key.to_compressed_bytes() + index.to_bytes(4, "big")
        i_ = hmac.new(chain, data, hashlib.sha512).digest()
        il = int.from_bytes(i_[:32], "big")
        k = (il + k) % SECP256K1_N
        assert il < SECP256K1_N and k != 0  # probability ~2^-127; BIP-32 says skip the index
        chain = i_[32:]
    return k.to_bytes(32, "big")


def mnemonic_account(mnemonic: str, passphrase: str = "", path: str = METAMASK_PATH) -> tuple[bytes, str]:
    """(Ethereum private key, EIP-55 address) of a mnemonic account: the checks of bip39_entropy,
    then eth-account's Account.from_mnemonic on the canonical form, cross-checked with
    bip32_derive over bip39_seed."""
    bip39_entropy(mnemonic)
    canonical = bip39_canonical(mnemonic)
    bip32_parse_path(path)
    Account.enable_unaudited_hdwallet_features()
    acct = Account.from_mnemonic(canonical, passphrase=passphrase, account_path=path)
    key = bytes(acct.key)
    assert key == bip32_derive(bip39_seed(mnemonic, passphrase), path), "eth-account and BIP-32 model differ"
    return key, acct.address


# ---------------------------------------------------------------- keystore V3 (FORMATS.md 8)

KEYSTORE_MAX_MEMORY = 2 ** 31  # bytes: scrypt needs 128·r·(n + p)
KEYSTORE_MAX_WORK = 2 ** 24  # scrypt n·r·p and pbkdf2 c: 8 and 64 times geth's/eth-account's defaults


def _hex_field(obj: dict, name: str, what: str, length: int | None = None) -> bytes:
    s = _str_field(obj, name, what)
    if not re.fullmatch(r"(?:[0-9a-fA-F]{2})*", s):
        raise FormatError(f"{what}: {name} is not hex")
    raw = bytes.fromhex(s)
    if length is not None and len(raw) != length:
        raise FormatError(f"{what}: {name} is {len(raw)} bytes, expected {length}")
    return raw


def _int_field(obj: dict, name: str, what: str) -> int:
    if name not in obj:
        raise FormatError(f"{what}: missing field {name!r}")
    v = obj[name]
    if type(v) is not int:
        raise FormatError(f"{what}: {name} is not an integer")
    return v


def _dict_field(obj: dict, name: str, what: str) -> dict:
    if name not in obj:
        raise FormatError(f"{what}: missing field {name!r}")
    if not isinstance(obj[name], dict):
        raise FormatError(f"{what}: {name} is not an object")
    return obj[name]


def scrypt(password: bytes, salt: bytes, n: int, r: int, p: int, dklen: int = 32) -> bytes:
    """scrypt with OpenSSL (hashlib); pycryptodome where OpenSSL refuses n >= 2^(16·r) (the
    published keystore vector's n = 2^18, r = 1)."""
    import hashlib

    if n < (1 << (16 * r)):
        return hashlib.scrypt(bytes(password), salt=bytes(salt), n=n, r=r, p=p, dklen=dklen,
                              maxmem=128 * r * (n + p) + (1 << 20))
    from Crypto.Protocol.KDF import scrypt as _cryptodome_scrypt

    return _cryptodome_scrypt(bytes(password), bytes(salt), dklen, N=n, r=r, p=p)


def keystore_params(text) -> tuple[dict, dict]:
    """Structure and parameter checks of a keystore V3 file (no KDF run). Returns (crypto,
    kdfparams). Kinds: format (not a JSON object, version not the integer 3, no crypto/Crypto,
    a missing or mistyped field, bad hex, iv not 16 bytes, mac not 32 bytes); unsupported
    (cipher other than aes-128-ctr, kdf other than scrypt/pbkdf2, pbkdf2 prf other than
    hmac-sha256, dklen other than 32); kdf_limits (scrypt n not a power of two >= 2, r or p < 1,
    128·r·(n + p) > 2 GiB, r·p >= 2^30, n·r·p > 2^24; pbkdf2 c < 1 or c > 2^24)."""
    what = "keystore"
    obj = _parse_json_object(text, what)
    if "version" not in obj or type(obj["version"]) is not int or obj["version"] != 3:
        raise FormatError(f"{what}: version is not 3")
    if isinstance(obj.get("crypto"), dict):
        crypto = obj["crypto"]
    elif isinstance(obj.get("Crypto"), dict):
        crypto = obj["Crypto"]
    else:
        raise FormatError(f"{what}: no crypto object")
    cipher = _str_field(crypto, "cipher", what)
    if cipher != "aes-128-ctr":
        raise Unsupported(f"{what}: cipher {cipher!r} is not supported")
    _hex_field(_dict_field(crypto, "cipherparams", what), "iv", what, 16)
    _hex_field(crypto, "ciphertext", what)
    _hex_field(crypto, "mac", what, 32)
    kdf = _str_field(crypto, "kdf", what)
    if kdf not in ("scrypt", "pbkdf2"):
        raise Unsupported(f"{what}: kdf {kdf!r} is not supported")
    params = _dict_field(crypto, "kdfparams", what)
    _hex_field(params, "salt", what)
    if _int_field(params, "dklen", what) != 32:
        raise Unsupported(f"{what}: dklen {params['dklen']} is not supported (only 32)")
    if kdf == "scrypt":
        n, r, p = (_int_field(params, k, what) for k in ("n", "r", "p"))
        if n < 2 or n & (n - 1):
            raise KdfLimits(f"{what}: scrypt n = {n} is not a power of two >= 2")
        if r < 1 or p < 1 or r * p >= 1 << 30:
            raise KdfLimits(f"{what}: scrypt r = {r}, p = {p} out of range")
        if 128 * r * (n + p) > KEYSTORE_MAX_MEMORY:
            raise KdfLimits(f"{what}: scrypt would need {128 * r * (n + p)} bytes of memory (limit 2 GiB)")
        if n * r * p > KEYSTORE_MAX_WORK:
            raise KdfLimits(f"{what}: scrypt work n·r·p = {n * r * p} is above 2^24")
    else:
        if _str_field(params, "prf", what) != "hmac-sha256":
            raise Unsupported(f"{what}: pbkdf2 prf {params['prf']!r} is not supported")
        if not 1 <= _int_field(params, "c", what) <= KEYSTORE_MAX_WORK:
            raise KdfLimits(f"{what}: pbkdf2 c = {params['c']} is outside 1 to 2^24")
    return crypto, params


def keystore_derived_key(crypto: dict, params: dict, password: str) -> bytes:
    import hashlib

    pw = _utf8(password)  # raw UTF-8, not normalised
    salt = bytes.fromhex(params["salt"])
    if crypto["kdf"] == "scrypt":
        return scrypt(pw, salt, params["n"], params["r"], params["p"], 32)
    return hashlib.pbkdf2_hmac("sha256", pw, salt, params["c"], 32)


def keystore_decrypt(text, password: str) -> bytes:
    """Keystore V3 -> the 32-byte Ethereum private key. Checks as keystore_params, then the KDF,
    the MAC (keccak256(dk[16:32] || ciphertext), before decrypting; WrongPassword when it
    differs: a wrong password and a tampered mac or ciphertext look the same), AES-128-CTR
    (pycryptodome) with dk[0:16] and the iv as the initial 128-bit big-endian counter; the
    plaintext must be 32 bytes (format) and a valid secp256k1 key (invalid_key)."""
    import hmac

    from Crypto.Cipher import AES

    crypto, params = keystore_params(text)
    dk = keystore_derived_key(crypto, params, password)
    ct = bytes.fromhex(crypto["ciphertext"])
    if not hmac.compare_digest(keccak256(dk[16:32] + ct), bytes.fromhex(crypto["mac"])):
        raise WrongPassword("keystore MAC does not match: wrong password (or a damaged file)")
    iv = bytes.fromhex(crypto["cipherparams"]["iv"])
    key = AES.new(dk[:16], AES.MODE_CTR, nonce=b"", initial_value=iv).decrypt(ct)
    if len(key) != 32:
        raise FormatError(f"keystore: the private key is {len(key)} bytes, expected 32")
    return check_eth_private_key(key)


def keystore_encrypt(eth_sk: bytes, password: str, *, kdf: str, salt: bytes, iv: bytes, uid: str,
                     n: int = 0, r: int = 0, p: int = 0, c: int = 0, address: bool = True) -> dict:
    """A keystore V3 object with given salt/iv/id (deterministic), in eth-account's field order;
    the generators check it against eth-account's own Account.encrypt/decrypt."""
    import hashlib

    from Crypto.Cipher import AES

    pw = _utf8(password)
    if kdf == "scrypt":
        dk = scrypt(pw, salt, n, r, p, 32)
        params = {"dklen": 32, "n": n, "r": r, "p": p, "salt": bytes(salt).hex()}
    else:
        dk = hashlib.pbkdf2_hmac("sha256", pw, bytes(salt), c, 32)
        params = {"c": c, "dklen": 32, "prf": "hmac-sha256", "salt": bytes(salt).hex()}
    ct = AES.new(dk[:16], AES.MODE_CTR, nonce=b"", initial_value=bytes(iv)).encrypt(bytes(eth_sk))
    obj = {}
    if address:
        obj["address"] = Account.from_key(bytes(eth_sk)).address[2:].lower()
    obj["crypto"] = {"cipher": "aes-128-ctr", "cipherparams": {"iv": bytes(iv).hex()},
                     "ciphertext": ct.hex(), "kdf": kdf, "kdfparams": params,
                     "mac": keccak256(dk[16:32] + ct).hex()}
    obj["id"] = uid
    obj["version"] = 3
    return obj


# ---------------------------------------------------------------- protected key file (docs/CLI.md)

PROTECTED_FORMAT = "nbkey-protected-key/1"
PROTECTED_OPSLIMIT = (1, 16)
PROTECTED_MEMLIMIT = (8192, 1 << 30)


def _argon2id_key(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    import nacl.pwhash

    return nacl.pwhash.argon2id.kdf(32, _utf8(passphrase), bytes(salt), opslimit=opslimit, memlimit=memlimit)


def protect(keyfile_text: str, passphrase: str, salt: bytes, nonce: bytes, opslimit: int = 3,
            memlimit: int = 67108864) -> str:
    """nbkey's protected key file: the key file is checked (keyfile_load), then sealed with
    crypto_secretbox under crypto_pwhash Argon2id13(passphrase as raw UTF-8, salt, opslimit,
    memlimit). The output is the byte-exact JSON of docs/CLI.md (no whitespace, no newline)."""
    if len(salt) != 16 or len(nonce) != 24:
        raise FormatError("salt must be 16 bytes and nonce 24 bytes")
    pk, _ = keyfile_load(keyfile_text)
    key = _argon2id_key(passphrase, salt, opslimit, memlimit)
    ct = nacl.secret.SecretBox(key).encrypt(_utf8(keyfile_text), bytes(nonce)).ciphertext
    return js_stringify({"format": PROTECTED_FORMAT, "public_key": b64e(pk), "kdf": "argon2id",
                         "opslimit": opslimit, "memlimit": memlimit, "salt": b64e(bytes(salt)),
                         "nonce": b64e(bytes(nonce)), "ciphertext": b64e(ct)})


def protected_params(text) -> dict:
    """Structure checks of a protected key file (no KDF run). format: not a JSON object, format
    string not nbkey-protected-key/1, kdf not argon2id, a field missing or mistyped, strict
    base64 of the wrong length (public_key 32, salt 16, nonce 24, ciphertext >= 16 bytes);
    kdf_limits: opslimit outside 1..16 or memlimit outside 8192..1 GiB."""
    what = "protected key file"
    obj = _parse_json_object(text, what)
    if _str_field(obj, "format", what) != PROTECTED_FORMAT:
        raise FormatError(f"{what}: format {obj['format']!r} is not {PROTECTED_FORMAT}")
    if _str_field(obj, "kdf", what) != "argon2id":
        raise FormatError(f"{what}: kdf {obj['kdf']!r} is not argon2id")
    ops, mem = _int_field(obj, "opslimit", what), _int_field(obj, "memlimit", what)
    out = {"public_key": b64d(_str_field(obj, "public_key", what), 32, "public_key"),
           "salt": b64d(_str_field(obj, "salt", what), 16, "salt"),
           "nonce": b64d(_str_field(obj, "nonce", what), 24, "nonce"),
           "ciphertext": b64d(_str_field(obj, "ciphertext", what), None, "ciphertext"),
           "opslimit": ops, "memlimit": mem}
    if len(out["ciphertext"]) < 16:
        raise FormatError(f"{what}: ciphertext shorter than the 16-byte tag")
    if not (PROTECTED_OPSLIMIT[0] <= ops <= PROTECTED_OPSLIMIT[1]
            and PROTECTED_MEMLIMIT[0] <= mem <= PROTECTED_MEMLIMIT[1]):
        raise KdfLimits(f"{what}: opslimit {ops} / memlimit {mem} outside 1..16 / 8192..1 GiB")
    return out


def unprotect(text, passphrase: str) -> str:
    """The inner key file text of a protected key file. WrongPassphrase when the secretbox does
    not open (wrong passphrase or tampered data); the inner text must be a key file (format,
    key_mismatch) whose public key is the outer public_key (key_mismatch)."""
    f = protected_params(text)
    key = _argon2id_key(passphrase, f["salt"], f["opslimit"], f["memlimit"])
    try:
        inner = nacl.secret.SecretBox(key).decrypt(f["ciphertext"], f["nonce"])
    except nacl.exceptions.CryptoError:
        raise WrongPassphrase("protected key file does not open: wrong passphrase (or a damaged file)") from None
    pk, _ = keyfile_load(inner)
    if pk != f["public_key"]:
        raise KeyMismatch("protected key file: public_key is not the inner key file's")
    return inner.decode("utf-8")


_self_test()
