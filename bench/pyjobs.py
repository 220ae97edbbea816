"""The Python side of the benchmark: each job runs in a fresh interpreter (bench.py starts it under
/usr/bin/time -v), imports what it needs, then times only the work a user's code would do and
prints `call_seconds S` on stderr (the numerbay jobs then fsync their output and print
`call_fsync_seconds S` too, the same job made as durable as nbkey's). The process's own wall time (interpreter start + imports + work)
is measured from outside by bench.py.

Jobs (all paths are files; keys as the real tools take them):
  numerbay-decrypt KEY_JSON FILE          numerbay.utils.decrypt_file(FILE, key_path=KEY_JSON) (in place)
  numerbay-encrypt PUBKEY_B64 IN OUT      numerbay.utils.encrypt_file_object(open(IN,'rb'), PUBKEY_B64) -> OUT
  pynacl-decrypt SK_HEX_FILE IN OUT       SealedBox(sk).decrypt(open(IN).read()) -> OUT
  pynacl-encrypt PK_HEX_FILE IN OUT       SealedBox(pk).encrypt(open(IN).read()) -> OUT
  keystore-address KEYSTORE PASSWORD_FILE eth_account.Account.decrypt(json, pw) -> address on stdout
  unwrap-v2 WALLET_HEX_FILE STORED OUT    eth-account personal_sign of the salt message, keccak256,
                                          PyNaCl SecretBox open -> key file OUT (FORMATS.md 7, 2)
"""

import sys
import time


def done(t0: float) -> None:
    print(f"call_seconds {time.perf_counter() - t0:.6f}", file=sys.stderr)


def synced(t0: float, path: str) -> None:
    """After done(): fsync the output, for the time of the same job made as durable as nbkey's."""
    import os
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    print(f"call_fsync_seconds {time.perf_counter() - t0:.6f}", file=sys.stderr)


def main() -> int:
    job, args = sys.argv[1], sys.argv[2:]
    if job == "numerbay-decrypt":
        import numerbay.utils
        key_path, path = args
        t0 = time.perf_counter()
        numerbay.utils.decrypt_file(path, key_path=key_path)
        done(t0)
        synced(t0, path)
    elif job == "numerbay-encrypt":
        import numerbay.utils
        pk_b64, src, dst = args
        t0 = time.perf_counter()
        with open(src, "rb") as f:
            sealed = numerbay.utils.encrypt_file_object(f, pk_b64)
        with open(dst, "wb") as out:
            out.write(sealed.getvalue())  # no copy: the BytesIO shares its bytes
        done(t0)
        synced(t0, dst)
    elif job in ("pynacl-decrypt", "pynacl-encrypt"):
        from nacl.public import PrivateKey, PublicKey, SealedBox
        key_file, src, dst = args
        with open(key_file, encoding="ascii") as f:
            key = bytes.fromhex(f.read().strip())
        t0 = time.perf_counter()
        box = SealedBox(PrivateKey(key) if job == "pynacl-decrypt" else PublicKey(key))
        with open(src, "rb") as f:
            data = f.read()
        result = box.decrypt(data) if job == "pynacl-decrypt" else box.encrypt(data)
        with open(dst, "wb") as out:
            out.write(result)
        done(t0)
    elif job == "keystore-address":
        import json
        from eth_account import Account
        keystore, pw_file = args
        t0 = time.perf_counter()
        with open(keystore, encoding="utf-8") as f:
            doc = json.load(f)
        with open(pw_file, "rb") as f:
            pw = f.read().rstrip()
        key = Account.decrypt(doc, pw.decode("utf-8"))
        address = Account.from_key(key).address
        done(t0)
        print(address)
    elif job == "unwrap-v2":
        import base64
        import json
        import os
        import nacl.public
        import nacl.secret
        from eth_account import Account
        from eth_account.messages import encode_defunct
        from eth_hash.auto import keccak
        wallet_file, stored_file, dst = args
        t0 = time.perf_counter()
        with open(wallet_file, encoding="utf-8") as f:
            wallet = bytes.fromhex(f.read().strip().removeprefix("0x"))
        with open(stored_file, encoding="utf-8") as f:
            stored = json.loads(f.read())
        sig = bytes(Account.sign_message(encode_defunct(text=stored["salt"]), wallet).signature)
        inner = nacl.secret.SecretBox(keccak(sig)).decrypt(base64.b64decode(stored["data"], validate=True))
        sk = base64.b64decode(json.loads(inner)["data"], validate=True)
        pk = bytes(nacl.public.PrivateKey(sk).public_key)
        text = json.dumps({"public_key": base64.b64encode(pk).decode(), "private_key": base64.b64encode(sk).decode()},
                          separators=(",", ":"))
        fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        done(t0)
    else:
        print(f"unknown job {job}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
