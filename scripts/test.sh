#!/usr/bin/env bash
# Every test: the Swift suite (library + CLI), the Python vector checks and interop, fault and
# hygiene tests (PyNaCl, eth-account, the NumerBay client), the browser check in headless
# Chromium, and a libFuzzer smoke run of every harness.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
scripts/venv.sh
set -e
swift build --build-tests
export NBKEY="$PWD/.build/debug/nbkey"
failed=0
run() { echo "== $*"; "$@" || { echo "FAILED: $*"; failed=1; }; }
run swift test --skip-build
run .venv/bin/python Interop/python/check_vectors.py
run .venv/bin/python Interop/python/check_wycheproof.py
run .venv/bin/python -m pytest -q Interop/python
run .venv/bin/python -m pytest -q Interop/bridge
run .venv/bin/python Interop/browser/run_browser_check.py
# libFuzzer smoke: every parser and decoder harness for 10 s (docs/FUZZING.md for long runs).
run scripts/fuzz.sh --smoke --parallel 2
exit $failed
