#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, ASan + libFuzzer, scratch path .build-fuzz) and runs each
# for a while. Any crash, trap, sanitizer report, leak, time-out or out-of-memory is a finding:
# the input is saved under .build-fuzz/findings/HARNESS/ and the script exits non-zero.
#
#   scripts/fuzz.sh [--smoke] [--seconds N] [--max-len N] [--parallel N] [--corpus DIR]
#                   [--no-build] [harness…] [-- libFuzzer flags…]
#
#   --smoke        10 s per harness, short inputs (what the test command runs)
#   --seconds N    run each harness N seconds (default 60)
#   --max-len N    longest input libFuzzer makes (default 4096; smoke 1024)
#   --parallel N   run N harnesses at once (default 1)
#   --corpus DIR   where the corpora grow and are kept between runs (default .build-fuzz/corpus)
#   --no-build     use the binary already built
#   harness…       a subset (default: all; `scripts/fuzz.sh --list` names them)
#   -- flags…      passed on to libFuzzer, e.g. -- -jobs=2 -workers=2 -dict=FILE
#
# Ends with `fuzz: N passed, M failed` (N harnesses that ran clean). docs/FUZZING.md has more.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=60
max_len=""
smoke=0
parallel=1
corpus_root=.build-fuzz/corpus
build=1
list=0
harnesses=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1; seconds=10 ;;
    --seconds) seconds="$2"; shift ;;
    --seconds=*) seconds="${1#*=}" ;;
    --max-len) max_len="$2"; shift ;;
    --max-len=*) max_len="${1#*=}" ;;
    --parallel) parallel="$2"; shift ;;
    --parallel=*) parallel="${1#*=}" ;;
    --corpus) corpus_root="$2"; shift ;;
    --corpus=*) corpus_root="${1#*=}" ;;
    --no-build) build=0 ;;
    --list) list=1 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) harnesses+=("$1") ;;
  esac
  shift
done
[ -n "$max_len" ] || { [ $smoke = 1 ] && max_len=1024 || max_len=4096; }

scratch=.build-fuzz
# A trap goes straight to libFuzzer's handler (which saves the input and prints the stack); Swift's
# own backtracer would first spend up to 30 s symbolicating an ASan process.
export SWIFT_BACKTRACE=enable=no
bin="$scratch/release/nbkey-fuzz"

if [ $build = 1 ]; then
  [ -x scripts/deps.sh ] && scripts/deps.sh build
  swift_bin="$(command -v swift)" || { echo "fuzz.sh: no swift on PATH" >&2; exit 2; }
  toolchain_bin="$(dirname "$(readlink -f "$swift_bin")")"
  # The toolchain's lld: GNU gold (the default) fails linking the ASan runtime (internal error
  # in format_file_lineno); lld ships with every Swift toolchain.
  lld="$toolchain_bin/ld.lld"
  [ -x "$lld" ] || lld="$(command -v ld.lld)" || { echo "fuzz.sh: no ld.lld next to swift or on PATH" >&2; exit 2; }
  mkdir -p "$scratch"
  printf '{"schemaVersion": "1.0", "linker": {"path": "%s"}}\n' "$lld" > "$scratch/toolset.json"
  echo "== building nbkey-fuzz (release, -sanitize=fuzzer,address) in $scratch"
  # NBKEY_FUZZ=1 adds the nbkey-fuzz target to Package.swift; only it and what it needs are built.
  if ! NBKEY_FUZZ=1 swift build --scratch-path "$scratch" -c release --product nbkey-fuzz --toolset "$scratch/toolset.json" \
      -Xswiftc -sanitize=fuzzer,address >"$scratch/build.log" 2>&1; then
    tail -40 "$scratch/build.log"
    echo "fuzz.sh: build failed (full log: $scratch/build.log)"
    echo "fuzz: 0 passed, 1 failed"
    exit 1
  fi
