#!/usr/bin/env python3
"""Plot the scale figures of bench/out/results.json (matplotlib, Debian's python3-matplotlib).

    plot_scale.py RESULTS.json OUT.png

Left: indexing wall time against stories; right: per-query latency p50
(solid) and p99 (dashed). One line per system measured at every size.
"""

import json
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: plot_scale.py RESULTS.json OUT.png")
    with open(sys.argv[1]) as f:
        results = json.load(f)
    sizes = sorted(results["sizes"].items(), key=lambda kv: int(kv[0]))
    names = results["args"]["scale_systems"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for i, name in enumerate(names):
        color = "C%d" % i
        xs = [res["stories"] for _, res in sizes]
        if all(name in res["index"] for _, res in sizes):
            left.plot(xs, [statistics.median(r["wall"] for r in res["index"][name])
                           for _, res in sizes], marker="o", color=color, label=name)
        if all(name in res["latency"] for _, res in sizes):
            p50 = [statistics.median(r["p50"] for r in res["latency"][name]) * 1e3
                   for _, res in sizes]
            p99 = [statistics.median(r["p99"] for r in res["latency"][name]) * 1e3
                   for _, res in sizes]
            right.plot(xs, p50, marker="o", color=color, label=name + " p50")
            right.plot(xs, p99, marker="x", linestyle="--", color=color, label=name + " p99")
    left.set(title="Indexing (median wall time)", xlabel="stories (Reuters copies)",
             ylabel="seconds")
    right.set(title="Per-query latency", xlabel="stories (Reuters copies)", ylabel="ms")
    for ax in (left, right):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
    fig.suptitle("qanat scale, %s" % results["facts"]["date"], fontsize=10)
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
