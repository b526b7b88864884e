#!/usr/bin/env bash
# Installs, builds, indexes corpus/ and runs a search: ./run.sh PMF disarm
# Arguments go to qanat-search (try ./run.sh --help).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh build
# Exit 1 is "done with warnings"; an index from an older qanat is rebuilt.
rc=0; build/indexer/qanat-index --quiet --db .qanat/index corpus 2>.qanat-index.log || rc=$?
if ((rc == 2)) && grep -q -- "--rebuild" .qanat-index.log; then
  rc=0; build/indexer/qanat-index --quiet --rebuild --db .qanat/index corpus 2>.qanat-index.log || rc=$?
fi
cat .qanat-index.log >&2; rm -f .qanat-index.log
((rc <= 1)) || exit "$rc"
if (($# == 0)); then set -- PMF disarm; fi
exec build/searcher/qanat-search --db .qanat/index "$@"
