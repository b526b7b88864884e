#!/usr/bin/env python3
"""A second ranking test collection from Reuters-21578: its TOPICS categories as queries.

    reuters_topics.py [--src DIR] [--out DIR] [--min-relevant N]

Writes, for bench/eval:

  OUT/corpus.jsonl   the stories with a body (as convert_reuters.py: id, title, text)
  OUT/queries.jsonl  one query per TOPICS category: the category's name in the
                     collection's own cat-descriptions_120396.txt ("Crude Oil",
                     "Mergers/Acquisitions", ...); a commodity listed by its code
                     only is queried by the code, hyphens as spaces ("veg oil")
  OUT/qrels          story relevant to a query = tagged with that category

Only categories with at least --min-relevant stories (default 5) are kept.
The queries were not written for qanat, and relevance is the editors'
category, not a judgment of each story against the query: a rough check, good
for telling whether a ranking change that helps on Vaswani carries to another
collection, not an absolute figure. Example:

  python3 bench/reuters_topics.py --out bench/data/reuters-topics
  T=bench/data/reuters-topics; bench/eval $T/corpus.jsonl $T/queries.jsonl $T/qrels
"""

import argparse
import collections
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convert_reuters  # noqa: E402

# "Crude Oil (CRUDE)" or a bare code ("COCOA") in the subject-code part of the file.
NAMED = re.compile(r"^\s*(.+?)\s*\(([A-Z][A-Z0-9-]*)\)\s*$")
CODE = re.compile(r"^\s*([A-Z][A-Z0-9-]*)\s*$")
TOPIC = re.compile(r"<D>(.*?)</D>")


def topic_names(src):
    """Category code (lower case) -> query text, from the subject codes only."""
    names = {}
    with open(os.path.join(src, "cat-descriptions_120396.txt"), encoding="latin-1") as f:
        text = f.read()
    start = text.index("****Subject Codes")
    end = text.index("@heading[Organization Codes")
    for line in text[start:end].splitlines():
        if line.startswith("*"):
            continue
        m = NAMED.match(line)
        if m:
            names[m.group(2).lower()] = m.group(1)
            continue
        m = CODE.match(line)
        if m:
            names[m.group(1).lower()] = m.group(1).lower().replace("-", " ")
    return names


def story_topics(src):
    """NEWID -> set of TOPICS codes."""
    out = {}
    for path in sorted(os.listdir(src)):
        if not re.match(r"reut2-\d+\.sgm$", path):
            continue
        with open(os.path.join(src, path), encoding="latin-1") as f:
            data = f.read()
        for m in convert_reuters.RECORD.finditer(data):
            attrs, rec = m.group(1), m.group(2)
            topics = convert_reuters.field(rec, "TOPICS") or ""
            out[convert_reuters.NEWID.search(attrs).group(1)] = set(TOPIC.findall(topics))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", default=convert_reuters.DEFAULT_SRC, help="folder with reut2-*.sgm")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--min-relevant", type=int, default=5, help="smallest category kept")
    args = ap.parse_args()

    names = topic_names(args.src)
    topics = story_topics(args.src)
    os.makedirs(args.out, exist_ok=True)
    relevant = collections.defaultdict(list)
    with open(os.path.join(args.out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for d in convert_reuters.stories(args.src):
            f.write(json.dumps({"id": d["id"], "title": d["title"], "text": d["text"]}, ensure_ascii=False) + "\n")
            for t in topics.get(d["id"], ()):
                relevant[t].append(d["id"])
    kept = sorted(t for t in relevant if t in names and len(relevant[t]) >= args.min_relevant)
    with open(os.path.join(args.out, "queries.jsonl"), "w", encoding="utf-8") as q, \
            open(os.path.join(args.out, "qrels"), "w", encoding="utf-8") as r:
        for n, t in enumerate(kept, 1):
            q.write(json.dumps({"id": str(n), "query": names[t], "topic": t}) + "\n")
            for doc in sorted(relevant[t], key=int):
                r.write("%d 0 %s 1\n" % (n, doc))
    print("reuters_topics: %d queries, %d judged pairs -> %s" %
          (len(kept), sum(len(relevant[t]) for t in kept), args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
