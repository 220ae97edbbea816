"""Issue 12's command-line edges: standard input used once, file names that begin with '-',
control characters in names, the progress bar before an error, unusable orders in the sales
JSON, a terminal as standard input, did-you-mean, and the hints and messages a careful user expects.
Key pairs and sealed files come from the web app's model (webapp.py, PyNaCl), not from nbkey."""

import json
import os
import pty
import select
import subprocess
import time

import pytest

import webapp
from conftest import assert_failed, b64, write_secret


@pytest.fixture
def pair(tmp_path):
    sk = os.urandom(32)
    pk = webapp.x25519_public_key(sk)
    key = write_secret(tmp_path / "k.json", webapp.keyfile_json(pk, sk))
    return pk, sk, key


def sealed(tmp_path, pk, name, data=b"predictions"):
    path = tmp_path / name
    path.write_bytes(webapp.seal(pk, data))
    return path


def listing(d):
    return sorted(p.name for p in d.iterdir())


# -- standard input once ----------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["encrypt", "--recipients", "-", "-", "-o", "OUT"],
    ["decrypt", "--key", "-", "-", "-o", "OUT/x"],
    ["wallet", "decrypt", "--private-key-file", "-", "-"],
    ["wallet", "sign-message", "--mnemonic-file", "-", "-"],
    ["wallet", "address", "--keystore", "-", "--password-file", "-"],
    ["unwrap", "--private-key-file", "-", "-o", "OUT/k.json"],
    ["key", "show", "-", "--passphrase-file", "-"],
    ["key", "protect", "-", "--passphrase-file", "-", "-o", "OUT/p.json"],
], ids=lambda a: " ".join(a[:2]))
def test_standard_input_is_used_once(nbkey, tmp_path, args):
    out = tmp_path / "out"
    out.mkdir()
    r = nbkey(*[str(out) if a == "OUT" else a.replace("OUT", str(out)) for a in args], input=b"x" * 100)
    assert_failed(r, code=64, stderr_contains="standard input can be used only once per command")
    assert listing(out) == []


# -- file names that begin with '-' -----------------------------------------------------------

def test_dashed_name_is_not_help(nbkey, tmp_path, pair):
    pk, _, key = pair
    sealed(tmp_path, pk, "-help.sealed")
    r = nbkey("decrypt", "--key", key, "-help.sealed", "-o", "out", cwd=tmp_path)
    assert_failed(r, code=64, stderr_contains="unknown option -help.sealed")
    assert "after --" in r.err_text and not (tmp_path / "out").exists()


def test_double_dash_works_for_every_command(nbkey, tmp_path, pair, webapp):
    pk, sk, key = pair
    sealed(tmp_path, pk, "-h.sealed", b"plain")
    nbkey.ok("decrypt", "--key", key, "-o", "./-plain", "--", "-h.sealed", cwd=tmp_path)
    assert (tmp_path / "-plain").read_bytes() == b"plain"
    nbkey.ok("encrypt", "--to", b64(pk), "-o", "./-again.sealed", "--", "-plain", cwd=tmp_path)
    assert webapp.seal_open(sk, (tmp_path / "-again.sealed").read_bytes()) == b"plain"
    write_secret(tmp_path / "-k.json", key.read_bytes())
    assert nbkey.ok("key", "show", "--", "-k.json", cwd=tmp_path).stdout == (b64(pk) + "\n").encode()
    eth = os.urandom(31) + b"\x01"
    write_secret(tmp_path / "-w.key", eth.hex())
    (tmp_path / "-msg").write_bytes(b"hello")
    r = nbkey.ok("wallet", "sign-message", "--private-key-file", "./-w.key", "--", "-msg", cwd=tmp_path)
    assert r.stdout.decode().strip() == webapp.personal_sign(eth, b"hello")
    (tmp_path / "-stored").write_text(webapp.wrap_v2(eth, sk, os.urandom(32), os.urandom(24)))
    r = nbkey.ok("unwrap", "--private-key-file", "./-w.key", "-o", "back.json", "--", "-stored", cwd=tmp_path)
    assert webapp.keyfile_load((tmp_path / "back.json").read_text()) == (pk, sk)


# -- names with control characters ------------------------------------------------------------

@pytest.mark.parametrize("name", ["a\nb.sealed", "tab\there", "esc\x1b[31m", "cr\r"])
def test_error_naming_a_file_is_one_line(nbkey, tmp_path, pair, name):
    _, _, key = pair
    r = nbkey("decrypt", "--key", key, "-o", "out", "--", name, cwd=tmp_path)
    assert_failed(r)
    lines = r.err_text.splitlines()
    assert [l.split(":")[0] for l in lines] in (["error"], ["error", "hint"]), r.describe()
    assert "\x1b" not in r.err_text and "\r" not in r.err_text
    escaped = name.encode("unicode_escape").decode().replace("\\x1b", "\\u{1b}")
    assert f'"{escaped}"' in lines[0], r.describe()


# -- sales JSON: an order without a usable key ------------------------------------------------

