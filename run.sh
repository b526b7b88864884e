#!/usr/bin/env bash
# Installs, builds, indexes corpus/ and runs a search: ./run.sh PMF disarm
# Arguments go to qanat-search (try ./run.sh --help).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh build
build/indexer/qanat-index --quiet --db .qanat/index corpus || [[ $? -eq 1 ]]
if (($# == 0)); then set -- PMF disarm; fi
exec build/searcher/qanat-search --db .qanat/index "$@"
