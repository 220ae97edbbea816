#!/usr/bin/env bash
# The main job, end to end and offline: make a key pair, seal a sample file to it, open it
# again, and check that the bytes match.
set -euo pipefail
cd "$(dirname "$0")/.."
nbkey=${NBKEY:-.build/release/nbkey}
work=demo-out
rm -rf "$work"
mkdir -p "$work"
echo "== nbkey keygen: a NumerBay key pair in $work/numerbay.json (mode 0600)"
pub=$("$nbkey" keygen -o "$work/numerbay.json")
echo "public key: $pub"
echo "== a 20 MiB sample file (like a predictions upload)"
head -c $((20 << 20)) /dev/urandom > "$work/predictions.csv"
echo "== nbkey encrypt: sealed to that public key, as a seller delivers it"
"$nbkey" encrypt --to "$pub" "$work/predictions.csv" -o "$work/predictions.csv.sealed"
echo "== nbkey decrypt: opened offline with the key file, as the buyer does"
"$nbkey" decrypt --key "$work/numerbay.json" "$work/predictions.csv.sealed" -o "$work/predictions.opened.csv"
ls -l "$work"
if cmp -s "$work/predictions.csv" "$work/predictions.opened.csv"; then
  echo "OK: the decrypted bytes match the original ($(sha256sum < "$work/predictions.csv" | cut -c1-16)…)"
else
  echo "FAILED: the decrypted bytes differ" >&2
  exit 1
fi
