#!/usr/bin/env python3
"""SQLite FTS5 peer for qanat's benchmarks (Python's sqlite3 module).

    fts5.py index  --unit article|passage DB DIR   index every .txt file under DIR
    fts5.py search --unit article|passage DB       queries from standard input

Tables use tokenize='porter unicode61'. --unit article: one row per file
(title = first line, body = the rest); --unit passage: one row per paragraph
(split on blank lines, as the plain Xapian peer does). Everything is inserted
in one transaction.

Search: each query's words are quoted (so no word is read as an operator) and
all must match (FTS5's implicit AND), ranked by bm25(), top 10, with
snippet() over the best column (32 tokens, matches marked [[like this]]).
Output per query: "#<TAB>query", one "id<TAB>snippet" line per hit, then an
empty line, flushed (a reader on a pipe knows the query is done). No counts,
no facets.
"""

import argparse
import os
import re
import sqlite3
import sys

SCHEMA = {
    "article": "CREATE VIRTUAL TABLE doc USING fts5(id UNINDEXED, title, body, "
               "tokenize='porter unicode61')",
    "passage": "CREATE VIRTUAL TABLE doc USING fts5(id UNINDEXED, n UNINDEXED, text, "
               "tokenize='porter unicode61')",
}
BLANK = re.compile(r"\n[ \t\r]*\n")


def rows(directory, unit):
    """Rows to insert, from every .txt file under directory (sorted)."""
    paths = []
    for root, _, files in os.walk(directory):
        paths.extend(os.path.join(root, f) for f in files if f.endswith(".txt"))
    for path in sorted(paths):
        doc_id = os.path.splitext(os.path.relpath(path, directory))[0]
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if unit == "article":
            title, _, body = text.partition("\n")
            yield (doc_id, title, body.strip())
        else:
            paras = [p.strip() for p in BLANK.split(text)]
            for n, p in enumerate(q for q in paras if q):
                yield (doc_id, n, p)


def index(db_path, directory, unit):
    if os.path.exists(db_path):
        os.remove(db_path)
    con = sqlite3.connect(db_path)
    con.execute(SCHEMA[unit])
    marks = "?, ?, ?"
    with con:  # one transaction
        con.executemany("INSERT INTO doc VALUES (%s)" % marks, rows(directory, unit))
    n = con.execute("SELECT count(*) FROM doc").fetchone()[0]
    con.close()
    print("fts5: %d rows (%s)" % (n, unit), file=sys.stderr)


def fts_query(line):
    """Plain words -> an FTS5 query of quoted words (implicit AND)."""
    return " ".join('"%s"' % w.replace('"', "") for w in line.split())


def search(db_path):
    con = sqlite3.connect(db_path)
    sql = ("SELECT id, snippet(doc, -1, '[[', ']]', '...', 32) FROM doc "
           "WHERE doc MATCH ? ORDER BY bm25(doc) LIMIT 10")
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        out.write("#\t%s\n" % line)
        try:
            for doc_id, snip in con.execute(sql, (fts_query(line),)):
                out.write("%s\t%s\n" % (doc_id, snip.replace("\n", " ")))
        except sqlite3.Error as e:
            print("fts5: bad query %r: %s" % (line, e), file=sys.stderr)
        out.write("\n")
        out.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["index", "search"])
    ap.add_argument("--unit", choices=["article", "passage"], default="article")
    ap.add_argument("db")
    ap.add_argument("dir", nargs="?")
    args = ap.parse_args()
    if args.mode == "index":
        if not args.dir:
            ap.error("index needs DIR")
        index(args.db, args.dir, args.unit)
    else:
        search(args.db)


if __name__ == "__main__":
    main()
