#!/usr/bin/env bash
# Builds qanat with ThreadSanitizer in build-tsan (with the C library's malloc)
# and runs what uses threads: the unit tests, then qanat-index and
# qanat-search over short articles made of the paragraphs of corpus/: a new index built
# in parallel parts (written out every 50 passages, merged, its facet table
# written), a run that changes nothing, an update that changes and removes
# articles, and a batch of queries ranked on a second thread. Any report
# stops the program with an error. Installs what is missing from Debian first
# (through scripts/setup.sh). Takes about 6 minutes on 2 cores from scratch.
#
#   scripts/check-tsan.sh
set -euo pipefail
shopt -s failglob
cd "$(dirname "$0")/.."
build=build-tsan

scripts/setup.sh "$build" -DCMAKE_CXX_FLAGS=-fsanitize=thread -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread \
  -DQANAT_JEMALLOC=OFF
grep -q -- '-fsanitize=thread' "$build/CMakeCache.txt" || { echo "check-tsan: $build is not a ThreadSanitizer build" >&2; exit 2; }
test -x "$build/tests/qanat_tests"

export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
"$build/tests/qanat_tests" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/articles"
cp corpus/actors.tsv "$work/articles/"
# Short articles (one paragraph of corpus/ each, several copies): the
# threads hand over many small documents, the case where a handle shared
# across threads shows.
python3 - "$work/articles" <<'PY'
import glob, os, sys
n = 0
for path in sorted(glob.glob("corpus/*.txt")):
    paras = [p.strip() for p in open(path, encoding="utf-8").read().splitlines() if len(p.strip()) > 150]
    for i, p in enumerate(paras):
        for k in range(8):
            with open(os.path.join(sys.argv[1], "%s_%d_%d.txt" % (os.path.basename(path)[:3], i, k)), "w") as f:
                f.write("Copy %d\n\n%s\n" % (k, p))
            n += 1
print("check-tsan: %d articles" % n)
PY
# Two analysis threads and two parts, whatever the machine's cores.
index() { "$build/indexer/qanat-index" --quiet -j 2 --db "$work/index" "$@" "$work/articles"; }
index --flush-every 50
index
for f in "$work"/articles/*_1[0-9]_[01].txt; do echo "A new paragraph on Iran and Iraq in 1988." >>"$f"; done
rm "$work"/articles/*_2_7.txt
index
printf 'Iran\nactor:PMF\nyear:1980..1988 war\nSadr Sudani\nTurkey PKK\n' >"$work/queries"
"$build/searcher/qanat-search" --db "$work/index" --batch "$work/queries" --format jsonl >/dev/null
"$build/searcher/qanat-search" --db "$work/index" --batch "$work/queries" --format jsonl --facet-table never >/dev/null
echo "check-tsan: no reports"
