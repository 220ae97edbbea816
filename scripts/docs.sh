#!/usr/bin/env bash
# Builds the DocC documentation of the library products into .build/docs/TARGET (static web
# sites; open TARGET/index.html through any static file server, e.g.
# `python3 -m http.server -d .build/docs/NumerBayKeys` and /documentation/numerbaykeys).
# Warnings (a broken symbol link, an unknown article) fail the build.
set -euo pipefail
cd "$(dirname "$0")/.."
for target in NumerBayKeys NumerBayKeysFiles NumerBayBridge; do
  out=".build/docs/$target"
  mkdir -p .build/docs
  echo "== docs: $target -> $out"
  swift package --allow-writing-to-directory "$out" generate-documentation --target "$target" \
    --disable-indexing --transform-for-static-hosting --output-path "$out" --warnings-as-errors
done
