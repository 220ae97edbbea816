"""vectors/keystore_v3.json: keystore V3 (Web3 Secret Storage) files (FORMATS.md 8, docs/CLI.md
`--keystore`).

Positives are made by eth-account's own Account.encrypt (its random salt, iv and uuid drawn from
this generator's seeded random instead, so the file is reproducible), by the reference model
webapp.keystore_encrypt (hashlib/pycryptodome/eth-hash) for parameters Account.encrypt cannot
choose (scrypt r=1 p=8, `Crypto`, uppercase hex), and the two published Web3 Secret Storage
test vectors. Every positive is decrypted by eth-account (Account.decrypt) and by the model.
Negatives are classified by the model; those that eth-account also refuses are checked there."""

import json
import uuid
from unittest import mock

import eth_keyfile.keyfile
from eth_account import Account

from _common import webapp, rng, implementation, eth_key, expect_error, write

NAME = "keystore_v3"
r = rng(NAME)
cases = []


def eth_account_encrypt(key: bytes, password: str, kdf: str, iterations: int) -> dict:
    """Account.encrypt with its randomness (salt, iv, uuid4) drawn from r."""
    with mock.patch.object(eth_keyfile.keyfile.Random, "get_random_bytes", lambda n: r.randbytes(n)), \
         mock.patch.object(eth_keyfile.keyfile, "uuid4", lambda: uuid.UUID(bytes=r.randbytes(16), version=4)):
        return Account.encrypt(key, password, kdf=kdf, iterations=iterations)


def model(key, password, kdf, **kw):
    return webapp.keystore_encrypt(key, password, kdf=kdf, salt=r.randbytes(32), iv=r.randbytes(16),
                                   uid=str(uuid.UUID(bytes=r.randbytes(16), version=4)), **kw)


def ok(id_, comment, text, password, key):
    cases.append({"id": id_, "comment": comment, "expect": "ok", "keystore": text, "password": password,
                  "eth_private_key": key.hex(), "address": webapp.address(key)})


def bad(id_, comment, expect, text, password):
    cases.append({"id": id_, "comment": comment, "expect": expect, "keystore": text, "password": password})


# ---------------------------------------------------------------- positives
PW = "correct horse battery staple"
K1 = eth_key(r)
ks_scrypt_1024 = eth_account_encrypt(K1, PW, "scrypt", 1 << 10)
ok("eth-account-scrypt-n1024", "eth-account Account.encrypt, scrypt n=2^10 r=8 p=1, json.dumps form",
   json.dumps(ks_scrypt_1024), PW, K1)
K2 = eth_key(r)
ok("eth-account-scrypt-n4096", "eth-account Account.encrypt, scrypt n=2^12 r=8 p=1, indent=4 and a trailing newline",
   json.dumps(eth_account_encrypt(K2, PW, "scrypt", 1 << 12), indent=4) + "\n", PW, K2)
K3 = eth_key(r)
ok("scrypt-n4096-r1-p8", "scrypt n=2^12 r=1 p=8 (the published vector's r and p, small n)",
   json.dumps(model(K3, PW, "scrypt", n=1 << 12, r=1, p=8)), PW, K3)
K4 = eth_key(r)
ks_pbkdf2_1 = eth_account_encrypt(K4, PW, "pbkdf2", 1)
ok("eth-account-pbkdf2-c1", "eth-account Account.encrypt, pbkdf2 c=1", json.dumps(ks_pbkdf2_1), PW, K4)
K5 = eth_key(r)
ok("eth-account-pbkdf2-c1000", "eth-account Account.encrypt, pbkdf2 c=1000",
   json.dumps(eth_account_encrypt(K5, PW, "pbkdf2", 1000)), PW, K5)
K6 = eth_key(r)
ok("eth-account-pbkdf2-c262144", "eth-account Account.encrypt, pbkdf2 c=262144 (eth-account's real default)",
   json.dumps(eth_account_encrypt(K6, PW, "pbkdf2", 262144)), PW, K6)

