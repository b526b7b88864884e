#!/usr/bin/env python3
"""Draw the Reuters keyword queries (bench/queries.txt) with a fixed seed.

    make_queries.py [--src DIR] [--out FILE] [--seed N]

Deterministic: the same corpus and seed give the same file. 240 queries of
1-3 plain lowercase words (letters only; no stop word of qanat's list, no
operator word), in a shuffled order that mixes:

  40  the collection's own topic names   (all-topics-strings: "coffee", "money supply")
  40  its place names                    (all-places-strings: "west germany")
  60  single content words, 20 from each document-frequency band over
      paragraphs: frequent (>= 2000), middle (200-1999), rare (5-199)
  70  two words, 30 three words that occur together in one paragraph
      (a seed word from a band, the others from a paragraph that has it)

Every query matches at least one paragraph, so each peer (article- or
passage-level) has something to rank.
"""

import argparse
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convert_reuters import DEFAULT_SRC, stories  # noqa: E402

# qanat's English stop words (core/stopwords.cpp), operator words, and the
# sign-off: a query word must mean the same to every peer.
STOP = set("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his
himself she her hers herself it its itself they them their theirs themselves what which
who whom this that these those am is are was were be been being have has had having do
does did doing would should could ought a an the and but if or because as until while of
at by for with about against between into through during before after above below to from
up down in out on off over under again further then once here there when where why how
all any both each few more most other some such no nor not only own same so than too very
near xor can will just also reuter reuters
""".split())

WORD = re.compile(r"[a-z]+")


def words(text):
    return [w for w in WORD.findall(text.lower()) if len(w) >= 2 and w not in STOP]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", default=DEFAULT_SRC)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "queries.txt"))
    ap.add_argument("--seed", type=int, default=21578)
    args = ap.parse_args()
    rnd = random.Random(args.seed)

    paras = []  # list of sets of words, one per paragraph (titles included)
    for d in stories(args.src):
        for p in [d["title"]] + d["text"].split("\n\n"):
            ws = set(words(p))
            if ws:
                paras.append(ws)
    df, where = {}, {}
    for i, ws in enumerate(paras):
        for w in ws:
            df[w] = df.get(w, 0) + 1
            where.setdefault(w, []).append(i)

    def matches(ws):
        """True if one paragraph has every word of ws."""
        return any(all(w in paras[i] for w in ws) for i in where.get(ws[0], []))

    def vocabulary(name):
        out = []
        with open(os.path.join(args.src, name), encoding="latin-1") as f:
            for line in f:
                ws = line.strip().split("-")
                if 1 <= len(ws) <= 3 and all(WORD.fullmatch(w) and w not in STOP for w in ws) \
                        and matches(ws):
                    out.append(" ".join(ws))
        return sorted(set(out))

    bands = {
        "frequent": sorted(w for w, n in df.items() if n >= 2000),
        "middle": sorted(w for w, n in df.items() if 200 <= n < 2000),
        "rare": sorted(w for w, n in df.items() if 5 <= n < 200),
    }
    queries = []
    seen = set()

    def add(q):
        if q not in seen:
            seen.add(q)
            queries.append(q)
            return True
        return False

    for q in rnd.sample(vocabulary("all-topics-strings.lc.txt"), 40):
        add(q)
    for q in rnd.sample(vocabulary("all-places-strings.lc.txt"), 40):
        add(q)
    for band in ("frequent", "middle", "rare"):
        n = 0
        while n < 20:
            n += add(rnd.choice(bands[band]))
    for size, count in ((2, 70), (3, 30)):
        n = 0
        while n < count:
            seed_word = rnd.choice(bands[("frequent", "middle", "rare")[n % 3]])
            para = sorted(w for w in paras[rnd.choice(where[seed_word])]
                          if w != seed_word and df[w] >= 5)
            if len(para) < size - 1:
                continue
            n += add(" ".join([seed_word] + rnd.sample(para, size - 1)))
    rnd.shuffle(queries)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(queries) + "\n")
    print("make_queries: %d queries -> %s" % (len(queries), args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
