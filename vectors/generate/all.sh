#!/bin/sh
# Regenerates every vectors/*.json from its generator. Each generator seeds its own
# random.Random("nbkey-<name>-v1"), so the output is byte-for-byte the committed files
# (with the library versions pinned in Interop/python/requirements.txt).
# Usage (from anywhere): sh vectors/generate/all.sh   [PYTHON=/path/to/python]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PYTHON=${PYTHON:-"$root/.venv/bin/python"}
for name in key_file sealed_box encryption_public_key address keccak256 personal_sign \
            eth_envelope encrypt_safely_padding wrapped_v1 wrapped_v2 \
            bip39 mnemonic_account keystore_v3 protected_key_file; do
    "$PYTHON" "$here/$name.py"
done
