"""Benchmark driver (started by bench/run; see bench/README.md).

Measures nbkey against libsodium's one-shot calls (bench/oneshot.c), the NumerBay Python client
(numerbay 0.2.4) and PyNaCl on the same files, checks every output, and writes
bench/results/results.md, results.json and chart.png.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nacl.public
import nacl.utils
from nacl.public import PrivateKey, SealedBox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MiB = 1 << 20
GiB = 1 << 30
PY = sys.executable
PYJOBS = str(HERE / "pyjobs.py")
TIME = "/usr/bin/time"

failures: list[str] = []


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def size_label(n: int) -> str:
    return f"{n // GiB} GiB" if n % GiB == 0 else f"{n // MiB} MiB"


# ---------------------------------------------------------------- files and keys

def warm(path: Path) -> None:
    """Reads a file once so that it sits in the page cache before a timed run."""
    with open(path, "rb", buffering=0) as f:
        buf = bytearray(16 * MiB)
        while f.readinto(buf):
            pass


def same_file(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    return subprocess.run(["cmp", "-s", str(a), str(b)]).returncode == 0


def rm(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def key_file_text(sk: bytes) -> str:
    pk = bytes(PrivateKey(sk).public_key)
    return json.dumps({"public_key": base64.b64encode(pk).decode(), "private_key": base64.b64encode(sk).decode()},
                      separators=(",", ":"))


def write_secret(path: Path, text: str) -> None:
    rm(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


class Keys:
    """The NumerBay key pair K (key file), kept in work/ so that kept sealed files stay valid."""

    def __init__(self, work: Path):
        path = work / "key.json"
        if not path.exists():
            write_secret(path, key_file_text(bytes(PrivateKey.generate())))
        doc = json.loads(path.read_text())
        self.path = path
        self.sk = base64.b64decode(doc["private_key"])
        self.pk = bytes(PrivateKey(self.sk).public_key)
        assert base64.b64decode(doc["public_key"]) == self.pk
        self.pk_b64 = base64.b64encode(self.pk).decode()
        # The keys as hex files for oneshot and pyjobs: secrets stay off command lines (`ps`).
        self.sk_hex_path, self.pk_hex_path = work / "key.sk.hex", work / "key.pk.hex"
        write_secret(self.sk_hex_path, self.sk.hex() + "\n")
        write_secret(self.pk_hex_path, self.pk.hex() + "\n")


def make_plain(path: Path, n: int) -> None:
    if path.exists() and path.stat().st_size == n:
        return
    log(f"generating {path.name} ({size_label(n)} random bytes)")
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        left = n
        while left:
            k = min(left, 16 * MiB)
            f.write(nacl.utils.random(k))
            left -= k
    tmp.rename(path)
    rm(path.with_name(path.name + ".sealed-to"))


def make_sealed(oneshot: str, keys: Keys, plain: Path, sealed: Path) -> None:
    """Sealed input made by libsodium's own crypto_box_seal (not by nbkey)."""
    marker = sealed.with_name(sealed.name + ".sealed-to")
    if sealed.exists() and marker.exists() and marker.read_text() == keys.pk_b64 + plain.name \
            and sealed.stat().st_size == plain.stat().st_size + 48:
        return
    log(f"sealing {plain.name} -> {sealed.name} with libsodium crypto_box_seal")
    rm(sealed)
    subprocess.run([oneshot, "seal", str(keys.pk_hex_path), str(plain), str(sealed)], check=True, stderr=subprocess.DEVNULL)
    marker.write_text(keys.pk_b64 + plain.name)


# ---------------------------------------------------------------- timing

def parse_time_v(path: Path) -> dict:
    text = path.read_text(errors="replace")
    out = {}
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    out["rss_kib"] = int(m.group(1)) if m else None
    m = re.search(r"Minor \(reclaiming a frame\) page faults: (\d+)", text)
    out["minor_faults"] = int(m.group(1)) if m else None
    for key, name in (("user", "User time"), ("sys", "System time")):
        m = re.search(name + r" \(seconds\): ([0-9.]+)", text)
        out[key] = float(m.group(1)) if m else None
    return out


def parse_kv(stderr: str) -> dict:
    out = {}
    for line in stderr.splitlines():
        m = re.match(r"^(crypto_seconds|call_seconds|call_fsync_seconds|output_pages_faulted_in_call|prefaulted|prefault_seconds) ([0-9.]+)$",
                     line.strip())
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


class Run:
    def __init__(self, rc, wall, stdout, stderr, tv, kv):
        self.rc, self.wall, self.stdout, self.stderr = rc, wall, stdout, stderr
        self.rss_kib, self.minor_faults, self.kv = tv["rss_kib"], tv["minor_faults"], kv
        self.user, self.sys = tv.get("user"), tv.get("sys")


