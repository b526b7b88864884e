#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ in build-fuzz (clang, with
# AddressSanitizer and UndefinedBehaviorSanitizer) and runs each for SECONDS
# (default 30) over its seeds (tests/fuzz/seeds/TARGET), its regression inputs
# (tests/fuzz/regressions/TARGET) and, for the targets that read article
# text, corpus/. Fails if any target crashes, leaks, hangs or breaks one of its
# invariants; the input that did it is kept in build-fuzz/fuzz-artifacts/TARGET/
# (copy it into tests/fuzz/regressions/TARGET/ once the bug is understood).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     # targets: normalize passages entities jsonl decode search
#
# Installs what is missing from Debian first (clang, libclang-rt-14-dev and
# what scripts/setup.sh installs). New inputs found are kept between runs in
# build-fuzz/fuzz-corpus/TARGET. Takes about 6 x SECONDS plus the first build
# (about 3 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${1:-30}
shift || true
all=(normalize passages entities jsonl decode search)
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")
build=build-fuzz

packages=(clang libclang-rt-14-dev cmake ninja-build pkg-config python3
          libxapian-dev libicu-dev libboost-program-options-dev
          doctest-dev nlohmann-json3-dev wamerican)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "fuzz: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -f $build/build.ninja ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DQANAT_FUZZ=ON >/dev/null
fi
cmake --build "$build" --target fuzzers -- -j"$(nproc)" | grep -v '^\[' || true

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export LSAN_OPTIONS=suppressions=$root/tests/sanitizers/lsan.supp
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

failed=()
printf '%-10s %12s %8s  %s\n' target executions seconds result
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_$t
  [[ -x $bin ]] || { echo "fuzz: no target '$t' (targets: ${all[*]})" >&2; exit 2; }
  work=$build/fuzz-corpus/$t
  art=$build/fuzz-artifacts/$t
  log=$build/fuzz-logs/$t.log
  mkdir -p "$work" "$art" "$(dirname "$log")"
  dirs=("$work" tests/fuzz/seeds/"$t")
  [[ -d tests/fuzz/regressions/$t ]] && dirs+=(tests/fuzz/regressions/"$t")
  opts=(-max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$art/")
  case $t in  # longer inputs for the splitter; short ones run faster elsewhere
    passages) dirs+=(corpus); opts+=(-max_len=16384) ;;
    normalize|entities|decode) dirs+=(corpus); opts+=(-max_len=8192) ;;
    jsonl) opts+=(-max_len=4096) ;;
    # The index's caches (the stemmer's, Xapian's) grow by design, and every
    # growth would make libFuzzer scan the heap for leaks: three times slower.
    search) opts+=(-max_len=4096 -detect_leaks=0) ;;
  esac
  start=$(date +%s)
  if "$bin" "${opts[@]}" "${dirs[@]}" >"$log" 2>&1; then result=ok; else result="FAILED (see $log)"; failed+=("$t"); fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  printf '%-10s %12s %8s  %s\n' "$t" "${runs:-?}" "$(($(date +%s) - start))" "$result"
done
if ((${#failed[@]})); then
  echo "fuzz: ${failed[*]} failed; inputs in $build/fuzz-artifacts/" >&2
  exit 1
fi
