#!/usr/bin/env python3
"""Per-query latency of qanat-search under each --facet-table mode (or
--no-facets), measured like bench/run.py: one process, 1000 queries from
bench/queries.txt written to its standard input one at a time.

    python3 bench/facet_table.py INDEX never auto always nofacets
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as R  # noqa: E402


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip())
    idx = sys.argv[1]
    queries = [q.strip() for q in open(R.QUERIES, encoding="utf-8") if q.strip()]
    lq = [queries[i % len(queries)] for i in range(1000)]
    for mode in sys.argv[2:]:
        extra = ["--no-facets"] if mode == "nofacets" else ["--facet-table", mode]
        times, failures = R.pipe_latency([R.QANAT_SEARCH, "--db", idx, "--batch", "-", "--format", "jsonl"] + extra,
                                         lq, False, os.path.join(R.OUT, "facet_table.err"))
        ms = sorted(x * 1000 for x in times)
        print("%s p50 %.2f p90 %.2f p99 %.2f mean %.2f max %.1f failures %d" % (
            mode, R.percentile(ms, 50), R.percentile(ms, 90), R.percentile(ms, 99),
            sum(ms) / len(ms), ms[-1], len(failures)))
        by_query = {}
        for q, t in zip(lq, times):
            by_query.setdefault(q, []).append(t * 1000)
        median = {q: sorted(v)[len(v) // 2] for q, v in by_query.items()}
        slow = sorted(median.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
        print("  slowest (median ms):", ", ".join("%s %.1f" % kv for kv in slow))


if __name__ == "__main__":
    main()
