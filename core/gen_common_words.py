#!/usr/bin/env python3
"""Writes common_words_data.cpp from an English word list (Debian's wamerican):

- common words: listed only in lower case. A capitalised word that is one of
  these ("Moreover", "War", "Divine") is not a name by itself.
- proper nouns: listed only with a capital ("Japan", "Canada", "Reagan"). Such
  a word names something even at the start of a sentence.
Words listed both ways ("Turkey"/"turkey", "Bush"/"bush") are in neither list.
  gen_common_words.py DICTIONARY OUTPUT.cpp
"""
import sys

src, out = sys.argv[1], sys.argv[2]
lower, capital = set(), set()
with open(src, encoding="utf-8", errors="replace") as f:
    for w in f:
        w = w.strip()
        if not w or w.endswith("'s"):
            continue
        (lower if w[0].islower() else capital).add(w)
capital_lower = {w.lower() for w in capital}
common = sorted(w for w in lower if w not in capital_lower and w.isascii() and len(w) > 1)
proper = sorted({w.lower() for w in capital if w.lower() not in lower and w.isascii() and len(w) > 1 and w[1:].islower()})


def blob(f, name, words):
    """A sorted word list: the words, '\\n'-separated, and where each starts
    (see common_words.cpp)."""
    f.write("SortedWords %s() {\n    static const char blob[] =\n" % name)
    line = ""
    for w in words:
        line += w.replace("\\", "\\\\").replace('"', '\\"') + "\\n"
        if len(line) > 90:
            f.write('        "%s"\n' % line)
            line = ""
    f.write('        "%s";\n' % line)
    starts, at = [], 0
    for w in words:
        starts.append(at)
        at += len(w.encode("utf-8")) + 1
    starts.append(at)

    def array(n, values):
        f.write("    static const std::uint32_t %s[] = {\n" % n)
        for k in range(0, len(values), 16):
            f.write("        %s,\n" % ", ".join(str(v) for v in values[k:k + 16]))
        f.write("    };\n")

    array("starts", starts)
    f.write("    return {{blob, sizeof blob - 1}, starts, %d};\n}\n\n" % len(words))


with open(out, "w", encoding="utf-8") as f:
    f.write("// Generated from %s by gen_common_words.py; do not edit.\n" % src.split("/")[-1])
    f.write('#include "common_words.h"\n\nnamespace qanat {\n\n')
    blob(f, "common_words_blob", common)
    blob(f, "proper_nouns_blob", proper)
    f.write("}  // namespace qanat\n")