# The Web3 Secret Storage Definition's test vectors (ethereum/wiki Web3-Secret-Storage-Definition.md,
# "Test Vectors"; the pbkdf2 one is also on ethereum.org's web3-secret-storage page): password
# "testpassword", secret 7a28b5ba..., address 008aeeda.... Exact file text as published.
SECRET = bytes.fromhex("7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d")
PUB_PBKDF2 = """{
    "crypto" : {
        "cipher" : "aes-128-ctr",
        "cipherparams" : {
            "iv" : "6087dab2f9fdbbfaddc31a909735c1e6"
        },
        "ciphertext" : "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
        "kdf" : "pbkdf2",
        "kdfparams" : {
            "c" : 262144,
            "dklen" : 32,
            "prf" : "hmac-sha256",
            "salt" : "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"
        },
        "mac" : "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"
    },
    "id" : "3198bc9c-6672-5ab3-d995-4942343ae5b6",
    "version" : 3
}"""
PUB_SCRYPT = """{
    "crypto" : {
        "cipher" : "aes-128-ctr",
        "cipherparams" : {
            "iv" : "83dbcc02d8ccb40e466191a123791e0e"
        },
        "ciphertext" : "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
        "kdf" : "scrypt",
        "kdfparams" : {
            "dklen" : 32,
            "n" : 262144,
            "r" : 1,
            "p" : 8,
            "salt" : "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"
        },
        "mac" : "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"
    },
    "id" : "3198bc9c-6672-5ab3-d995-4942343ae5b6",
    "version" : 3
}"""
ok("web3-secret-storage-pbkdf2", "published Web3 Secret Storage test vector, PBKDF2-SHA-256 c=262144, password "
   "testpassword (ethereum/wiki Web3-Secret-Storage-Definition.md)", PUB_PBKDF2, "testpassword", SECRET)
ok("web3-secret-storage-scrypt", "published Web3 Secret Storage test vector, scrypt n=2^18 r=1 p=8 (n >= 2^(16r): "
   "OpenSSL refuses, libsodium's _ll and pycryptodome compute it), password testpassword (ethereum/wiki)",
   PUB_SCRYPT, "testpassword", SECRET)
assert webapp.address(SECRET).lower() == "0x008aeeda4d805471df9b2a5b0f38a0c3bcba786b"
# Published intermediates: derived keys f06d69cd... (pbkdf2) and fac192ce... (scrypt).
for text, dk in ((PUB_PBKDF2, "f06d69cdc7da0faffb1008270bca38f5e31891a3a773950e6d0fea48a7188551"),
                 (PUB_SCRYPT, "fac192ceb5fd772906bea3e118a69e8bbb5cc24229e20d8766fd298291bba6bd")):
    crypto, params = webapp.keystore_params(text)
    assert webapp.keystore_derived_key(crypto, params, "testpassword").hex() == dk

# geth / MyEtherWallet style: `Crypto` capitalised, uppercase hex, address first, compact JSON.
K7 = eth_key(r)
o = model(K7, PW, "scrypt", n=1 << 10, r=8, p=1)
c = o.pop("crypto")
up = {"cipher": c["cipher"], "ciphertext": c["ciphertext"].upper(),
      "cipherparams": {"iv": c["cipherparams"]["iv"].upper()}, "kdf": "scrypt",
      "kdfparams": dict(c["kdfparams"], salt=c["kdfparams"]["salt"].upper()), "mac": c["mac"].upper()}
mew = {"version": 3, "id": o["id"], "address": o["address"], "Crypto": up}
ok("capitalised-crypto-uppercase-hex", "MyEtherWallet-style: 'Crypto' capitalised, all hex uppercase, version "
   "first, compact JSON", json.dumps(mew, separators=(",", ":")), PW, K7)
K8 = eth_key(r)
o = model(K8, PW, "pbkdf2", c=16)
geth = {"address": o["address"], "crypto": o["crypto"], "id": o["id"], "version": 3}
ok("geth-compact", "geth-style compact JSON (address, crypto, id, version), pbkdf2 c=16", json.dumps(geth, separators=(",", ":")), PW, K8)
K9 = eth_key(r)
o = model(K9, PW, "scrypt", n=1 << 10, r=8, p=1)
o["x-ethers"] = {"client": "ethers.js", "gethFilename": "UTC--2020-01-01T00-00-00.0Z--" + o["address"],
                 "mnemonicCounter": r.randbytes(16).hex(), "version": "0.1"}