def mem_free_gib() -> float | None:
    try:
        m = re.search(r"MemFree:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        return int(m.group(1)) / 1024 / 1024 if m else None
    except OSError:
        return None


def run_once(cmd: list[str], work: Path, env=None) -> Run:
    tfile = work / "time-v.txt"
    free = mem_free_gib()
    rm(tfile)
    t0 = time.perf_counter()
    p = subprocess.run([TIME, "-v", "-o", str(tfile)] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - t0
    tv = parse_time_v(tfile) if tfile.exists() else {"rss_kib": None, "minor_faults": None}
    err = p.stderr.decode(errors="replace")
    r = Run(p.returncode, wall, p.stdout.decode(errors="replace"), err, tv, parse_kv(err))
    r.mem_free_gib = free
    return r


class Measure:
    """Median of the runs' wall times (and of call_seconds / crypto_seconds when printed); max RSS."""

    def __init__(self, runs: list[Run]):
        self.runs = runs
        self.walls = [r.wall for r in runs]
        self.wall = statistics.median(self.walls)
        frees = [r.mem_free_gib for r in runs if getattr(r, "mem_free_gib", None) is not None]
        self.mem_free_gib = min(frees) if frees else None
        rss = [r.rss_kib for r in runs if r.rss_kib is not None]
        self.rss_mib = max(rss) / 1024 if rss else None
        self.minor_faults = statistics.median([r.minor_faults for r in runs if r.minor_faults is not None] or [0])
        self.user = statistics.median([r.user or 0 for r in runs])
        self.sys = statistics.median([r.sys or 0 for r in runs])
        self.kv = {}
        for k in ("crypto_seconds", "call_seconds", "call_fsync_seconds", "output_pages_faulted_in_call",
                  "prefault_seconds"):
            vals = [r.kv[k] for r in runs if k in r.kv]
            if vals:
                self.kv[k] = statistics.median(vals)
                self.kv[k + "_all"] = vals


class Job:
    """One command to time: prep() before each run (not timed), check(run) after each run."""

    def __init__(self, label, cmd, prep=None, check=None, done=None):
        self.label, self.cmd, self.prep, self.check, self.done = label, cmd, prep, check, done
        self.runs: list[Run] = []
        self.failed = False


def measure_interleaved(jobs: list[Job], runs: int, work: Path) -> None:
    """Runs the jobs round-robin (job 1, job 2, ..., job 1, job 2, ...) so that load from other work on
    the machine falls on every tool alike; before every run: the job's prep() (fresh copies, removing
    outputs, warming inputs) and os.sync() so that no earlier run's dirty pages are written back during
    this one. Then each job's done(Measure) is called (failed jobs: not called)."""
    for i in range(runs):
        for job in jobs:
            if job.failed:
                continue
            if job.prep:
                job.prep()
            os.sync()
            r = run_once(job.cmd, work)
            problem = f"exit {r.rc}: {r.stderr.strip()[:300]}" if r.rc != 0 else (job.check(r) if job.check else None)
            if problem:
                failures.append(f"{job.label}: {problem}")
                log(f"FAILED {job.label}: {problem}")
                job.failed = True
                continue
            job.runs.append(r)
            extra = "".join(f" {k}={v}" for k, v in r.kv.items() if k != "prefaulted")
            log(f"{job.label} run {i + 1}/{runs}: {r.wall:.3f} s, RSS {r.rss_kib / 1024 if r.rss_kib else 0:.1f} MiB{extra}")
    for job in jobs:
        if not job.failed and job.runs and job.done:
            job.done(Measure(job.runs))


def measure(label: str, cmd: list[str], runs: int, work: Path, prep=None, check=None) -> Measure | None:
    got = []
    measure_interleaved([Job(label, cmd, prep, check, got.append)], runs, work)
    return got[0] if got else None


# ---------------------------------------------------------------- sealed-file benchmarks

class Row:
    def __init__(self, op, tool, size, runs, seconds, rss_mib, notes="", group="file", measured=True,
                 process_seconds=None, spread=None, fsync_seconds=None):
        self.op, self.tool, self.size, self.runs = op, tool, size, runs
        self.fsync_seconds = fsync_seconds  # Python rows: the call plus an fsync of its output
        self.spread = spread  # (min, max) of the runs' times
        self.process_seconds = process_seconds
        self.seconds, self.rss_mib, self.notes, self.group, self.measured = seconds, rss_mib, notes, group, measured

    def mbps(self):
        return self.size / self.seconds / 1e6 if self.measured and self.seconds else None

    def gibps(self):
        return self.size / self.seconds / GiB if self.measured and self.seconds else None

    def as_dict(self):
        return {"op": self.op, "tool": self.tool, "size": self.size, "runs": self.runs, "seconds": self.seconds,
                "rss_mib": self.rss_mib, "mb_per_s": self.mbps(), "gib_per_s": self.gibps(), "notes": self.notes,
                "group": self.group, "measured": self.measured, "process_seconds": self.process_seconds,
                "spread": self.spread, "fsync_seconds": self.fsync_seconds}


T_NBKEY = "nbkey"
T_ONESHOT = "libsodium one-shot (file to file)"
T_ONESHOT_FSYNC = "libsodium one-shot + fsync (file to file)"
T_CRYPTO = "libsodium one-shot, crypto only (in memory)"
T_CRYPTO_PF = "libsodium one-shot, crypto only, pre-faulted output buffer"
T_CRYPTO_THP = "libsodium one-shot, crypto only, huge-page output buffer"
T_COPY = "copy + fsync, no crypto (dd conv=fsync)"
T_COPY_DIRECT = "copy with direct I/O + fsync, no crypto (dd oflag=direct conv=fsync)"
COPIES = (T_COPY, T_COPY_DIRECT)
T_NUMERBAY = "numerbay 0.2.4 (Python client)"
T_PYNACL = "PyNaCl SealedBox (Python)"


def cpu_note(m: Measure) -> str:
    return f"user {m.user:.2f} s, sys {m.sys:.2f} s"


class Multi:
    """nbkey encrypt --to K1 ... --to K8 IN -o DIR: probed once on a small file."""

    def __init__(self, a, work: Path):
        self.sks = [bytes(PrivateKey.generate()) for _ in range(8)]
        pks = [base64.b64encode(bytes(PrivateKey(s).public_key)).decode() for s in self.sks]
        self.to_args = [x for pk in pks for x in ("--to", pk)]
        self.outdir = work / "multi-out"
        self.supported, self.dir_must_exist, self.note, self.rows = False, False, "", []
        probe_in = work / "multi-probe.bin"
        probe = nacl.utils.random(4096)
        probe_in.write_bytes(probe)
        attempts, old_style = [], False
        for pre_create in (False, True):  # DIR absent, then DIR existing
            rm(self.outdir)
            if pre_create:
                self.outdir.mkdir()
            r = run_once([a.nbkey, "encrypt"] + self.to_args + [str(probe_in), "-o", str(self.outdir), "--quiet"], work)
            problem = self.check_dir(probe, 4096) if r.rc == 0 else None
            if r.rc == 0 and problem is None:
                self.supported, self.dir_must_exist = True, pre_create
                break
            first = (r.stderr.strip().splitlines() or [""])[0]
            # A binary without the feature: usage error (64), or it takes only the last --to and
            # writes one sealed file named DIR.
            old_style |= r.rc == 64 or (r.rc == 0 and self.outdir.is_file())
            attempts.append(f"DIR {'existing' if pre_create else 'absent'}: "
                            + (f"exit 0 but {problem}" if r.rc == 0 else f"exit {r.rc}: {first}"))
        rm(self.outdir)
        rm(probe_in)
        if not self.supported:
            self.note = f"{'not supported yet' if old_style else 'FAILED'} ({'; '.join(attempts)})"
            if not old_style:
                failures.append(f"nbkey encrypt to 8 recipients: {self.note}")
        log(f"multi-recipient sealing: {'supported' if self.supported else self.note}")

    def check_dir(self, plain: bytes | None, size: int) -> str | None:
        d = self.outdir
        if not d.is_dir():
            return f"{d.name} is not a directory after the run"
        files = sorted(p for p in d.iterdir() if p.is_file())
        if len(files) != 8:
            return f"{len(files)} files in {d.name}, expected 8"
        if plain is None:
            bad = [f.name for f in files if f.stat().st_size != size + 48]
            return f"wrong sizes: {bad}" if bad else None
        opened = set()
        for f in files:
            data = f.read_bytes()
            for i, sk in enumerate(self.sks):
                try:
                    got = SealedBox(PrivateKey(sk)).decrypt(data)
                except Exception:  # noqa: BLE001
                    continue
                if got != plain:
                    return f"{f.name} opens with key {i + 1} but the plaintext differs"
                opened.add(i)
                break
            else:
                return f"{f.name} opens with none of the 8 keys"
        return None if len(opened) == 8 else f"only keys {sorted(opened)} are covered"

    def job(self, a, n: int, plain: Path) -> Job:
        def prep():
            rm(self.outdir)
            if self.dir_must_exist:
                self.outdir.mkdir()
            warm(plain)

        def check(r):
            problem = self.check_dir(plain.read_bytes() if n <= 64 * MiB else None, n)
            rm(self.outdir)
            return problem

        def done(m: Measure):
            self.rows.append({"size": n, "runs": len(m.runs), "seconds": m.wall, "rss_mib": m.rss_mib,
                              "cpu_seconds": m.user + m.sys})

        return Job(f"nbkey encrypt 8 recipients {size_label(n)}",
                   [a.nbkey, "encrypt"] + self.to_args + [str(plain), "-o", str(self.outdir), "--quiet"],
                   prep, check, done)

    def result(self, one_enc: dict[int, float]) -> dict:
        rows = []
        for r in self.rows:
            if r["size"] in one_enc:
                rows.append(dict(r, one_seconds=one_enc[r["size"]], ratio=r["seconds"] / (8 * one_enc[r["size"]])))
        return {"supported": self.supported, "dir_must_exist": self.dir_must_exist, "note": self.note, "rows": rows}


def bench_sizes(a, keys: Keys, work: Path, sizes: list[tuple[int, int, bool]], multi: Multi,
                multi_sizes: set[int]) -> list[Row]:
    """sizes: (bytes, runs, python_tools_too). Per size and operation all tools run interleaved."""
    rows: list[Row] = []
    nb, os1 = a.nbkey, a.oneshot
    for n, runs, with_python in sizes:
        lab = size_label(n)
        plain = work / f"plain-{lab.replace(' ', '')}.bin"
        sealed = work / f"sealed-{lab.replace(' ', '')}.bin"
        out = work / "out.bin"
        copy = work / "inplace.bin"
        make_plain(plain, n)
        make_sealed(os1, keys, plain, sealed)

        def prep_from(src):
            def prep():
                rm(out)
                rm(copy)
                warm(src)
            return prep

        def check_plain(r, path=out):
            ok = same_file(path, plain)
            rm(path)
            return None if ok else f"output differs from the plaintext ({path.name})"

        def check_sealed(r):
            """Every run: size; up to 256 MiB: PyNaCl opens it back to the plaintext."""
            try:
                if out.stat().st_size != n + 48:
                    return f"sealed output has {out.stat().st_size} bytes, expected {n + 48}"
                if n <= 256 * MiB:
                    try:
                        got = SealedBox(PrivateKey(keys.sk)).decrypt(out.read_bytes())
                    except Exception as e:  # noqa: BLE001
                        return f"PyNaCl cannot open the sealed output: {e}"
                    if got != plain.read_bytes():
                        return "PyNaCl opened the sealed output but the plaintext differs"
                return None
            finally:
                rm(out)

        def check_sealed_first_opened():
            """check_sealed, and on bigger files libsodium's crypto_box_seal_open opens the first run's
            output back to the plaintext (cmp)."""
            state = {}

            def check(r):
                if n > 256 * MiB and not state:
                    state["done"] = True
                    back = work / "back.bin"
                    rm(back)
                    p = subprocess.run([os1, "open", str(keys.sk_hex_path), str(out), str(back)], stderr=subprocess.PIPE)
                    ok = p.returncode == 0 and same_file(back, plain)
                    rm(back)
                    if not ok:
                        rm(out)
                        return "libsodium crypto_box_seal_open could not open it back to the plaintext"
                return check_sealed(r)
            return check

        def add(op, tool, seconds_of, notes_of, rss=True, group="file", process=False, key=None):
            """key: which per-run figure the row's time is (None: wall; or crypto_seconds / call_seconds)."""
            def done(m: Measure):
                vals = m.walls if key is None else m.kv[key + "_all"]
                rows.append(Row(op, tool, n, len(m.runs), seconds_of(m), m.rss_mib if rss else None, notes_of(m),
                                group=group, process_seconds=m.wall if process else None,
                                spread=(min(vals), max(vals)), fsync_seconds=m.kv.get("call_fsync_seconds")))
            return done

        def free_note(m: Measure) -> str:
            return f"; MemFree before the run ≥ {m.mem_free_gib:.1f} GiB" if m.mem_free_gib is not None else ""

        def check_copy(r):
            ok = out.stat().st_size in (n, n + 48)
            rm(out)
            return None if ok else "dd wrote a short copy"

        for op in ("decrypt", "encrypt"):
            log(f"== {op} {lab}: {runs} rounds ==")
            src = sealed if op == "decrypt" else plain
            check = check_plain if op == "decrypt" else check_sealed
            first_check = check_plain if op == "decrypt" else check_sealed_first_opened()
            oneshot_first_check = check_plain if op == "decrypt" else check_sealed_first_opened()
            call = "crypto_box_seal_open" if op == "decrypt" else "crypto_box_seal"
            verb = "open" if op == "decrypt" else "seal"
            key_hex_path = keys.sk_hex_path if op == "decrypt" else keys.pk_hex_path
            base = [os1, verb, str(key_hex_path), str(src), str(out)]
            if op == "decrypt":
                nb_cmd = [nb, "decrypt", "--key", str(keys.path), str(sealed), "-o", str(out), "--quiet"]
            else:
                nb_cmd = [nb, "encrypt", "--to", keys.pk_b64, str(plain), "-o", str(out), "--quiet"]
            pages = -(-n // 4096)
            jobs = [
                Job(f"nbkey {op} {lab}", nb_cmd, prep_from(src), first_check,
                    add(op, T_NBKEY, lambda m: m.wall, lambda m: f"{cpu_note(m)}; fsyncs its output")),
                Job(f"one-shot {verb} {lab}", base, prep_from(src), oneshot_first_check,
                    lambda m, op=op, call=call: (
                        add(op, T_ONESHOT, lambda m: m.wall, lambda m: f"{cpu_note(m)}; no fsync")(m),
                        add(op, T_CRYPTO, lambda m: m.kv["crypto_seconds"],
                            lambda m: f"{call} writing into a fresh malloc'd buffer, as the one-shot program does: "
                                      f"{int(m.kv['output_pages_faulted_in_call'])} page faults inside the call"
                                      + free_note(m),
                            rss=False, group="crypto", key="crypto_seconds")(m))),
                Job(f"one-shot {verb} --prefault {lab}", base + ["--prefault"], prep_from(src), check,
                    add(op, T_CRYPTO_PF, lambda m: m.kv["crypto_seconds"],
                        lambda m: f"output buffer memset first ({m.kv['prefault_seconds']:.3f} s = "
                                  f"{m.kv['prefault_seconds'] / pages * 1e6:.2f} µs per 4 KiB page faulted in); "
                                  f"{int(m.kv['output_pages_faulted_in_call'])} page faults inside the call"
                                  + free_note(m),
                        rss=False, group="crypto", key="crypto_seconds")),
                Job(f"one-shot {verb} --thp {lab}", base + ["--thp"], prep_from(src), check,
                    add(op, T_CRYPTO_THP, lambda m: m.kv["crypto_seconds"],
                        lambda m: f"output buffer madvise(MADV_HUGEPAGE), not pre-faulted: "
                                  f"{int(m.kv['output_pages_faulted_in_call'])} page faults inside the call"
                                  + free_note(m),
                        rss=False, group="crypto", key="crypto_seconds")),
                Job(f"one-shot {verb} --fsync {lab}", base + ["--fsync"], prep_from(src), check,
                    add(op, T_ONESHOT_FSYNC, lambda m: m.wall, lambda m: f"{cpu_note(m)}; same durability as nbkey")),
                Job(f"dd copy + fsync {lab}", ["dd", f"if={src}", f"of={out}", "bs=1M", "conv=fsync", "status=none"],
                    prep_from(src), check_copy,
                    add(op, T_COPY, lambda m: m.wall, lambda m: "floor for any durable file-to-file job: "
                                                                "read from page cache, write, fsync")),
                Job(f"dd direct copy + fsync {lab}",
                    ["dd", f"if={src}", f"of={out}", "bs=1M", "oflag=direct", "conv=fsync", "status=none"],
                    prep_from(src), check_copy,
                    add(op, T_COPY_DIRECT, lambda m: m.wall, lambda m: "the same with O_DIRECT writes (no page-cache "
                                                                       "copy, as nbkey writes large files); dd "
                                                                       "writes one block at a time")),
            ]
            if with_python:
                if op == "decrypt":
                    def prep_copy():
                        rm(out)
                        rm(copy)
                        shutil.copyfile(sealed, copy)
                        warm(copy)
                    jobs.append(Job(f"numerbay decrypt_file {lab}",
                                    [PY, PYJOBS, "numerbay-decrypt", str(keys.path), str(copy)], prep_copy,
                                    lambda r: check_plain(r, copy),
                                    add(op, T_NUMERBAY, lambda m: m.kv["call_seconds"],
                                        lambda m: f"decrypt_file(path, key_path=...), in place on a fresh copy; time = "
                                                  f"that call alone; whole process incl. interpreter and imports: "
                                                  f"{m.wall:.3f} s; with an fsync of its output: "
                                                  f"{m.kv['call_fsync_seconds']:.3f} s", process=True,
                                        key="call_seconds")))
                else:
                    jobs.append(Job(f"numerbay encrypt_file_object {lab}",
                                    [PY, PYJOBS, "numerbay-encrypt", keys.pk_b64, str(plain), str(out)],
                                    prep_from(plain), check_sealed,
                                    add(op, T_NUMERBAY, lambda m: m.kv["call_seconds"],
                                        lambda m: f"encrypt_file_object(open(IN,'rb'), pk_b64), result written to OUT; "
                                                  f"time = that code alone; whole process incl. interpreter and "
                                                  f"imports: {m.wall:.3f} s; with an fsync of its output: "
                                                  f"{m.kv['call_fsync_seconds']:.3f} s", process=True,
                                        key="call_seconds")))
                jobs.append(Job(f"PyNaCl {op} {lab}",
                                [PY, PYJOBS, f"pynacl-{op}", str(key_hex_path), str(src),
                                 str(out)], prep_from(src), check,
                                add(op, T_PYNACL, lambda m: m.kv["call_seconds"],
                                    lambda m, op=op: f"open(IN).read(), SealedBox({'sk' if op == 'decrypt' else 'pk'})."
                                                     f"{op}, written to OUT; time = that code alone; whole process: "
                                                     f"{m.wall:.3f} s", process=True, key="call_seconds")))
            else:
                for tool in (T_NUMERBAY, T_PYNACL):
                    rows.append(Row(op, tool, n, 0, None, None,
                                    "not run: holds the whole file about 3 times in memory (> 12 GB at 4 GiB)",
                                    measured=False))
            if op == "encrypt" and multi.supported and n in multi_sizes:
                jobs.append(multi.job(a, n, plain))
            measure_interleaved(jobs, runs, work)
        rm(out)
        rm(copy)
    return rows


# ---------------------------------------------------------------- startup

def bench_startup(a, keys: Keys, work: Path) -> dict:
    cmds = {"nbkey --version": [a.nbkey, "--version"],
            "nbkey key show K": [a.nbkey, "key", "show", str(keys.path)]}
    for name, cmd in cmds.items():
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            failures.append(f"startup {name}: exit {p.returncode}: {p.stderr.strip()}")
        elif name == "nbkey key show K" and p.stdout.strip() != keys.pk_b64:
            failures.append("nbkey key show printed the wrong public key")
    res = {}
    hf = shutil.which("hyperfine")
    if hf:
        out = work / "hyperfine.json"
        subprocess.run([hf, "--warmup", "5", "-N", "--runs", "50", "--style", "none", "--export-json", str(out)]
                       + [" ".join(c) for c in cmds.values()], check=True, stdout=subprocess.DEVNULL)
        data = json.loads(out.read_text())
        for name, r in zip(cmds, data["results"]):
            res[name] = {"ms": r["median"] * 1000, "method": "hyperfine --warmup 5 -N --runs 50, median"}
    else:
        for name, cmd in cmds.items():
            for _ in range(5):
                subprocess.run(cmd, stdout=subprocess.DEVNULL)
            t = []
            for _ in range(50):
                t0 = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL)
                t.append(time.perf_counter() - t0)
            res[name] = {"ms": statistics.median(t) * 1000, "method": "Python loop, 5 warm-up + 50 runs, median"}
    for name, r in res.items():
        log(f"startup {name}: {r['ms']:.2f} ms ({r['method']})")
    return res


# ---------------------------------------------------------------- keystore V3 and v2 unwrap

def bench_wallet(a, work: Path, runs: int) -> list[dict]:
    from eth_account import Account
    from eth_account.messages import encode_defunct
    from eth_hash.auto import keccak
    import nacl.secret

    rows = []
    wdir = work / "wallet"
    wdir.mkdir(exist_ok=True)
    wallet_file = wdir / "wallet.hex"
    if not wallet_file.exists():
        write_secret(wallet_file, Account.create().key.hex().removeprefix("0x") + "\n")
    wallet = bytes.fromhex(wallet_file.read_text().strip())
    address = Account.from_key(wallet).address
    pw_file = wdir / "password.txt"
    password = "bench password \u00e9"
    if not pw_file.exists():
        write_secret(pw_file, password + "\n")

    keystores = {}
    for kdf, extra in (("scrypt", {}), ("pbkdf2", {"iterations": 262144})):
        path = wdir / f"keystore-{kdf}.json"
        if not path.exists():
            log(f"making the {kdf} keystore with eth-account")
            path.write_text(json.dumps(Account.encrypt(wallet, password, kdf=kdf, **extra)))
        params = json.loads(path.read_text())["crypto"]["kdfparams"]
        if kdf == "scrypt":
            assert (params["n"], params["r"], params["p"]) == (262144, 8, 1), params
            desc = "scrypt n=2^18, r=8, p=1"
        else:
            assert params["c"] == 262144 and params["prf"] == "hmac-sha256", params
            desc = "pbkdf2-hmac-sha256 c=262144"
        keystores[kdf] = (path, desc)

    def addr_check(r):
        return None if r.stdout.strip() == address else f"printed {r.stdout.strip()!r}, expected {address}"

    # Baseline without KDF.
    m = measure("nbkey wallet address --private-key-file", [a.nbkey, "wallet", "address", "--private-key-file", str(wallet_file)],
                runs, work, None, addr_check)
    if m:
        rows.append({"what": "address from a raw private key file (no KDF)", "tool": "nbkey wallet address --private-key-file",
                     "seconds": m.wall, "rss_mib": m.rss_mib, "note": "baseline"})

    for kdf, (path, desc) in keystores.items():
        cmd = [a.nbkey, "wallet", "address", "--keystore", str(path), "--password-file", str(pw_file)]
        probe = run_once(cmd, work)
        if probe.rc == 0 and probe.stdout.strip() == address:
            m = measure(f"nbkey keystore {kdf}", cmd, runs, work, None, addr_check)
            if m:
                rows.append({"what": f"keystore V3, {desc}", "tool": "nbkey wallet address --keystore",
                             "seconds": m.wall, "rss_mib": m.rss_mib, "note": "whole process"})
        else:
            first = (probe.stderr.strip().splitlines() or [""])[0]
            why = f"exit {probe.rc}: {first}" if probe.rc else f"printed {probe.stdout.strip()!r}"
            if probe.rc == 64:
                note = f"not supported yet ({why})"
            else:
                note = f"FAILED ({why})"
                failures.append(f"nbkey keystore {kdf}: {why}")
            rows.append({"what": f"keystore V3, {desc}", "tool": "nbkey wallet address --keystore",
                         "seconds": None, "rss_mib": None, "note": note})
            log(f"nbkey keystore {kdf}: {note}")
        m = measure(f"eth-account keystore {kdf}", [PY, PYJOBS, "keystore-address", str(path), str(pw_file)],
                    runs, work, None, addr_check)
        if m:
            rows.append({"what": f"keystore V3, {desc}", "tool": "eth_account.Account.decrypt (fresh python, incl. import)",
                         "seconds": m.wall, "rss_mib": m.rss_mib, "note": "whole process"})
            rows.append({"what": f"keystore V3, {desc}", "tool": "eth_account.Account.decrypt (the call alone)",
                         "seconds": m.kv["call_seconds"], "rss_mib": None, "note": "json load + decrypt + address"})

    # v2 unwrap (FORMATS.md 7), stored string made here with eth-account + PyNaCl.
    stored_file = wdir / "stored-v2.json"
    nb_sk = bytes(PrivateKey.generate())
    salt_msg = "Sign this to retrieve your encryption key.\n\nSalt:" + base64.b64encode(nacl.utils.random(32)).decode()
    sig = bytes(Account.sign_message(encode_defunct(text=salt_msg), wallet).signature)
    inner = json.dumps({"data": base64.b64encode(nb_sk).decode()}, separators=(",", ":")).encode()
    data = base64.b64encode(bytes(nacl.secret.SecretBox(keccak(sig)).encrypt(inner))).decode()
    stored_file.write_text(json.dumps({"data": data, "salt": salt_msg}, separators=(",", ":")))
    out_key = wdir / "unwrapped.json"

    def key_check(r):
        try:
            got = base64.b64decode(json.loads(out_key.read_text())["private_key"])
        except Exception as e:  # noqa: BLE001
            return f"cannot read the written key file: {e}"
        return None if got == nb_sk else "the written key file holds another key"

    cmd = [a.nbkey, "unwrap", "--private-key-file", str(wallet_file), str(stored_file), "-o", str(out_key)]
    rm(out_key)
    probe = run_once(cmd, work)
    if probe.rc == 0 and key_check(probe) is None:
        m = measure("nbkey unwrap v2", cmd, runs, work, lambda: rm(out_key), key_check)
        if m:
            rows.append({"what": "v2 unwrap (sign salt, keccak, secretbox open, write key file)", "tool": "nbkey unwrap",
                         "seconds": m.wall, "rss_mib": m.rss_mib, "note": "whole process"})
    else:
        first = (probe.stderr.strip().splitlines() or [""])[0]
        note = f"not supported yet (exit {probe.rc}: {first})" if probe.rc == 64 else f"FAILED (exit {probe.rc}: {first})"
        if probe.rc != 64:
            failures.append(f"nbkey unwrap v2: {note}")
        rows.append({"what": "v2 unwrap (sign salt, keccak, secretbox open, write key file)", "tool": "nbkey unwrap",
                     "seconds": None, "rss_mib": None, "note": note})
    m = measure("eth-account + PyNaCl unwrap v2", [PY, PYJOBS, "unwrap-v2", str(wallet_file), str(stored_file), str(out_key)],
                runs, work, lambda: rm(out_key), key_check)
    if m:
        rows.append({"what": "v2 unwrap (sign salt, keccak, secretbox open, write key file)",
                     "tool": "eth-account + PyNaCl (fresh python, incl. import)", "seconds": m.wall, "rss_mib": m.rss_mib,
                     "note": "whole process"})
        rows.append({"what": "v2 unwrap (sign salt, keccak, secretbox open, write key file)",
                     "tool": "eth-account + PyNaCl (the code alone)", "seconds": m.kv["call_seconds"], "rss_mib": None,
                     "note": ""})
    rm(out_key)
    return rows


# ---------------------------------------------------------------- report

def fmt(x, spec=".2f", none="–"):
    return none if x is None else format(x, spec)


def machine_info(a) -> dict:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    sodium = subprocess.run(["pkg-config", "--modversion", "libsodium"], capture_output=True, text=True).stdout.strip()
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    from importlib.metadata import version
    balloon = "no virtio-balloon"
    for d in Path("/sys/bus/virtio/devices").glob("*") if Path("/sys/bus/virtio/devices").exists() else []:
        try:
            if (d / "device").read_text().strip() == "0x0005":
                feats = (d / "features").read_text().strip()
                balloon = "virtio-balloon with free page reporting" if len(feats) > 5 and feats[5] == "1" \
                    else "virtio-balloon without free page reporting"
        except OSError:
            pass
    return {
        "balloon": balloon,
        "nproc": os.cpu_count() and subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
        "cpu": cpu, "kernel": platform.release(), "memory": mem,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": a.nbkey_built,
        "nbkey": f"{a.nbkey} ({subprocess.run([a.nbkey, '--version'], capture_output=True, text=True).stdout.strip()})",
        "libsodium": sodium, "python": platform.python_version(),
        "pynacl": version("PyNaCl"), "numerbay": version("numerbay"), "eth_account": version("eth-account"),
        "thp": open("/sys/kernel/mm/transparent_hugepage/enabled").read().strip()
        if os.path.exists("/sys/kernel/mm/transparent_hugepage/enabled") else "?",
    }


def find(rows, op, tool, size):
    for r in rows:
        if r.op == op and r.tool == tool and r.size == size and r.measured and r.seconds:
            return r
    return None


def disk_floor(rows, op, size):
    """Seconds of the faster copy + fsync without crypto (buffered or direct) of this file."""
    times = [r.seconds for t in COPIES if (r := find(rows, op, t, size))]
    return min(times) if times else None


def report(a, info, rows, main_size, multi, startup, wallet, load_before, load_after, elapsed) -> tuple[str, list[str]]:
    L = []
    mode = "quick (--quick: 64 MiB + 256 MiB)" if a.quick else "full (64 MiB, 1 GiB, 4 GiB)"
    main_lab = size_label(main_size)
    L.append("# nbkey benchmark results\n")
    L.append(f"- run: {mode}, {elapsed / 60:.1f} min, `bench/run{' --quick' if a.quick else ''}`")
    L.append(f"- machine: {info['nproc']} CPUs (`nproc`), {info['cpu']}, {info['memory']} RAM, kernel {info['kernel']}, "
             f"transparent huge pages `{info['thp']}`, "
             f"{info['balloon']}")
    L.append(f"- load average before / after: {load_before} / {load_after} (other work on the machine shows up here)")
    L.append(f"- date: {info['date']}; nbkey built from {info['commit']}; binary {info['nbkey']}")
    L.append(f"- libsodium {info['libsodium']}, Python {info['python']}, PyNaCl {info['pynacl']}, "
             f"numerbay {info['numerbay']}, eth-account {info['eth_account']}")
    L.append("- wall time = median of the runs (4 GiB: 1 run), files in the page cache, `sync` before every run; "
             "throughput = plaintext bytes / wall (MB = 10^6 B); peak RSS = `/usr/bin/time -v` "
             "\"Maximum resident set size\" (max over the runs). Python rows: time of the user code alone "
             "(no interpreter start-up / imports, which would only make them slower); their RSS is the whole process.\n")

    L.append("## Sealed files (file to file)\n")
    L.append("| Operation | Tool | Size | Runs | Wall (s, median) | Min–max (s) | MB/s | GiB/s | Peak RSS (MiB) | Notes |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    order = [T_NBKEY, T_ONESHOT, T_ONESHOT_FSYNC, T_COPY, T_COPY_DIRECT, T_CRYPTO, T_CRYPTO_PF, T_CRYPTO_THP, T_NUMERBAY, T_PYNACL]
    for op in ("decrypt", "encrypt"):
        for size in sorted({r.size for r in rows}):
            for tool in order:
                for r in rows:
                    if r.op == op and r.size == size and r.tool == tool:
                        spread = f"{r.spread[0]:.3f}–{r.spread[1]:.3f}" if r.spread and r.runs > 1 else "–"
                        L.append(f"| {op} | {tool} | {size_label(size)} | {r.runs or '–'} | {fmt(r.seconds, '.3f')} | "
                                 f"{spread} | "
                                 f"{fmt(r.mbps(), '.0f')} | {fmt(r.gibps(), '.2f')} | {fmt(r.rss_mib, '.1f')} | {r.notes} |")
    L.append("")

    # Ratios on the main size
    L.append(f"## Ratios ({main_lab}, same run)\n")
    L.append("| Ratio | decrypt | encrypt |")
    L.append("|---|---|---|")
    ratios = {}
    for op in ("decrypt", "encrypt"):
        nbk = find(rows, op, T_NBKEY, main_size)
        def q(tool):
            r = find(rows, op, tool, main_size)
            return r.seconds / nbk.seconds if (r and nbk) else None
        nbr = find(rows, op, T_NUMERBAY, main_size)
        cp = disk_floor(rows, op, main_size)
        ratios[op] = {
            "numerbay_process": nbr.process_seconds / nbk.seconds if (nbr and nbk and nbr.process_seconds) else None,
            "numerbay_fsync": nbr.fsync_seconds / nbk.seconds if (nbr and nbk and nbr.fsync_seconds) else None,
            "copy": cp / nbk.seconds if (cp and nbk) else None,
            # How far ahead of numerbay any durable job could be: the disk alone, with no crypto at all.
            "numerbay_disk": nbr.seconds / cp if (nbr and cp) else None,
            "oneshot": q(T_ONESHOT), "oneshot_fsync": q(T_ONESHOT_FSYNC), "crypto": q(T_CRYPTO), "crypto_pf": q(T_CRYPTO_PF),
            "pynacl": q(T_PYNACL), "numerbay": q(T_NUMERBAY),
            "rss": (nbr.rss_mib / nbk.rss_mib) if (nbr and nbk and nbk.rss_mib) else None,
        }
    names = [("oneshot", "nbkey / one-shot file-to-file (throughput)"),
             ("oneshot_fsync", "nbkey / one-shot + fsync file-to-file (like for like)"),
             ("crypto", "nbkey file-to-file / one-shot crypto only (fresh buffer)"),
             ("crypto_pf", "nbkey file-to-file / one-shot crypto only (pre-faulted buffer)"),
             ("copy", "nbkey / the faster copy + fsync without crypto (1.0 = as fast as the disk allows)"),
             ("numerbay", "nbkey / numerbay (throughput; numerbay = its call alone)"),
             ("numerbay_process", "nbkey / numerbay (throughput; numerbay = whole python process)"),
             ("numerbay_fsync", "nbkey / numerbay (throughput; numerbay = its call + an fsync of its output, "
                                "as durable as nbkey's)"),
             ("numerbay_disk", "the faster copy + fsync without crypto / numerbay (the most any durable job can reach)"),
             ("pynacl", "nbkey / PyNaCl (throughput)"),
             ("rss", "numerbay peak RSS / nbkey peak RSS")]
    for k, text in names:
        L.append(f"| {text} | {fmt(ratios['decrypt'][k])}× | {fmt(ratios['encrypt'][k])}× |")
    L.append("")

    # Multi-recipient
    copy_sizes = {c.size for c in rows if c.op == "encrypt" and c.tool in COPIES and c.measured and c.seconds}
    for r in multi.get("rows", []):
        # Disk rate for 8 × size bytes: the disk floor of the size closest to that (the rate drops
        # for big writes once the host's write cache fills).
        near = min(copy_sizes, key=lambda z: abs(math.log(z / (8 * r["size"])))) if copy_sizes else None
        r["disk_seconds"] = 8 * r["size"] * disk_floor(rows, "encrypt", near) / near if near else None
        r["cpu_bound"] = r["cpu_seconds"] / (os.cpu_count() or 1)
        r["best_ratio"] = max(r["disk_seconds"] or 0, r["cpu_bound"]) / (8 * r["one_seconds"])
    L.append("## Multi-recipient sealing (8 recipients, one read of IN)\n")
    L.append("| Size | Runs | `encrypt --to K1 … --to K8 IN -o DIR` (s) | 8 × one-recipient encrypt (s) | Ratio (target ≤ 0.6) "
             "| 8 × copy + fsync, no crypto (s) | its CPU time / cores (s) | Floor estimate for the ratio | Peak RSS (MiB) |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    if not multi["supported"]:
        L.append(f"| {main_lab} | – | {multi['note']} | – | – | – | – | – | – |")
    for r in multi.get("rows", []):
        L.append(f"| {size_label(r['size'])} | {r['runs']} | {r['seconds']:.3f} | {8 * r['one_seconds']:.3f} | "
                 f"{r['ratio']:.2f} | {fmt(r['disk_seconds'], '.3f')} | {r['cpu_bound']:.3f} | {fmt(r['best_ratio'])} | "
                 f"{fmt(r['rss_mib'], '.1f')} |")
    if multi["supported"]:
        L.append(f"\nDIR {'was created empty before each run' if multi['dir_must_exist'] else 'did not exist before each run'}; "
                 "8 files checked each run (sizes; at 64 MiB each opened with PyNaCl by exactly one of the 8 keys, "
                 "plaintext compared). One-recipient time = the nbkey encrypt row above (same size, same rounds). "
                 "Eight recipients means eight times the bytes written and fsynced, and eight keystreams and "
                 "Poly1305 passes: only the read is shared. Two bounds follow. \"8 × copy + fsync\" is the time the "
                 "disk alone needs to write 8 × size bytes, at the rate of the faster copy row (buffered or direct) "
                 "whose size is closest to 8 × size. \"Its CPU time / cores\" is the 8-recipient run's own user + "
                 "sys time spread over every core, the least wall time that work can take. The ratio cannot go "
                 "below about the larger of the two over 8 × one-recipient time (\"floor estimate\"), "
                 "however the work is scheduled (an estimate: dd writes one block at a time, nbkey keeps two in flight, "
                 "so nbkey can land a little below it). Note that a faster one-recipient encrypt raises that bound: "
                 "once one recipient already keeps both cores or the disk busy, eight can only take about eight "
                 "times as long.")
    L.append("")

    # Startup
    L.append("## Start-up\n")
    L.append("| Command | Median (ms) | Method |")
    L.append("|---|---|---|")
    for name, r in startup.items():
        L.append(f"| `{name}` | {r['ms']:.2f} | {r['method']} |")
    L.append("")

    # Wallet
    L.append("## Keystore V3 decryption and v2 unwrap\n")
    L.append("| Job | Tool | Wall (s, median of runs) | Peak RSS (MiB) | Notes |")
    L.append("|---|---|---|---|---|")
    for r in wallet:
        L.append(f"| {r['what']} | {r['tool']} | {fmt(r['seconds'], '.3f', r['note'] if r['seconds'] is None else '–')} | "
                 f"{fmt(r['rss_mib'], '.1f')} | {'' if r['seconds'] is None else r['note']} |")
    L.append("")

    # Targets
    targets = []

    def t(text, ok, value):
        state = "not measured" if ok is None else ("met" if ok else "not met")
        targets.append(f"target: {text}: {state}" + (f" ({value})" if value else ""))

    for op in ("decrypt", "encrypt"):
        rr = ratios[op]
        t(f"{op} ≥ 1.5× one-shot file-to-file", None if rr["oneshot"] is None else rr["oneshot"] >= 1.5,
          f"{rr['oneshot']:.2f}×" if rr["oneshot"] else "")
        t(f"{op} ≥ 1.0× one-shot crypto-only", None if rr["crypto"] is None else rr["crypto"] >= 1.0,
          f"{rr['crypto']:.2f}×; vs the pre-faulted crypto-only: {fmt(rr['crypto_pf'])}×" if rr["crypto"] else "")
        t(f"{op} ≥ 5× numerbay throughput", None if rr["numerbay"] is None else rr["numerbay"] >= 5,
          f"{rr['numerbay']:.2f}× vs numerbay's call alone; {fmt(rr['numerbay_process'])}× vs its whole process; "
          f"{fmt(rr['numerbay_fsync'])}× vs its call + an fsync of its output (as durable as nbkey's); "
          f"a copy + fsync with no crypto at all reaches {fmt(rr['numerbay_disk'])}× here"
          if rr["numerbay"] else "")
        t(f"{op} ≤ 1/100 numerbay RSS", None if rr["rss"] is None else rr["rss"] >= 100,
          f"numerbay uses {rr['rss']:.0f}× nbkey's" if rr["rss"] else "")
    nb_rss = [r for r in rows if r.tool == T_NBKEY and r.rss_mib]
    worst = max(nb_rss, key=lambda r: r.rss_mib) if nb_rss else None
    t("peak RSS ≤ 32 MiB at every size", None if not worst else all(r.rss_mib <= 32 for r in nb_rss),
      (f"max {worst.rss_mib:.1f} MiB ({worst.op} {size_label(worst.size)})" if worst else "")
      + "".join(f"; 8-recipient encrypt {size_label(r['size'])}: {r['rss_mib']:.1f} MiB" for r in multi.get("rows", [])))
    mrow = next((r for r in multi.get("rows", []) if r["size"] == main_size), None)
    if multi["supported"] and mrow:
        t("8 recipients ≤ 0.6 × 8 × one", mrow["ratio"] <= 0.6,
          f"{mrow['ratio']:.2f} at {main_lab}; the disk and CPU bounds of this run put the floor at about "
          f"{fmt(mrow.get('best_ratio'))}")
    else:
        targets.append(f"target: 8 recipients ≤ 0.6 × 8 × one: {multi['note'] or 'not measured'}")
    if startup:
        worst_ms = max(r["ms"] for r in startup.values())
        t("startup ≤ 30 ms", worst_ms <= 30, "; ".join(f"{k} {v['ms']:.1f} ms" for k, v in startup.items()))
    L.append("## Why the one-shot crypto call is slow on fresh buffers\n")
    for size in sorted({r.size for r in rows if r.size >= main_size}):
        for op in ("decrypt", "encrypt"):
            fresh, pf, thp = (find(rows, op, x, size) for x in (T_CRYPTO, T_CRYPTO_PF, T_CRYPTO_THP))
            if fresh and pf:
                L.append(f"- {op} {size_label(size)}: {fresh.gibps() * GiB / 1e9:.2f} GB/s into a fresh malloc'd buffer, "
                         f"{pf.gibps() * GiB / 1e9:.2f} GB/s into a pre-faulted one"
                         + (f", {thp.gibps() * GiB / 1e9:.2f} GB/s into a huge-page one" if thp else "") + ".")
    L.append("- The one-shot call writes its whole output into memory that the process has never touched: every "
             "4 KiB page costs a page fault (the kernel zeroes it), and in a VM whose freed memory goes back to the "
             f"host ({info['balloon']} here) the host must also back the page again. That cost (the µs per page "
             "in the pre-faulted rows) is paid inside the crypto call and grows with the size, which is why the "
             "crypto-only figure is far below libsodium's in-cache speed on big files. Huge pages cut the fault count "
             "512× but not the zeroing, and with THP defrag `madvise` the kernel may compact memory synchronously to "
             "find free 2 MiB pages, so they help only partly, and not at all under memory pressure. The cost per page "
             "rises with memory pressure: at 4 GiB the one-shot needs 8 GiB while the page cache holds the test files, "
             "so once free memory runs out the faults must reclaim page cache as they go (MemFree before each run is "
             "in the notes). nbkey streams through one small buffer, so it pays none of this.\n")
    L.append("## Targets\n")
    L.extend(f"- {x}" for x in targets)
    L.append("")
    if failures:
        L.append("## FAILURES\n")
        L.extend(f"- {f}" for f in failures)
        L.append("")
    return "\n".join(L), targets


def chart(rows, main_size, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tools = [T_NBKEY, T_ONESHOT, T_ONESHOT_FSYNC, T_COPY, T_COPY_DIRECT, T_CRYPTO, T_CRYPTO_PF, T_NUMERBAY, T_PYNACL]
    short = {T_NBKEY: "nbkey", T_ONESHOT: "one-shot\nfile→file", T_ONESHOT_FSYNC: "one-shot\n+fsync",
             T_COPY: "copy+fsync\n(no crypto)", T_COPY_DIRECT: "direct copy\n+fsync",
             T_CRYPTO: "one-shot\ncrypto only", T_CRYPTO_PF: "crypto only\npre-faulted", T_NUMERBAY: "numerbay",
             T_PYNACL: "PyNaCl"}
    colors = {T_NBKEY: "#1f77b4", T_ONESHOT: "#7f7f7f", T_ONESHOT_FSYNC: "#a0a0a0", T_COPY: "#17becf", T_COPY_DIRECT: "#9edae5", T_CRYPTO: "#bcbd22",
              T_CRYPTO_PF: "#dbdb8d", T_NUMERBAY: "#d62728", T_PYNACL: "#ff7f0e"}
    fig, axes = plt.subplots(1, 3, figsize=(18, 6.5))
    lab = size_label(main_size)
    for ax, op in zip(axes[:2], ("decrypt", "encrypt")):
        ts = [x for x in tools if find(rows, op, x, main_size)]
        vals = [find(rows, op, x, main_size).mbps() for x in ts]
        bars = ax.bar(range(len(ts)), vals, color=[colors[x] for x in ts])
        ax.bar_label(bars, labels=[f"{v:.0f}" for v in vals], fontsize=8)
        ax.set_xticks(range(len(ts)), [short[x].replace("\n", " ") for x in ts], fontsize=8, rotation=35, ha="right")
        ax.set_ylabel("MB/s (higher is better)")
        ax.set_title(f"{op}, {lab}")
    ax = axes[2]
    ts = [x for x in (T_NBKEY, T_ONESHOT, T_ONESHOT_FSYNC, T_NUMERBAY, T_PYNACL)]
    width = 0.38
    for j, op in enumerate(("decrypt", "encrypt")):
        vals = [(find(rows, op, x, main_size).rss_mib if find(rows, op, x, main_size) else 0) for x in ts]
        bars = ax.bar([i + (j - 0.5) * width for i in range(len(ts))], vals, width, label=op,
                      color=["#1f77b4", "#ff7f0e"][j])
        ax.bar_label(bars, labels=[f"{v:.0f}" if v else "" for v in vals], fontsize=7)
    ax.set_yscale("log")
    ax.set_ylim(bottom=1)
    ax.set_xticks(range(len(ts)), [short[x].replace("\n", " ") for x in ts], fontsize=8, rotation=35, ha="right")
    ax.set_ylabel("peak RSS, MiB (log scale, lower is better)")
    ax.set_title(f"peak RSS, {lab}")
    ax.legend()
    fig.suptitle("nbkey vs libsodium one-shot, numerbay and PyNaCl (same files, same run)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nbkey", required=True)
    ap.add_argument("--nbkey-built", default="unknown sources")
    ap.add_argument("--oneshot", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    work, results = Path(a.work), Path(a.results)
    work.mkdir(parents=True, exist_ok=True)
    results.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    load_before = " ".join(open("/proc/loadavg").read().split()[:3])
    info = machine_info(a)
    keys = Keys(work)

    if a.quick:
        sizes = [(64 * MiB, 5, True), (256 * MiB, 3, True)]
        main_size = 256 * MiB
    else:
        sizes = [(64 * MiB, 5, True), (GiB, 3, True), (4 * GiB, 1, False)]
        main_size = GiB
    try:
        multi_probe = Multi(a, work)
        rows = bench_sizes(a, keys, work, sizes, multi_probe, {64 * MiB, main_size})
        one_enc = {r.size: r.seconds for r in rows if r.op == "encrypt" and r.tool == T_NBKEY}
        multi = multi_probe.result(one_enc)
        startup = bench_startup(a, keys, work)
        wallet = bench_wallet(a, work, 3)
    finally:
        if not a.keep:
            for p in list(work.iterdir()):
                if p.name.startswith(("plain-", "sealed-", "out", "inplace", "back", "multi")):
                    rm(p)
    load_after = " ".join(open("/proc/loadavg").read().split()[:3])
    elapsed = time.perf_counter() - t_start
    text, targets = report(a, info, rows, main_size, multi, startup, wallet, load_before, load_after, elapsed)
    (results / "results.md").write_text(text)
    (results / "results.json").write_text(json.dumps({
        "machine": info, "quick": a.quick, "main_size": main_size, "rows": [r.as_dict() for r in rows],
        "multi": multi, "startup": startup, "wallet": wallet, "targets": targets, "failures": failures,
        "elapsed_seconds": elapsed}, indent=1, ensure_ascii=False))
    chart(rows, main_size, results / "chart.png")
    print(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
