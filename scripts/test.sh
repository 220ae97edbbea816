#!/usr/bin/env bash
# Every test: no two paths that differ only by letter case, the Swift suite (library + CLI), the
# Python vector checks and interop, fault and hygiene tests (PyNaCl, eth-account, the NumerBay
# client), the browser check in headless Chromium, and a libFuzzer smoke run of every harness.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0
run() { echo "== $*"; "$@" || { echo "FAILED: $*"; failed=1; }; }
run scripts/check-paths.sh
scripts/deps.sh test
scripts/venv.sh
set -e
swift build --build-tests
export NBKEY="$PWD/.build/debug/nbkey"
run swift test --skip-build
run .venv/bin/python Interop/python/check_vectors.py
run .venv/bin/python Interop/python/check_wycheproof.py
run .venv/bin/python -m pytest -q Interop/python
run .venv/bin/python -m pytest -q Interop/bridge
run .venv/bin/python Interop/browser/run_browser_check.py
# libFuzzer smoke: every parser and decoder harness for 10 s (docs/FUZZING.md for long runs).
run scripts/fuzz.sh --smoke --parallel 2
exit $failed
