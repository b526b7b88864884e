#!/usr/bin/env python3
"""Passage-level ranking quality on hand-written analyst questions.

Each line of the questions file is {"id", "question", "answers": [{"article",
"quote"}]}: a hit answers if it is a passage of that article containing the
quote. Runs the questions through `qanat-search --batch --plain` and reports
success@1, success@3, success@10 and MRR@10.

  bench/eval_passages.py [--db DB] [--questions FILE] [--build DIR] [--min-s3 X] [-- search options]

Without --db it indexes corpus/ into a temporary index. --min-s3 makes the
exit status 1 when success@3 falls below X (used by the test suite).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 allow_abbrev=False)
    ap.add_argument("--db")
    ap.add_argument("--questions", default=os.path.join(here, "tests/data/questions.jsonl"))
    ap.add_argument("--build", default=os.environ.get("QANAT_BUILD", os.path.join(here, "build")))
    ap.add_argument("--min-s3", type=float)
    ap.add_argument("--verbose", action="store_true")
    a, search_args = ap.parse_known_args()
    a.search_args = [x for x in search_args if x != "--"]
    qs = [json.loads(l) for l in open(a.questions, encoding="utf-8") if l.strip()]
    tmp = None
    db = a.db
    if not db:
        tmp = tempfile.TemporaryDirectory()
        db = os.path.join(tmp.name, "db")
        subprocess.run([os.path.join(a.build, "indexer/qanat-index"), "--quiet", "--db", db,
                        os.path.join(here, "corpus")], check=True)
    batch = "\n".join(json.dumps({"id": q["id"], "query": q["question"], "limit": 10}) for q in qs) + "\n"
    r = subprocess.run([os.path.join(a.build, "searcher/qanat-search"), "--db", db, "--batch", "-", "--plain",
                        "--format", "jsonl", "--no-facets", *a.search_args],
                       input=batch, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.exit("qanat-search failed: " + r.stderr)
    results = {}
    for line in r.stdout.splitlines():
        j = json.loads(line)
        results[j["id"]] = j.get("hits", [])
    s1 = s3 = s10 = rr = 0.0
    for q in qs:
        rank = None
        for h in results.get(q["id"], []):
            if any(h["article"]["id"] == ans["article"] and ans["quote"] in h["text"] for ans in q["answers"]):
                rank = h["rank"]
                break
        if rank:
            s1 += rank <= 1
            s3 += rank <= 3
            s10 += rank <= 10
            rr += 1.0 / rank
        if a.verbose:
            print(f"{q['id']}\t{rank or '-'}\t{q['question']}")
    n = len(qs)
    print(f"questions\t{n}\nsuccess@1\t{s1 / n:.4f}\nsuccess@3\t{s3 / n:.4f}\nsuccess@10\t{s10 / n:.4f}\nmrr@10\t{rr / n:.4f}")
    if a.min_s3 is not None and s3 / n < a.min_s3:
        print(f"success@3 {s3 / n:.4f} is below {a.min_s3}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
