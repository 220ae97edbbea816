#!/usr/bin/env bash
# Creates .venv with the independent implementations the interop tests use (pinned versions).
set -euo pipefail
cd "$(dirname "$0")/.."
req=Interop/python/requirements.txt
stamp=.venv/.requirements
if [ -x .venv/bin/python ] && cmp -s "$req" "$stamp"; then exit 0; fi
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r "$req"
cp "$req" "$stamp"
