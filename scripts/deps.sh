#!/usr/bin/env bash
# Installs the Debian packages nbkey needs that are missing (as root; via sudo otherwise).
# Usage: scripts/deps.sh [build|test]   (test adds the browser and the tools the tests use)
set -euo pipefail
packages=(libsodium-dev libsecp256k1-dev libssl-dev pkg-config)
if [ "${1:-build}" = test ]; then
  packages+=(chromium chromium-driver node-tweetnacl time python3-venv)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
