#!/usr/bin/env python3
"""Convert Reuters-21578 (SGML) into plain text files and JSON Lines for the benchmarks.

    convert_reuters.py [--src DIR] [--out DIR] [--copies N] [--no-txt] [--no-jsonl]

Only stories with a non-empty <BODY> are kept. For each one:

  OUT/txt/NEWID.txt    the TITLE, a blank line, then the BODY
  OUT/reuters.jsonl    {"id": "NEWID", "title", "text", "date": "1987-02-26"}

The BODY is reformatted the same way for both: the SGML marks paragraphs by
indenting their first line, so each paragraph becomes one line and paragraphs
are separated by a blank line (what every peer splits on). The closing
"Reuter" sign-off and control characters (&#2; &#3; ...) are dropped; &lt;,
&gt; and &amp; are decoded. The files are read as Latin-1 (they are ASCII but
for one byte).

With --copies N the collection is written N times: copy 1 keeps the ids
("123"), copy k > 1 gets "123-ck" (a txt file 123-ck.txt), for scale tests.
"""

import argparse
import glob
import json
import os
import re
import sys

DEFAULT_SRC = "/work/shared/corpora/reuters21578"

RECORD = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
NEWID = re.compile(r'NEWID="(\d+)"')
MONTHS = {m: i + 1 for i, m in enumerate(
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}


def field(record, tag):
    """Raw content of the first <TAG>...</TAG> in a record, or None."""
    m = re.search(r"<%s>(.*?)</%s>" % (tag, tag), record, re.S)
    return m.group(1) if m else None


def decode(s):
    """SGML character references to text; control characters removed."""
    s = re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))), s)
    s = s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return "".join(c for c in s if c in "\n\t" or ord(c) >= 32 and ord(c) != 127)


def iso_date(raw):
    """'26-FEB-1987 15:01:01.79' -> '1987-02-26' ('' if not a date)."""
    m = re.match(r"\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})", raw or "")
    if not m or m.group(2).upper() not in MONTHS:
        return ""
    return "%s-%02d-%02d" % (m.group(3), MONTHS[m.group(2).upper()], int(m.group(1)))


def paragraphs(body):
    """Body text -> list of paragraphs (a line indented by white space starts one)."""
    paras, cur = [], []
    for line in body.split("\n"):
        if line[:1] in (" ", "\t") and cur:
            paras.append(" ".join(cur))
            cur = []
        line = " ".join(line.split())
        if line:
            cur.append(line)
    if cur:
        paras.append(" ".join(cur))
    # The sign-off ("Reuter", "REUTER", sometimes glued to the last line).
    if paras:
        last = re.sub(r"\s*\bReuter\s*$", "", paras[-1], flags=re.I)
        if last:
            paras[-1] = last
        else:
            paras.pop()
    return paras


def stories(src):
    """Yields dicts id, title, text, date for every story with a non-empty body."""
    files = sorted(glob.glob(os.path.join(src, "reut2-*.sgm")))
    if not files:
        sys.exit("convert_reuters: no reut2-*.sgm in %s" % src)
    for path in files:
        with open(path, encoding="latin-1") as f:
            data = f.read()
        for m in RECORD.finditer(data):
            attrs, rec = m.group(1), m.group(2)
            body = field(rec, "BODY")
            if body is None:
                continue
            paras = paragraphs(decode(body))
            if not paras:
                continue
            title = " ".join(decode(field(rec, "TITLE") or "").split())
            yield {
                "id": NEWID.search(attrs).group(1),
                "title": title,
                "text": "\n\n".join(paras) + "\n",
                "date": iso_date(field(rec, "DATE")),
            }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", default=DEFAULT_SRC, help="folder with reut2-*.sgm")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--copies", type=int, default=1, help="write the collection N times")
    ap.add_argument("--no-txt", action="store_true", help="do not write OUT/txt/")
    ap.add_argument("--no-jsonl", action="store_true", help="do not write OUT/reuters.jsonl")
    args = ap.parse_args()

    docs = list(stories(args.src))
    txt_dir = os.path.join(args.out, "txt")
    os.makedirs(args.out, exist_ok=True)
    if not args.no_txt:
        os.makedirs(txt_dir, exist_ok=True)
    jsonl = None if args.no_jsonl else open(os.path.join(args.out, "reuters.jsonl"), "w", encoding="utf-8")
    for k in range(1, args.copies + 1):
        suffix = "" if k == 1 else "-c%d" % k
        for d in docs:
            doc_id = d["id"] + suffix
            if jsonl:
                jsonl.write(json.dumps(dict(d, id=doc_id), ensure_ascii=False) + "\n")
            if not args.no_txt:
                head = d["title"] + "\n\n" if d["title"] else ""
                with open(os.path.join(txt_dir, doc_id + ".txt"), "w", encoding="utf-8") as f:
                    f.write(head + d["text"])
    if jsonl:
        jsonl.close()
    print("convert_reuters: %d stories x %d copies -> %s" % (len(docs), args.copies, args.out),
          file=sys.stderr)


if __name__ == "__main__":
    main()