ok("extra-fields-ignored", "ethers-style file with an extra 'x-ethers' object: unknown fields are ignored",
   json.dumps(o), PW, K9)
K10 = bytes(1) + eth_key(r)[1:]
ok("key-leading-zero-byte", "private key whose first byte is 0 (no trimming of the 32 bytes)",
   json.dumps(eth_account_encrypt(K10, PW, "scrypt", 1 << 10)), PW, K10)
UNI = "caf" + "e\u0301" + " \u2615 ключ"   # é decomposed
K11 = eth_key(r)
ks_uni = eth_account_encrypt(K11, UNI, "scrypt", 1 << 10)
ok("unicode-password-decomposed", "password 'café ☕ ключ' with é decomposed (e + U+0301): the raw UTF-8 bytes, "
   "not normalised", json.dumps(ks_uni, ensure_ascii=False), UNI, K11)
K12 = eth_key(r)
ok("empty-password", "empty password (eth-account allows it)", json.dumps(eth_account_encrypt(K12, "", "pbkdf2", 8)), "", K12)
K13 = eth_key(r)
ok("no-address-field", "no address field (the Web3 Secret Storage definition has none), scrypt n=2^10 r=8 p=1",
   json.dumps(model(K13, PW, "scrypt", n=1 << 10, r=8, p=1, address=False)), PW, K13)

# ---------------------------------------------------------------- negatives
base = json.dumps(ks_scrypt_1024)


def variant(src: dict, fn) -> str:
    o = json.loads(json.dumps(src))
    fn(o)
    return json.dumps(o)


bad("wrong-password", "eth-account-scrypt-n1024 with another password", "wrong_password", base, "correct horse battery stapler")
bad("wrong-password-case", "eth-account-pbkdf2-c1 with the password's first letter uppercase", "wrong_password",
    json.dumps(ks_pbkdf2_1), "Correct horse battery staple")
bad("wrong-password-trailing-newline", "eth-account-pbkdf2-c1 with the password plus '\\n' (the library does not "
    "trim; only the CLI's password file is trimmed)", "wrong_password", json.dumps(ks_pbkdf2_1), PW + "\n")
bad("unicode-password-composed", "unicode-password-decomposed opened with é composed (U+00E9): passwords are not "
    "normalised, so this is another password", "wrong_password", json.dumps(ks_uni, ensure_ascii=False),
    "caf\u00e9 \u2615 ключ")
bad("published-pbkdf2-wrong-password", "the published pbkdf2 vector with password 'testpassworD'", "wrong_password",
    PUB_PBKDF2, "testpassworD")


def flip_hex(s, i):
    return s[:i] + ("0" if s[i] != "0" else "1") + s[i + 1:]


bad("tampered-mac", "one hex digit of mac changed: the MAC check fails as for a wrong password", "wrong_password",
    variant(ks_scrypt_1024, lambda o: o["crypto"].update(mac=flip_hex(o["crypto"]["mac"], 10))), PW)
bad("tampered-ciphertext", "one hex digit of ciphertext changed: MAC fails, reported as wrong password",
    "wrong_password", variant(ks_scrypt_1024, lambda o: o["crypto"].update(ciphertext=flip_hex(o["crypto"]["ciphertext"], 63))), PW)
bad("tampered-salt", "one hex digit of the salt changed: another derived key, MAC fails", "wrong_password",
    variant(ks_scrypt_1024, lambda o: o["crypto"]["kdfparams"].update(salt=flip_hex(o["crypto"]["kdfparams"]["salt"], 0))), PW)

bad("kdf-argon2", "kdf 'argon2' (not in the definition)", "unsupported",
    variant(ks_scrypt_1024, lambda o: o["crypto"].update(kdf="argon2")), PW)
bad("cipher-aes-128-cbc", "cipher 'aes-128-cbc' (the version 1/2 cipher)", "unsupported",
    variant(ks_scrypt_1024, lambda o: o["crypto"].update(cipher="aes-128-cbc")), PW)