fi
[ -x "$bin" ] || { echo "fuzz.sh: $bin is not built (drop --no-build)" >&2; exit 2; }

all=($("$bin" list))
if [ $list = 1 ]; then printf '%s\n' "${all[@]}"; exit 0; fi
[ ${#harnesses[@]} -gt 0 ] || harnesses=("${all[@]}")
for h in "${harnesses[@]}"; do
  printf '%s\n' "${all[@]}" | grep -qx -- "$h" || { echo "fuzz.sh: no harness $h (have: ${all[*]})" >&2; exit 2; }
done

# Seeds that need the harnesses' fixed keys (tiny KDF costs, their own wallets): made by the binary.
rm -rf "$scratch/seeds"
"$bin" seeds "$scratch/seeds" || { echo "fuzz.sh: nbkey-fuzz seeds failed"; echo "fuzz: 0 passed, 1 failed"; exit 1; }

run_one() {
  local h="$1"
  local work="$scratch/work/$h" findings="$scratch/findings/$h" corpus="$corpus_root/$h"
  rm -rf "$work"
  mkdir -p "$work" "$findings" "$corpus"
  touch "$work/start"
  local flags=(-max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=20
               -max_len="$max_len" -artifact_prefix="$PWD/$findings/" -close_fd_mask=1)
  # The sealed-file pipeline's reader thread runs on libdispatch workers whose allocations outlive
  # a run, which makes libFuzzer's per-input leak check scan memory on nearly every input (3x
  # slower). LeakSanitizer still checks the whole process when it exits.
  case "$h" in sealed-file|sealed-roundtrip|multi-seal) flags+=(-detect_leaks=0) ;; esac
  # Member names, values and boundary numbers for the harnesses that read JSON.
  case "$h" in
    json|key-file|protected-key-file|envelope|v2-unwrap|v2-inner|wrapped-key-input|keystore-v3|recipients)
      flags+=(-dict="$PWD/fuzz/json.dict") ;;
  esac
  local dirs=("$PWD/$corpus")
  for d in "fuzz/corpus/$h" "$scratch/seeds/$h"; do [ -d "$d" ] && dirs+=("$PWD/$d"); done
  local abs_bin="$PWD/$bin"
  (cd "$work" && "$abs_bin" "$h" "${flags[@]}" "${extra[@]}" "${dirs[@]}" >run.log 2>&1)
  local rc=$?
  local units
  units="$(cat "$work"/run.log "$work"/fuzz-*.log 2>/dev/null | awk '/stat::number_of_executed_units:/ {s += $2} END {print s + 0}')"
  local new_findings
  new_findings="$(find "$findings" -type f -newer "$work/start" -printf '%f\n')"
  if [ $rc -eq 0 ] && [ -z "$new_findings" ]; then
    echo "PASS $h: $units executions in ${seconds}s (corpus $(ls "$corpus" | wc -l) files)" > "$work/result"
  else
    {
      echo "FAIL $h: exit $rc after $units executions"
      grep -h -m 8 -E "ERROR: |fuzz check failed|Fatal error|runtime error|SUMMARY|Test unit written" "$work"/run.log "$work"/fuzz-*.log 2>/dev/null | sed 's/^/    /'
      for f in $new_findings; do
        echo "    finding: $findings/$f"
        echo "    reproduce: $bin $h $findings/$f"
      done
      echo "    log: $work/run.log"
    } > "$work/result"
  fi
}

echo "== fuzzing ${#harnesses[@]} harness(es), ${seconds}s each, -max_len=$max_len${extra:+, extra: ${extra[*]}}"
pids=()
for h in "${harnesses[@]}"; do
  run_one "$h" &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n; done
done
wait

passed=0
failed=0
for h in "${harnesses[@]}"; do
  result="$scratch/work/$h/result"
  if [ -f "$result" ] && head -1 "$result" | grep -q '^PASS'; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    [ -f "$result" ] || echo "FAIL $h: no result" > "$result"
  fi
  cat "$result"
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
