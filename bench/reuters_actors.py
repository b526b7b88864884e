#!/usr/bin/env python3
"""How well qanat's actor facet covers Reuters-21578's own editors' labels.

Every story carries <PEOPLE>, <ORGS> and <PLACES> labels, chosen by Reuters'
editors, not by anyone here. For each labelled entity that the story's text
actually mentions (under its name or a usual variant), this checks whether the
story's actor facet in qanat lists it. qanat runs with no actor list at all,
so this measures the detection of names by shape: whether the rules carry over
from the five seed articles to 19,000 news stories.

  bench/reuters_actors.py [--build build] [--db DIR] [--out bench/out/reuters-actors.json]

Reads ../shared/corpora/reuters21578 (or $REUTERS) and the JSONL that
bench/convert_reuters.py writes (bench/data/reuters-x1/reuters.jsonl; converted
here if missing).
"""
import argparse
import collections
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REUTERS = os.environ.get("REUTERS", os.path.join(HERE, "..", "shared", "corpora", "reuters21578"))

# How Reuters' codes are written in stories, where the code alone is not the name.
VARIANTS = {
    "usa": ["United States", "U.S.", "US", "America", "U.S.A."],
    "uk": ["Britain", "United Kingdom", "U.K.", "UK", "Great Britain"],
    "ussr": ["Soviet Union", "USSR", "U.S.S.R.", "Soviets"],
    "west-germany": ["West Germany", "Bonn"],
    "east-germany": ["East Germany"],
    "hong-kong": ["Hong Kong"],
    "south-korea": ["South Korea"],
    "north-korea": ["North Korea"],
    "new-zealand": ["New Zealand"],
    "south-africa": ["South Africa"],
    "saudi-arabia": ["Saudi Arabia"],
    "uae": ["United Arab Emirates", "UAE", "U.A.E."],
    "ec": ["European Community", "EC", "E.C.", "European Economic Community", "EEC"],
    "worldbank": ["World Bank"],
    "imf": ["International Monetary Fund", "IMF"],
    "opec": ["OPEC", "Organisation of Petroleum Exporting Countries",
             "Organization of Petroleum Exporting Countries"],
    "gatt": ["GATT", "General Agreement on Tariffs and Trade"],
    "oecd": ["OECD", "Organisation for Economic Cooperation and Development",
             "Organization for Economic Cooperation and Development"],
    "ico-coffee": ["International Coffee Organisation", "International Coffee Organization", "ICO"],
    "icco": ["International Cocoa Organisation", "International Cocoa Organization", "ICCO"],
}


def fold(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[\s\-]+", " ", s.lower().replace(".", "")).strip()


def surfaces(kind, code):
    if code in VARIANTS:
        return VARIANTS[code]
    words = code.replace("-", " ").split()
    if kind == "people":
        # "james-baker" is written "Baker" or "James Baker".
        return [" ".join(w.capitalize() for w in words), words[-1].capitalize()]
    if kind == "orgs" and len(code) <= 5 and "-" not in code:
        return [code.upper()]
    return [" ".join(w.capitalize() for w in words)]


def mentioned(text, form):
    """Whole-word match; acronyms only in capitals, other names in any case."""
    if form.isupper() or "." in form:
        return re.search(r"(?<![\w.])" + re.escape(form) + r"(?![\w])", text) is not None
    return re.search(r"(?<!\w)" + re.escape(form) + r"(?!\w)", text, re.IGNORECASE) is not None


def read_labels():
    labels = {}
    for name in sorted(os.listdir(REUTERS)):
        if not name.endswith(".sgm"):
            continue
        data = open(os.path.join(REUTERS, name), "rb").read().decode("latin-1")
        for story in re.findall(r"<REUTERS.*?</REUTERS>", data, re.S):
            newid = re.search(r'NEWID="(\d+)"', story).group(1)
            body = re.search(r"<BODY>(.*?)</BODY>", story, re.S)
            if not body:
                continue
            # Actors are found in the body (the title is not a passage).
            text = html.unescape(body.group(1))
            ent = {}
            for kind in ("people", "orgs", "places"):
                m = re.search(rf"<{kind.upper()}>(.*?)</{kind.upper()}>", story, re.S)
                ent[kind] = re.findall(r"<D>(.*?)</D>", m.group(1)) if m else []
            labels[newid] = (text, ent)
    return labels


def facet_matches(facet_keys, form):
    """The facet lists the entity: a value equal to the form, or a person's
    full name ending with the surname the label gives."""
    f = fold(form)
    for v in facet_keys:
        if v == f or v.endswith(" " + f) or v.startswith(f + " "):
            return True
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(HERE, "build"))
    ap.add_argument("--db")
    ap.add_argument("--jsonl", default=os.path.join(HERE, "bench/data/reuters-x1/reuters.jsonl"))
    ap.add_argument("--out", default=os.path.join(HERE, "bench/out/reuters-actors.json"))
    a = ap.parse_args()
    if not os.path.exists(a.jsonl):
        subprocess.run([sys.executable, os.path.join(HERE, "bench/convert_reuters.py"),
                        "--out", os.path.dirname(os.path.dirname(a.jsonl))], check=True)
    tmp = tempfile.TemporaryDirectory()
    db = a.db or os.path.join(tmp.name, "db")
    if not a.db:
        # No actor list: names are found by their shape only.
        subprocess.run([os.path.join(a.build, "indexer/qanat-index"), "--quiet", "--db", db, a.jsonl], check=True)
    labels = read_labels()
    ids = sorted(labels, key=int)
    batch = "".join(json.dumps({"id": i, "article": i, "limit": 0, "facet_limit": 0}) + "\n" for i in ids)
    r = subprocess.run([os.path.join(a.build, "searcher/qanat-search"), "--db", db, "--batch", "-",
                        "--format", "jsonl", "--all-blocks"], input=batch, capture_output=True, text=True)
    facets = {}
    for line in r.stdout.splitlines():
        j = json.loads(line)
        facets[j["id"]] = [fold(v["value"]) for v in j.get("facets", {}).get("actor", [])]
    stats = collections.defaultdict(lambda: [0, 0])  # kind -> [mentioned, found]
    missed = collections.Counter()
    per_article = []
    for i in ids:
        text, ent = labels[i]
        keys = facets.get(i, [])
        per_article.append(len(keys))
        for kind, codes in ent.items():
            for code in codes:
                forms = [f for f in surfaces(kind, code) if mentioned(text, f)]
                if not forms:
                    continue  # labelled, but the text does not name it
                stats[kind][0] += 1
                # (Listed under any of its names: "U.S." in the text, "United
                # States" in the facet.)
                if any(facet_matches(keys, f) for f in surfaces(kind, code)):
                    stats[kind][1] += 1
                else:
                    missed[(kind, code)] += 1
    total_m = sum(v[0] for v in stats.values())
    total_f = sum(v[1] for v in stats.values())
    result = {
        "stories": len(ids),
        "actors_per_story_mean": round(sum(per_article) / max(1, len(per_article)), 2),
        "by_kind": {k: {"mentioned": m, "in_facet": f, "recall": round(f / m, 4) if m else None}
                    for k, (m, f) in sorted(stats.items())},
        "all": {"mentioned": total_m, "in_facet": total_f, "recall": round(total_f / total_m, 4) if total_m else None},
        "most_missed": [[k, c, n] for (k, c), n in missed.most_common(20)],
    }
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
