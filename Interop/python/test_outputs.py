"""Where outputs go (issue 12): long names, devices and FIFOs, sizes near the largest file,
failures after the output was ready, key material to standard output.

Each case that writes a file runs with O_TMPFILE (the default on Linux) and with
NBKEY_TMPFILE=0, the named-temporary-file fallback nbkey uses where a file system refuses
O_TMPFILE."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import nacl.public
import pytest

import webapp
from conftest import b64, write_secret

MODES = {"o_tmpfile": {}, "named": {"NBKEY_TMPFILE": "0"}}
SECRET_ENV = ("NBKEY_MNEMONIC_PASSPHRASE", "NBKEY_PASSWORD", "NBKEY_PASSPHRASE", "NUMERBAY_KEY_PATH", "NBKEY_TMPFILE")


def run(nbkey, *args, env=None, input: bytes = b"", **kw) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    full.update(env or {})
    return subprocess.run([str(nbkey.path), *map(str, args)], input=input, capture_output=True, env=full,
                          timeout=120, **kw)


def ok(nbkey, *args, **kw) -> subprocess.CompletedProcess:
    r = run(nbkey, *args, **kw)
    assert r.returncode == 0, f"nbkey {args}: {r.returncode} {r.stderr!r}"
    return r


def failed(r: subprocess.CompletedProcess, *contains: str):
    assert r.returncode == 1, f"expected exit 1: {r.returncode} {r.stderr!r}"
    assert r.stdout == b""
    lines = r.stderr.decode().splitlines()
    assert lines and lines[0].startswith("error: ") and all(l.startswith("hint: ") for l in lines[1:]), r.stderr
    for c in contains:
        assert c in lines[0], r.stderr


def open_sealed(sk: bytes, data: bytes) -> bytes:
    return nacl.public.SealedBox(nacl.public.PrivateKey(sk)).decrypt(data)


@pytest.fixture
def pair(tmp_path):
    sk = os.urandom(32)
    pk = webapp.x25519_public_key(sk)
    key = write_secret(tmp_path / "k.json", webapp.keyfile_json(pk, sk))
    plain = tmp_path / "plain.bin"
    plain.write_bytes(os.urandom(100_000))
    sealed = tmp_path / "plain.sealed"
    sealed.write_bytes(webapp.seal(pk, plain.read_bytes()))
    return sk, pk, key, plain, sealed


# ------------------------------------------------------------------------------------------
# item 1: names of 232-255 bytes (the temporary name used to add 24 bytes to the destination's)
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("force", [False, True], ids=["new", "force"])
@pytest.mark.parametrize("length", [232, 255])
def test_long_output_names(nbkey, pair, tmp_path, mode, force, length):
    sk, pk, key, plain, sealed = pair
    env = MODES[mode]
    out = tmp_path / "out"
    out.mkdir()
    name = "n" * (length - 4) + ".bin"
    dest = out / name
    if force:
        dest.write_bytes(b"old")
    flag = ["--force"] if force else []
    ok(nbkey, "decrypt", "--key", key, sealed, "-o", dest, *flag, env=env)
    assert dest.read_bytes() == plain.read_bytes()
    ok(nbkey, "encrypt", "--to", b64(pk), plain, "-o", dest, "--force", env=env)
    assert open_sealed(sk, dest.read_bytes()) == plain.read_bytes()
    ok(nbkey, "keygen", "-o", out / ("k" * (length - 5) + ".json"), env=env)
    assert sorted(os.listdir(out)) == sorted([name, "k" * (length - 5) + ".json"])


@pytest.mark.parametrize("mode", MODES)
def test_long_names_several_recipients(nbkey, pair, tmp_path, mode):
    """A 232-byte input name makes 255-byte output names (NAME.to-HEX12.sealed)."""
    sk, pk, key, plain, sealed = pair
    src = tmp_path / ("p" * 232)
    src.write_bytes(plain.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    other = webapp.x25519_public_key(os.urandom(32))
    r = ok(nbkey, "encrypt", "--to", b64(pk), "--to", b64(other), src, "-o", out, env=MODES[mode])
    names = [f"{src.name}.to-{k[:6].hex()}.sealed" for k in (pk, other)]
    assert all(len(n.encode()) == 255 for n in names)
    assert r.stdout.decode().splitlines() == [f"{out}/{n}" for n in names]
    assert sorted(os.listdir(out)) == sorted(names)
    assert open_sealed(sk, (out / names[0]).read_bytes()) == plain.read_bytes()


# ------------------------------------------------------------------------------------------
# item 4: devices and FIFOs are written to, never replaced
# ------------------------------------------------------------------------------------------

def null_node(tmp_path: Path) -> Path:
    """A private character device node with /dev/null's numbers (root only): a broken nbkey that
    replaced it would not take the machine's /dev/null with it."""
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod needs root")
    return node