bad("pbkdf2-prf-hmac-sha512", "pbkdf2 with prf 'hmac-sha512'", "unsupported",
    variant(ks_pbkdf2_1, lambda o: o["crypto"]["kdfparams"].update(prf="hmac-sha512")), PW)
bad("dklen-64", "dklen 64: only 32 is read (what every writer uses)", "unsupported",
    variant(ks_scrypt_1024, lambda o: o["crypto"]["kdfparams"].update(dklen=64)), PW)
bad("dklen-16", "dklen 16 (too short for the cipher key and the MAC key)", "unsupported",
    variant(ks_pbkdf2_1, lambda o: o["crypto"]["kdfparams"].update(dklen=16)), PW)

bad("missing-crypto", "no crypto object", "format", variant(ks_scrypt_1024, lambda o: o.pop("crypto")), PW)
bad("crypto-not-object", "crypto is a string", "format", variant(ks_scrypt_1024, lambda o: o.update(crypto="x")), PW)
bad("iv-bad-hex", "iv is not hex ('zz' + 30 hex digits)", "format",
    variant(ks_scrypt_1024, lambda o: o["crypto"]["cipherparams"].update(iv="zz" + o["crypto"]["cipherparams"]["iv"][2:])), PW)
bad("iv-15-bytes", "iv of 15 bytes", "format",
    variant(ks_scrypt_1024, lambda o: o["crypto"]["cipherparams"].update(iv=o["crypto"]["cipherparams"]["iv"][:30])), PW)
bad("iv-odd-length", "iv of 31 hex digits", "format",
    variant(ks_scrypt_1024, lambda o: o["crypto"]["cipherparams"].update(iv=o["crypto"]["cipherparams"]["iv"][:31])), PW)
bad("mac-31-bytes", "mac of 31 bytes", "format",
    variant(ks_scrypt_1024, lambda o: o["crypto"].update(mac=o["crypto"]["mac"][:62])), PW)
bad("missing-salt", "kdfparams without salt", "format",
    variant(ks_scrypt_1024, lambda o: o["crypto"]["kdfparams"].pop("salt")), PW)
bad("n-as-string", "scrypt n given as the string \"1024\"", "format",
    variant(ks_scrypt_1024, lambda o: o["crypto"]["kdfparams"].update(n="1024")), PW)
bad("version-2", "version 2", "format", variant(ks_scrypt_1024, lambda o: o.update(version=2)), PW)
bad("version-4", "version 4 (EIP-2335 keystores are another format)", "format",
    variant(ks_scrypt_1024, lambda o: o.update(version=4)), PW)
bad("version-string", "version \"3\" as a string", "format", variant(ks_scrypt_1024, lambda o: o.update(version="3")), PW)
bad("missing-version", "no version field", "format", variant(ks_scrypt_1024, lambda o: o.pop("version")), PW)
bad("not-json", "not JSON", "format", "this is not a keystore\n", PW)
bad("json-array", "a JSON array", "format", "[" + base + "]", PW)
# An authentic MAC over a 33-byte ciphertext: the MAC verifies, the plaintext is not 32 bytes.
K = eth_key(r)
o = model(K + b"\x01", PW, "pbkdf2", c=4, address=False)
bad("ciphertext-33-bytes", "authentic file (MAC verifies) whose ciphertext is 33 bytes: not a 32-byte key",
    "format", json.dumps(o), PW)

junk = {"mac": r.randbytes(32).hex(), "ciphertext": r.randbytes(32).hex()}


def limits(n=None, rr=None, p=None, c=None):
    def fn(o):
        o["crypto"].update(junk)
        if c is not None:
            o["crypto"]["kdfparams"]["c"] = c
        else:
            o["crypto"]["kdfparams"].update(n=n, r=rr, p=p)
    return variant(ks_pbkdf2_1 if c is not None else ks_scrypt_1024, fn)


