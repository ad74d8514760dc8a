#!/usr/bin/env bash
# Installs the Debian packages vigil needs to build, test and benchmark.
# Idempotent: packages already present are not fetched again, and apt-get
# update runs only when something is actually missing.
set -euo pipefail

BUILD_PKGS=(build-essential cmake pkg-config clang
            libsimdjson-dev libyaml-dev libsqlite3-dev zlib1g-dev libpcap-dev libcmocka-dev
            libpcre2-dev                  # signature engine: regexes (JIT) and the fallback backend
            python3 python3-yaml gzip
            libmaxminddb-dev libmaxmind-db-writer-perl mmdb-bin   # GeoIP, and the writer tests use for their own .mmdb
            softflowd nfdump)       # real flow exporter and collector for the network tests
BENCH_PKGS=(libcjson-dev libjson-c-dev libjansson-dev jq)

# Hyperscan, the faster signature backend, exists in Debian for amd64 only;
# elsewhere vigil builds with PCRE2 alone.
if [ "$(dpkg --print-architecture)" = "amd64" ]; then BUILD_PKGS+=(libhyperscan-dev); fi

want=("${BUILD_PKGS[@]}")
if [ "${1:-}" = "--bench" ]; then want+=("${BENCH_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