def still_null(node: Path):
    st = os.lstat(node)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3), f"{node} is no longer the null device"


@pytest.fixture
def wrapped(pair, tmp_path):
    sk = pair[0]
    eth = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
    wallet = write_secret(tmp_path / "wallet.key", eth.hex())
    stored = tmp_path / "stored.txt"
    stored.write_text(webapp.wrap_v2(eth, sk, os.urandom(32), os.urandom(24)))
    return wallet, stored


def device_args(command, pair, wrapped, dest):
    sk, pk, key, plain, sealed = pair
    return {"decrypt": ["decrypt", "--key", key, sealed, "-o", dest],
            "encrypt": ["encrypt", "--to", b64(pk), plain, "-o", dest],
            "keygen": ["keygen", "-o", dest],
            "unwrap": ["unwrap", "--private-key-file", wrapped[0], wrapped[1], "-o", dest],
            "key protect": ["key", "protect", key, "-o", dest],
            "key unprotect": ["key", "unprotect", key, "-o", dest]}[command]


DEVICE_COMMANDS = ["decrypt", "encrypt", "keygen", "unwrap", "key protect", "key unprotect"]


@pytest.mark.parametrize("force", [False, True], ids=["no-force", "force"])
@pytest.mark.parametrize("command", DEVICE_COMMANDS)
def test_null_device_stays_a_device(nbkey, pair, wrapped, tmp_path, command, force):
    node = null_node(tmp_path)
    before = sorted(os.listdir(tmp_path))
    args = device_args(command, pair, wrapped, node) + (["--force"] if force else [])
    r = run(nbkey, *args, env={"NBKEY_PASSPHRASE": "device test"})
    assert r.returncode == 0, r.stderr
    still_null(node)
    assert sorted(os.listdir(tmp_path)) == before
    if command in ("keygen", "unwrap"):  # the public key; nothing else reaches stdout
        assert len(r.stdout) == 45
    else:
        assert r.stdout == b""


def test_dev_null_itself(nbkey, pair, tmp_path):
    """Without --force (which the old code refused), the machine's /dev/null."""
    sk, pk, key, plain, sealed = pair
    ok(nbkey, "decrypt", "--key", key, sealed, "-o", "/dev/null")
    ok(nbkey, "encrypt", "--to", b64(pk), plain, "-o", "/dev/null")
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def read_fifo(fifo: Path, into: list):
    import threading

    def reader():
        with open(fifo, "rb") as f:
            into.append(f.read())
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    return t


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("force", [False, True], ids=["no-force", "force"])
def test_fifo_output_gets_exactly_the_plaintext(nbkey, pair, tmp_path, mode, force):
    sk, pk, key, plain, sealed = pair
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = []
    t = read_fifo(fifo, got)
    ok(nbkey, "decrypt", "--key", key, sealed, "-o", fifo, *(["--force"] if force else []), env=MODES[mode])
    t.join(30)
    assert got == [plain.read_bytes()]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    got = []
    t = read_fifo(fifo, got)
    ok(nbkey, "encrypt", "--to", b64(pk), plain, "-o", fifo, env=MODES[mode])
    t.join(30)
    assert open_sealed(sk, got[0]) == plain.read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["k.json", "out.fifo", "plain.bin", "plain.sealed"]


