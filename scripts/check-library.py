#!/usr/bin/env python3
"""Checks the shape of the library products (issue 13), from the sources and the symbol graph:

1. every public declaration of NumerBayKeys, NumerBayKeysFiles and NumerBayBridge has a doc
   comment (symbol graph of `swift package dump-symbol-graph`, minimum access level public);
2. no fuzz harness is public in a product (they live in NumerBayKeysFuzzing, not a product);
3. the portable core (Sources/NumerBayKeys) makes no system calls of the process's kind and
   starts no threads, and neither library writes to stdout or stderr, reads the environment,
   changes the umask or limits, or exits.

  scripts/check-library.py [--no-build]   (--no-build: use the symbol graph already dumped)

Prints what is wrong, one line each, and `library: N checks passed, M failed`.
"""
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PRODUCTS = ["NumerBayKeys", "NumerBayKeysFiles", "NumerBayBridge"]

# (pattern, what it means, the folders it is forbidden in)
FORBIDDEN = [
    (r"\bgetenv\s*\(", "reads the environment", ["NumerBayKeys", "NumerBayKeysFiles"]),
    (r"\bumask\s*\(", "changes the process umask", ["NumerBayKeys", "NumerBayKeysFiles"]),
    (r"\bsetrlimit\s*\(", "changes a process limit", ["NumerBayKeys", "NumerBayKeysFiles"]),
    (r"(?<![\w.])(?<!func )(exit|_exit|abort)\s*\(", "ends the process", ["NumerBayKeys", "NumerBayKeysFiles"]),
    (r"(?<![\w.])print\s*\(", "prints", ["NumerBayKeys", "NumerBayKeysFiles"]),
    (r"\b(write|fwrite|fputs|dprintf)\s*\(\s*(1|2|STDOUT_FILENO|STDERR_FILENO|stdout|stderr)\b",
     "writes to stdout or stderr", ["NumerBayKeys", "NumerBayKeysFiles"]),
    (r"\b(stdout|stderr)\b", "names stdout or stderr", ["NumerBayKeys", "NumerBayKeysFiles"]),
    (r"\b(pthread_create|Thread\s*\(|DispatchQueue|Task\s*\{|Task\.detached)", "starts a thread", ["NumerBayKeys"]),
    (r"^\s*import\s+(Glibc|Musl|Darwin|Dispatch|Foundation\.\w*Process)", "imports the C library or Dispatch (system calls)",
     ["NumerBayKeys"]),
    (r"(?<![\w.])(?<!func )(open|read|close|fstat|lseek|pwrite|fsync|mmap)\s*\(", "makes a file system call",
     ["NumerBayKeys"]),
]

failures: list[str] = []
checks = 0


def check(ok: bool, message: str) -> None:
    global checks
    checks += 1
    if not ok:
        failures.append(message)


def code_lines(path: pathlib.Path):
    """Lines with comments and string literals blanked, so prose may name what code may not do."""
    text = path.read_text()
    text = re.sub(r'"""[\s\S]*?"""', lambda m: "\n" * m.group(0).count("\n"), text)
    for number, line in enumerate(text.split("\n"), 1):
        line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
        line = line.split("//", 1)[0]
        yield number, line


def check_sources() -> None:
    for pattern, meaning, folders in FORBIDDEN:
        regex = re.compile(pattern)
        for folder in folders:
            hits = []
            for path in sorted((ROOT / "Sources" / folder).rglob("*.swift")):
                for number, line in code_lines(path):
                    if regex.search(line):
                        hits.append(f"{path.relative_to(ROOT)}:{number}")
            check(not hits, f"Sources/{folder} {meaning}: {', '.join(hits)}")


def symbol_graphs(build: bool) -> dict[str, dict]:
    if build:
        out = subprocess.run(["swift", "package", "dump-symbol-graph", "--minimum-access-level", "public"],
                             cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stdout[-4000:], out.stderr[-4000:])
            sys.exit("check-library: swift package dump-symbol-graph failed")
    graphs = {}
    for module in PRODUCTS:
        found = sorted(ROOT.glob(f".build/*/symbolgraph/{module}.symbols.json"))
        if not found:
            sys.exit(f"check-library: no symbol graph for {module} (drop --no-build)")
        graphs[module] = json.loads(found[-1].read_text())
    return graphs


def check_symbols(graphs: dict[str, dict]) -> None:
    for module, graph in graphs.items():
        public = [s for s in graph["symbols"] if s["accessLevel"] in ("public", "open")]
        # Symbols the compiler makes (a raw-value enum's init(rawValue:)) have no place in the sources.
        ours = [s for s in public if "location" in s]
        missing = [s for s in ours if not (s.get("docComment") or {}).get("lines")]
        documented = len(ours) - len(missing)
        share = 100.0 * documented / len(ours) if ours else 100.0
        print(f"{module}: {documented} of {len(ours)} public declarations documented ({share:.1f}%)")
        details = []
        for s in missing:
            where = s["location"]["uri"].split("/Sources/", 1)[-1]
            line = s["location"]["position"]["line"] + 1
            details.append(f"\n  {s['kind']['displayName'].lower()} {'.'.join(s['pathComponents'])} (Sources/{where}:{line})")
        check(not missing, f"{module}: {len(missing)} public declarations without a doc comment:{''.join(details)}")
        harnesses = [".".join(s["pathComponents"]) for s in public
                     if re.search(r"fuzz|harness", ".".join(s["pathComponents"]), re.I)]
        check(not harnesses, f"{module} exposes fuzz harnesses: {', '.join(harnesses)}")


def main() -> int:
    check_sources()
    check_symbols(symbol_graphs(build="--no-build" not in sys.argv))
    for f in failures:
        print(f"FAIL {f}")
    print(f"library: {checks - len(failures)} checks passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
