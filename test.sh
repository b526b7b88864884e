#!/usr/bin/env bash
# Installs, builds and runs every test: ./test.sh
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh build
ctest --test-dir build --output-on-failure -j2
# The command-line contract, where the shared checks are present.
if [[ -x ../shared/checks/contract ]]; then
  ../shared/checks/contract build
fi
