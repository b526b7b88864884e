#!/usr/bin/env bash
# Counts the instructions a fresh build takes (valgrind's callgrind): a
# measure of the indexer's work that does not move with the machine's load,
# as wall time does by 5-10 % here. For changes that claim less work with the
# same index; wall time against peers is still run.py's.
#
#   bench/instructions.sh [BIN] [N]
#
# BIN: a qanat-index (default build-bench/indexer/qanat-index); N: how many
# Reuters stories, the first by number (default 2000; the whole 1x takes
# about 10 minutes under callgrind). Prints the total; the same binary gives
# the same count to about 0.03 %. Needs valgrind and bench/data/reuters-x1
# (run.py makes it).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build-bench/indexer/qanat-index}
n=${2:-2000}
src=bench/data/reuters-x1/txt
[[ -d $src ]] || { echo "instructions: $src not found (python3 bench/run.py --quick makes it)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "instructions: valgrind not installed (apt-get install valgrind)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
mapfile -t files < <(ls "$src" | sort -n | head -n "$n")
for f in "${files[@]}"; do cp "$src/$f" "$work/src/"; done
valgrind --tool=callgrind --callgrind-out-file="$work/out" "$bin" --quiet --db "$work/db" "$work/src" \
  >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 2; }
awk '/^totals:/ {print $2}' "$work/out"