def test_fifo_output_gets_nothing_unauthenticated(nbkey, pair, tmp_path):
    sk, pk, key, plain, sealed = pair
    forged = bytearray(sealed.read_bytes())
    forged[-1] ^= 1
    bad = tmp_path / "forged.sealed"
    bad.write_bytes(bytes(forged))
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = []
    t = read_fifo(fifo, got)
    failed(run(nbkey, "decrypt", "--key", key, bad, "-o", fifo), "authentication failed")
    t.join(30)
    assert got == [b""]


def test_key_file_to_a_fifo(nbkey, pair, wrapped, tmp_path):
    key = pair[2]
    fifo = tmp_path / "key.fifo"
    os.mkfifo(fifo)
    got = []
    t = read_fifo(fifo, got)
    r = ok(nbkey, "unwrap", "--private-key-file", wrapped[0], wrapped[1], "-o", fifo)
    t.join(30)
    assert got == [key.read_bytes()]
    assert r.stdout == b64(pair[1]).encode() + b"\n"


@pytest.mark.parametrize("stdout_kind", ["pipe", "file"])
def test_dev_stdout_is_standard_output(nbkey, pair, tmp_path, stdout_kind):
    sk, pk, key, plain, sealed = pair
    args = [str(nbkey.path), "decrypt", "--key", str(key), str(sealed), "-o", "/dev/stdout"]
    if stdout_kind == "pipe":
        r = subprocess.run(args, capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert r.stdout == plain.read_bytes()
    else:
        out = tmp_path / "captured"
        with open(out, "wb") as f:
            r = subprocess.run(args, stdout=f, stderr=subprocess.PIPE, timeout=60)
        assert r.returncode == 0, r.stderr
        assert out.read_bytes() == plain.read_bytes()
    assert os.path.islink("/dev/stdout") or not os.path.exists("/dev/stdout") or stat.S_ISCHR(os.lstat("/dev/stdout").st_mode)


@pytest.mark.parametrize("command", ["decrypt", "keygen"])
def test_force_never_replaces_a_socket(nbkey, pair, wrapped, tmp_path, command):
    import socket
    path = tmp_path / "sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    try:
        r = run(nbkey, *device_args(command, pair, wrapped, path), "--force")
        failed(r, "is not a regular file")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        s.close()


# ------------------------------------------------------------------------------------------
# item 9: sizes near the largest file size are checked, not trapped on
# ------------------------------------------------------------------------------------------

def sparse_file(tmp_path: Path, size: int) -> Path:
    """A sparse file of `size` bytes: ext4 stops at 16 TiB, tmpfs goes to 2^63 - 1."""
    for d in (tmp_path, Path("/dev/shm")):
        p = d / f"huge-{os.getpid()}-{size}"
        try:
            with open(p, "wb") as f:
                f.truncate(size)
            return p
        except OSError:
            p.unlink(missing_ok=True)
    pytest.skip("no file system here takes a file of 2^63 - 1 bytes")


@pytest.mark.parametrize("size", [2**63 - 1, 2**63 - 48], ids=["2^63-1", "2^63-48"])
@pytest.mark.parametrize("recipients", [1, 2])
def test_encrypt_a_file_too_large_to_seal(nbkey, pair, tmp_path, size, recipients):
    """The sealed file would be 48 bytes longer than the input: more than 2^63 - 1 bytes."""
    sk, pk, key, plain, sealed = pair
    huge = sparse_file(tmp_path, size)
    out = tmp_path / "out"
    out.mkdir()
    try:
        keys = [pk] + [webapp.x25519_public_key(os.urandom(32)) for _ in range(recipients - 1)]
        r = run(nbkey, "encrypt", *[a for k in keys for a in ("--to", b64(k))], huge,
                "-o", out if recipients > 1 else out / "huge.sealed")
        failed(r, "too large to seal")
        assert os.listdir(out) == []
    finally:
        huge.unlink()


# ------------------------------------------------------------------------------------------
# item 10: a command that fails leaves no output, also when only stdout failed
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("existing", [False, True], ids=["new", "force-over-existing"])
@pytest.mark.parametrize("command", ["keygen", "keygen --protect", "unwrap"])
def test_stdout_on_a_full_disk_leaves_no_key_file(nbkey, pair, wrapped, tmp_path, mode, existing, command):
    """keygen and unwrap print the public key: when that fails (stdout is /dev/full), the
    command fails, and the key file is not written (an existing one is left as it was)."""
    out = tmp_path / "out"
    out.mkdir()
    dest = out / "k.json"
    if existing:
        dest.write_bytes(b"existing key file")
    args = {"keygen": ["keygen", "-o", dest],
            "keygen --protect": ["keygen", "--protect", "-o", dest],
            "unwrap": ["unwrap", "--private-key-file", wrapped[0], wrapped[1], "-o", dest]}[command]
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    env.update(MODES[mode], NBKEY_PASSPHRASE="full disk test")
    with open("/dev/full", "wb") as full:
        r = subprocess.run([str(nbkey.path), *map(str, args), *(["--force"] if existing else [])],
                           stdout=full, stderr=subprocess.PIPE, env=env, timeout=60)
    assert r.returncode == 1, r.stderr
    assert r.stderr.decode().startswith("error: cannot write standard output: no space left on device"), r.stderr
    assert os.listdir(out) == (["k.json"] if existing else [])
    if existing:
        assert dest.read_bytes() == b"existing key file"


# ------------------------------------------------------------------------------------------
# item 15: key material to `-o -` goes straight to stdout, never through TMPDIR
# ------------------------------------------------------------------------------------------

@pytest.fixture(params=["nonexistent", "read-only"])
def unusable_tmpdir(request, tmp_path):
    d = tmp_path / "tmpdir"
    if request.param == "nonexistent":
        yield d
        return
    if os.geteuid() != 0:
        pytest.skip("a read-only TMPDIR that root cannot write needs a read-only mount")
    d.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(d)], capture_output=True).returncode:
        pytest.skip("cannot mount a read-only tmpfs")
    try:
        yield d
    finally:
        subprocess.run(["umount", str(d)], capture_output=True)


