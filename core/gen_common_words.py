#!/usr/bin/env python3
"""Writes common_words.cpp: English words the dictionary lists only in lower case.

A capitalised word that is one of these ("Moreover", "War", "Divine") is not a
name by itself. Words the dictionary also lists with a capital ("Turkey",
"Bush", "Will") are left out, so they can still be names.
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
with open(out, "w", encoding="utf-8") as f:
    f.write("// Generated from %s by gen_common_words.py; do not edit.\n" % src.split("/")[-1])
    f.write('#include "common_words.h"\n\nnamespace qanat {\n\n')
    f.write("std::string_view common_words_blob() {\n    static const char blob[] =\n")
    line = ""
    for w in common:
        line += w + "\\n"
        if len(line) > 90:
            f.write('        "%s"\n' % line)
            line = ""
    if line:
        f.write('        "%s"\n' % line)
    f.write("        ;\n    return {blob, sizeof blob - 1};\n}\n\n}  // namespace qanat\n")