bad("scrypt-n-not-power-of-two", "scrypt n = 1000 (not a power of two)", "kdf_limits", limits(1000, 8, 1), PW)
bad("scrypt-n-0", "scrypt n = 0", "kdf_limits", limits(0, 8, 1), PW)
bad("scrypt-n-1", "scrypt n = 1 (must be > 1)", "kdf_limits", limits(1, 8, 1), PW)
bad("scrypt-n-2-31", "scrypt n = 2^31, r = 8: 2 TiB of memory; refused before running", "kdf_limits",
    limits(1 << 31, 8, 1), PW)
bad("scrypt-memory-just-over-2gib", "scrypt n = 2^21, r = 8, p = 1: 128·r·(n + p) is just over 2 GiB", "kdf_limits",
    limits(1 << 21, 8, 1), PW)
bad("scrypt-r-huge", "scrypt n = 16, r = 2^24, p = 1: 128·r·(n + p) = 34 GiB", "kdf_limits", limits(16, 1 << 24, 1), PW)
bad("scrypt-p-huge", "scrypt n = 16, r = 1, p = 2^30: r·p >= 2^30 (RFC 7914) and 128 GiB for B", "kdf_limits",
    limits(16, 1, 1 << 30), PW)
bad("scrypt-r-0", "scrypt r = 0", "kdf_limits", limits(1024, 0, 1), PW)
bad("scrypt-p-0", "scrypt p = 0", "kdf_limits", limits(1024, 8, 0), PW)
bad("pbkdf2-c-0", "pbkdf2 c = 0", "kdf_limits", limits(c=0), PW)
# Issue 12: bounds computed without overflow, and the CPU cost bounded too (2^24, 8 times geth's
# n·r·p and 64 times eth-account's pbkdf2 c).
bad("scrypt-n-2-36-r-2-20", "scrypt n = 2^36, r = 2^20: 128·r·(n + p) overflows 64 bits; refused, not a trap",
    "kdf_limits", limits(1 << 36, 1 << 20, 1), PW)
bad("scrypt-work-2-37", "scrypt n = 16384, r = 8, p = 2^20: 1 GiB of memory but n·r·p = 2^37 (hours of work)",
    "kdf_limits", limits(16384, 8, 1 << 20), PW)
bad("scrypt-work-just-over-2-24", "scrypt n = 2^19, r = 8, p = 5: n·r·p just over 2^24", "kdf_limits",
    limits(1 << 19, 8, 5), PW)
bad("scrypt-n-2-64", "scrypt n = 2^64: does not fit in 64 bits", "kdf_limits", limits(1 << 64, 8, 1), PW)
bad("pbkdf2-c-over-2-24", "pbkdf2 c = 2^24 + 1", "kdf_limits", limits(c=(1 << 24) + 1), PW)
bad("pbkdf2-c-2-63", "pbkdf2 c = 2^63: does not fit in a signed 64-bit integer", "kdf_limits", limits(c=1 << 63), PW)

# ---------------------------------------------------------------- verification
for c in cases:
    text, pw = c["keystore"], c["password"]
    if c["expect"] == "ok":
        key = bytes.fromhex(c["eth_private_key"])
        assert webapp.keystore_decrypt(text, pw) == key, c["id"]
        assert bytes(Account.decrypt(json.loads(text), pw)) == key, c["id"]
        assert Account.from_key(key).address == c["address"]
    else:
        expect_error(c["expect"], webapp.keystore_decrypt, text, pw)
        if c["expect"] == "wrong_password":
            try:
                Account.decrypt(json.loads(text), pw)
                raise AssertionError(f"{c['id']}: eth-account opened it")
            except ValueError as e:
                assert "MAC mismatch" in str(e), (c["id"], e)

write(NAME, "Keystore V3 / Web3 Secret Storage file -> Ethereum private key (FORMATS.md 8): kdf scrypt or pbkdf2 "
      "(hmac-sha256), dklen 32, cipher aes-128-ctr with dk[0:16] and the 16-byte iv as the initial counter, "
      "mac = keccak256(dk[16:32] || ciphertext) checked before decrypting; password = raw UTF-8 bytes. "
      "`crypto` or `Crypto`; hex of either case; unknown fields ignored.",
      implementation("eth-account", "eth-keyfile", "pycryptodome", "eth-hash") + "; hashlib scrypt/pbkdf2", cases)