@pytest.mark.parametrize("command", ["unwrap", "unwrap --protect", "key protect", "key unprotect"])
def test_key_material_to_stdout_needs_no_tmpdir(nbkey, pair, wrapped, tmp_path, unusable_tmpdir, command):
    sk, pk, key = pair[:3]
    passphrase = "stdout test passphrase"
    protected = tmp_path / "prot.json"
    protected.write_text(webapp.protect(key.read_text(), passphrase, os.urandom(16), os.urandom(24), 1, 8192))
    os.chmod(protected, 0o600)
    args = {"unwrap": ["unwrap", "--private-key-file", wrapped[0], wrapped[1]],
            "unwrap --protect": ["unwrap", "--protect", "--private-key-file", wrapped[0], wrapped[1]],
            "key protect": ["key", "protect", key],
            "key unprotect": ["key", "unprotect", protected]}[command]
    r = ok(nbkey, *args, "-o", "-", env={"TMPDIR": str(unusable_tmpdir), "NBKEY_PASSPHRASE": passphrase})
    if "protect" in command and command != "key unprotect":
        assert webapp.unprotect(r.stdout, passphrase).encode() == key.read_bytes()
    else:
        assert r.stdout == key.read_bytes()
    # For contrast: decrypt -o - does need TMPDIR, to hold the plaintext until it authenticates.
    failed(run(nbkey, "decrypt", "--key", key, pair[4], "-o", "-", env={"TMPDIR": str(unusable_tmpdir)}), "cannot write")
