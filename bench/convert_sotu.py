#!/usr/bin/env python3
"""Convert the State of the Union corpus (texts/ + metadata.tsv) into JSON Lines.

    convert_sotu.py [--src DIR] --out FILE.jsonl

One line per speech: {"id": file name without .txt, "title": "President, year",
"date": "YEAR", "text": the speech as it is}. The speeches are single lines
with no paragraph breaks; they are not reformatted.
"""

import argparse
import csv
import json
import os
import sys

DEFAULT_SRC = "/work/shared/corpora/sotu"


def speeches(src):
    """Yields one dict per row of metadata.tsv, with the text of its file."""
    with open(os.path.join(src, "metadata.tsv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            with open(os.path.join(src, row["file"]), encoding="utf-8", errors="replace") as t:
                text = t.read()
            yield {
                "id": os.path.splitext(os.path.basename(row["file"]))[0],
                "title": "%s, %s" % (row["president"], row["year"]),
                "date": row["year"],
                "text": text,
            }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", default=DEFAULT_SRC, help="folder with metadata.tsv and texts/")
    ap.add_argument("--out", required=True, help="output JSONL file")
    args = ap.parse_args()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    n = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for d in speeches(args.src):
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
            n += 1
    print("convert_sotu: %d speeches -> %s" % (n, args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
