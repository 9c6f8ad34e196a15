#!/usr/bin/env bash
# Installs what the project needs to build, test and run, idempotently: Debian packages (only
# those missing) and npm packages from the committed lock files. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and runtime libraries and tools (Debian 12). Never libboost-dev / libboost-all-dev:
# they bring Boost 1.74, which conflicts with 1.81.
packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc libabsl-dev
  libsqlite3-dev libpq-dev libhiredis-dev zlib1g-dev libcli11-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang clang-tidy clang-format cppcheck libclang-rt-14-dev
  curl wrk valgrind
)
# Node.js and npm: the machine image may bring its own (e.g. nodesource's nodejs, which includes
# npm and conflicts with Debian's npm package); install Debian's only when there is none.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
# Servers and tools some tests start themselves (installed here so tests need no network).
packages+=(postgresql redis-server prometheus chromium docker-compose gcovr entr nginx-light python3-yaml)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Debian starts these services on install; the tests start their own on private ports.
  for svc in postgresql redis-server prometheus nginx; do
    $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || $SUDO service "$svc" stop >/dev/null 2>&1 || true
  done
else
  echo "setup: Debian packages present"
fi

# npm packages, exactly as locked, for every folder that has a lock file.
while IFS= read -r lock; do
  dir=$(dirname "$lock")
  if [ ! -d "$dir/node_modules" ] || [ "$lock" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done < <(git ls-files '*package-lock.json' 2>/dev/null || find . -name package-lock.json -not -path '*/node_modules/*')
echo "setup: done"