def test_unusable_order_gets_its_own_error_and_the_others_complete(nbkey, tmp_path, pair, webapp):
    pk, sk, _ = pair
    (tmp_path / "p.csv").write_bytes(b"data")
    sales = [{"id": 7, "buyer_public_key": None}, {"id": 8, "buyer_public_key": b64(pk)},
             {"id": "9", "buyer_public_key": b64(pk[:31])}, {"id": 10}]
    (tmp_path / "sales.json").write_text(json.dumps({"data": sales}))
    (tmp_path / "o").mkdir()
    r = nbkey("encrypt", "--recipients", "sales.json", "p.csv", "-o", "o", cwd=tmp_path)
    assert r.returncode == 1, r.describe()
    assert r.err_text == ("error: order 7: has no buyer_public_key\n"
                          "error: order 9: buyer_public_key is not base64 of 32 bytes\n"), r.describe()
    assert r.stdout == b"o/p.csv.order-8.sealed\n"
    assert listing(tmp_path / "o") == ["p.csv.order-8.sealed"]
    assert webapp.seal_open(sk, (tmp_path / "o" / "p.csv.order-8.sealed").read_bytes()) == b"data"


# -- messages and hints -----------------------------------------------------------------------

@pytest.mark.parametrize("typo,suggestion", [(["decrpyt"], "decrypt"), (["wallet", "adress"], "address"),
                                             (["key", "shwo"], "show"), (["wrpa"], "wrap")])
def test_did_you_mean(nbkey, typo, suggestion):
    r = nbkey(*typo)
    assert (r.returncode, r.err_text) == (64, f"error: unexpected argument '{typo[-1]}'\nhint: did you mean '{suggestion}'?\n")


def test_encrypt_onto_its_input_does_not_hint_in_place(nbkey, tmp_path, pair):
    pk, _, _ = pair
    (tmp_path / "p").write_bytes(b"x")
    r = nbkey("encrypt", "--to", b64(pk), "p", "-o", "p", "--force", cwd=tmp_path)
    assert_failed(r)
    assert r.err_text == "error: output p is the input file\n"
    assert (tmp_path / "p").read_bytes() == b"x"


def test_already_exists_names_the_file_once(nbkey, tmp_path, pair):
    pk, _, _ = pair
    other = webapp.x25519_public_key(os.urandom(32))
    (tmp_path / "p").write_bytes(b"x")
    (tmp_path / "o").mkdir()
    taken = tmp_path / "o" / f"p.to-{pk[:6].hex()}.sealed"
    taken.write_bytes(b"keep")
    r = nbkey("encrypt", "--to", b64(pk), "--to", b64(other), "p", "-o", "o", cwd=tmp_path)
    assert r.returncode == 1
    assert r.err_text == f"error: o/{taken.name} already exists\n", r.describe()
    assert taken.read_bytes() == b"keep"


@pytest.mark.parametrize("prefix", ["", "0x"])
def test_hex_public_key_says_hex(nbkey, tmp_path, pair, prefix):
    pk, _, _ = pair
    (tmp_path / "p").write_bytes(b"x")
    r = nbkey("encrypt", "--to", prefix + pk.hex(), "p", "-o", "o", cwd=tmp_path)
    assert_failed(r, stderr_contains="public key is hex (64 digits), but NumerBay public keys are base64")


# -- on a terminal ----------------------------------------------------------------------------

def run_on_pty(nbkey, args, cwd, stdin_tty=False, timeout=60):
    """Runs nbkey with stderr (and stdin, if asked) on a pseudo-terminal; returns (status, what
    the terminal showed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(nbkey.path), *map(str, args)], cwd=cwd, stdout=subprocess.DEVNULL, stderr=slave,
                            stdin=slave if stdin_tty else subprocess.DEVNULL)
    os.close(slave)
    shown, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=10), shown


def test_progress_bar_is_cleared_before_an_error(nbkey, tmp_path, pair):
    pk, _, key = pair
    data = bytearray(webapp.seal(pk, bytes(256 << 20)))
    data[-1] ^= 1
    (tmp_path / "big.sealed").write_bytes(data)
    status, shown = run_on_pty(nbkey, ["decrypt", "--key", key, "big.sealed", "-o", "out"], tmp_path)
    assert status == 1 and b"[#" in shown, shown[-300:]
    assert shown.split(b"error:")[0].endswith(b"\r\x1b[K"), shown[-300:]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args,what", [
    (["unwrap", "--private-key-file", "w.key", "-o", "k.json"], "a wrapped key"),
    (["decrypt", "--key", "KEY", "-", "-o", "out"], "a sealed file"),
    (["wallet", "sign-message", "--private-key-file", "w.key"], "a message to sign"),
])
def test_terminal_as_standard_input_is_refused(nbkey, tmp_path, pair, args, what):
    _, _, key = pair
    write_secret(tmp_path / "w.key", (os.urandom(31) + b"\x01").hex())
    status, shown = run_on_pty(nbkey, [str(key) if a == "KEY" else a for a in args], tmp_path, stdin_tty=True, timeout=20)
    assert status == 1, shown
    assert shown.startswith(f"error: standard input is a terminal, not {what}".encode()), shown
