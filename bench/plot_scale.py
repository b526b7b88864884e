#!/usr/bin/env python3
"""Plot the scale figures of bench/out/results.json as an SVG file (no dependencies).

    plot_scale.py RESULTS.json OUT.svg

Three panels against the number of stories: indexing wall time, indexing
peak memory, and per-query latency p50 (solid) and p99 (dashed), the last on
a logarithmic scale (the peers' p99 spans two orders of magnitude). One line
per system measured at every size (medians over the repetitions), so how
each cost grows with the corpus is visible. The smallest and the largest size's
points are also written as numbers.
"""

import json
import math
import statistics
import sys
from xml.sax.saxutils import escape

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
PANEL_W, PANEL_H = 330, 260
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 58, 14, 34, 46


def nice_max(v):
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above v."""
    if v <= 0:
        return 1.0
    p = 1.0
    while p * 10 < v:
        p *= 10
    while p > v:
        p /= 10
    for m in (1, 2, 2.5, 5, 10):
        if m * p >= v:
            return m * p
    return 10 * p


def fmt(v):
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.2f" % v


def panel(out, x0, title, unit, series, xs, log=False):
    """series: list of (label, color, dashed, [y per x]); log: a logarithmic y axis."""
    high = max(max(ys) for _, _, _, ys in series)
    xmax = nice_max(max(xs) * 1.02)
    w, h = PANEL_W - MARGIN_L - MARGIN_R, PANEL_H - MARGIN_T - MARGIN_B
    left, top = x0 + MARGIN_L, MARGIN_T

    def px(x):
        return left + w * x / xmax

    if log:
        low = min(min(ys) for _, _, _, ys in series)
        lo = math.floor(math.log10(max(low, 1e-6)))
        hi = max(math.ceil(math.log10(high)), lo + 1)
        ticks = [10.0 ** e for e in range(lo, hi + 1)]

        def py(y):
            return top + h - h * (math.log10(max(y, 10.0 ** lo)) - lo) / (hi - lo)
    else:
        ymax = nice_max(high * 1.08)
        ticks = [ymax * i / 5 for i in range(6)]

        def py(y):
            return top + h - h * y / ymax

    out.append('<text x="%.1f" y="18" font-size="13" text-anchor="middle">%s</text>'
               % (x0 + PANEL_W / 2, escape(title)))
    step = min(ticks[1] - ticks[0], ticks[0] or ticks[1])
    axis = "%g" if log else "%.0f" if step >= 1 else "%.1f" if step >= 0.1 else "%.2f"
    for y in ticks:  # grid and axis labels
        out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>' % (left, py(y), left + w, py(y)))
        out.append('<text x="%.1f" y="%.1f" font-size="10" text-anchor="end">%s</text>' % (left - 4, py(y) + 3, axis % y))
    for x in xs:
        out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>' % (px(x), top, px(x), top + h))
        out.append('<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle">%dk</text>'
                   % (px(x), top + h + 13, round(x / 1000)))
    out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#888"/>' % (left, top, w, h))
    out.append('<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle">stories</text>'
               % (left + w / 2, top + h + 27))
    out.append('<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle" transform="rotate(-90 %.1f %.1f)">%s</text>'
               % (x0 + 13, top + h / 2, x0 + 13, top + h / 2, escape(unit)))
    for label, color, dashed, ys in series:
        pts = " ".join("%.1f,%.1f" % (px(x), py(y)) for x, y in zip(xs, ys))
        dash = ' stroke-dasharray="5,3"' if dashed else ""
        out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="1.8"%s/>' % (pts, color, dash))
        for k, (x, y) in enumerate(zip(xs, ys)):
            out.append('<circle cx="%.1f" cy="%.1f" r="2.6" fill="%s"/>' % (px(x), py(y), color))
            if k in (0, len(xs) - 1):  # the smallest and the largest size, in figures
                out.append('<text x="%.1f" y="%.1f" font-size="9" fill="%s" text-anchor="%s">%s</text>'
                           % (px(x) + (4 if k else -4), py(y) - 4, color, "start" if k else "end", fmt(y)))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: plot_scale.py RESULTS.json OUT.svg")
    with open(sys.argv[1]) as f:
        results = json.load(f)
    sizes = sorted(results["sizes"].items(), key=lambda kv: int(kv[0]))
    if len(sizes) < 2:
        sys.exit("plot_scale.py: %s has one corpus size; nothing to plot" % sys.argv[1])
    names = results["args"]["scale_systems"]
    xs = [res["stories"] for _, res in sizes]

    def med(rows, key, scale=1.0):
        return statistics.median(r[key] for r in rows) * scale

    wall, rss, lat = [], [], []
    for i, name in enumerate(names):
        color = COLORS[i % len(COLORS)]
        if all(name in res["index"] for _, res in sizes):
            wall.append((name, color, False, [med(res["index"][name], "wall") for _, res in sizes]))
            rss.append((name, color, False, [med(res["index"][name], "rss_kb", 1 / 1024) for _, res in sizes]))
        if all(name in res["latency"] for _, res in sizes):
            lat.append((name + " p50", color, False, [med(res["latency"][name], "p50", 1e3) for _, res in sizes]))
            lat.append((name + " p99", color, True, [med(res["latency"][name], "p99", 1e3) for _, res in sizes]))
    panels = [p for p in (("Indexing, wall time", "seconds", wall, False),
                          ("Indexing, peak memory", "MiB", rss, False),
                          ("Per-query latency (log scale)", "ms", lat, True)) if p[2]]
    legend = [(label, color, dashed) for label, color, dashed, _ in lat] or \
             [(label, color, dashed) for label, color, dashed, _ in wall]
    width = PANEL_W * len(panels)
    legend_h = 16 * ((len(legend) + 3) // 4) + 10
    height = PANEL_H + legend_h + 18
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>']
    for k, (title, unit, series, log) in enumerate(panels):
        panel(out, k * PANEL_W, title, unit, series, xs, log)
    for j, (label, color, dashed) in enumerate(legend):
        x, y = 20 + (j % 4) * (width - 40) / 4, PANEL_H + 8 + 16 * (j // 4)
        dash = ' stroke-dasharray="5,3"' if dashed else ""
        out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.8"%s/>'
                   % (x, y, x + 22, y, color, dash))
        out.append('<text x="%.1f" y="%.1f" font-size="11">%s</text>' % (x + 27, y + 4, escape(label)))
    facts = results["facts"]
    out.append('<text x="%d" y="%d" font-size="10" fill="#555" text-anchor="middle">%s</text>'
               % (width // 2, height - 6, escape("Reuters-21578 copies; %s, qanat %s, %d cores; medians of %d"
                                                 % (facts["date"], facts["qanat"], facts["nproc"],
                                                    results["args"]["reps"]))))
    out.append("</svg>")
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
