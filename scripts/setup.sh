#!/usr/bin/env bash
# Installs what qanat needs from Debian (only what is missing) and builds it.
# Idempotent: a second call installs nothing and rebuilds only what changed.
#   scripts/setup.sh [BUILD_DIR] [extra cmake arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true

packages=(g++ cmake ninja-build pkg-config python3
          libxapian-dev xapian-tools libicu-dev libboost-program-options-dev
          doctest-dev nlohmann-json3-dev wamerican libjemalloc-dev zlib1g-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# (A build folder configured before, with any generator, is used as it is.)
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
fi
# The build's messages go to standard error: run.sh's standard output is the
# search's alone (its JSON, for a script). (grep finds nothing to print when
# the build is up to date: only the build's own status counts.)
status=0
cmake --build "$build" --parallel "$(nproc)" 2>&1 | grep -v '^\[' >&2 || status=${PIPESTATUS[0]}
[[ $status -eq 0 ]] || { echo "setup: the build in $build failed" >&2; exit "$status"; }
test -x "$build/indexer/qanat-index" && test -x "$build/searcher/qanat-search"
