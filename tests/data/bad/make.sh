#!/usr/bin/env bash
# Generates a corpus of bad inputs for qanat-index, with a few good articles
# among them. The fixtures are generated, never committed: several are binary,
# one is 50 MB, and symlinks and permissions do not survive git.
#
#   tests/data/bad/make.sh [DIR]     # default: a new temporary folder
#
# Prints DIR on standard output. Layout:
#
#   DIR/corpus/    the folder to index (qanat-index --db DB DIR/corpus)
#   DIR/outside/   the target of a symlink that leads out of corpus/
#
# Every article meant to be found holds a made-up marker word (listed in
# DIR/markers.tsv: file, marker, what qanat-index is expected to do), so a
# test can search for it. Environment:
#
#   QANAT_BAD_HUGE_BYTES   size of corpus/huge_line.txt (default 52428800)
#
# Run as root, `chmod 000` does not stop reading: the script says so on
# stderr, and tests/cli/test_robustness.py reads that case as the user nobody.
set -euo pipefail

dir=${1:-}
if [[ -z $dir ]]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/qanat-bad-XXXXXX")
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
c=$dir/corpus
# Start from scratch: an earlier run may have left files without permissions.
if [[ -e $c ]]; then
    chmod -R u+rwX "$c" 2>/dev/null || true
    rm -rf "$c"
fi
rm -rf "$dir/outside"
mkdir -p "$c" "$dir/outside"
huge_bytes=${QANAT_BAD_HUGE_BYTES:-52428800}

markers=$dir/markers.tsv
printf '# file\tmarker\texpected\n' >"$markers"
mark() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$markers"; }

# -- good articles -----------------------------------------------------------
mkdir -p "$c/good"
cat >"$c/good/alpha.txt" <<'EOF'
Water Rights on the Upper Tigris

The dams on the upper Tigris have changed how farmers downstream plan their
seasons. Engineers describe the zorblaxian gauge readings as the first sign of
a dry year.

In 2019 the river rose again, and the reservoirs filled faster than expected.
EOF
mark good/alpha.txt zorblaxian indexed

cat >"$c/good/beta.md" <<'EOF'
# Markets in Basra

Traders at the old market say that the price of dates follows the price of
diesel. One of them keeps a quimbletrot ledger of every sale since 2003.

The port handles more containers every year.
EOF
mark good/beta.md quimbletrot indexed

cat >"$c/good/gamma.txt" <<'EOF'
Schools After the War

Teachers returned to the schools of Mosul in 2018. A volunteer group repaired
the roofs and painted the walls; the headmaster calls them the fennostrail
brigade.
EOF
mark good/gamma.txt fennostrail indexed

cat >"$c/good/arabic.txt" <<'EOF'
Arabic Script in an English Article

The banner read مقتدى الصدر and below it الحشد الشعبي, and the reporter
wrote down the word tarbushlemon next to it.
EOF
mark good/arabic.txt tarbushlemon indexed

# -- encodings -----------------------------------------------------------------
# Invalid UTF-8 in the middle of an article: repaired with U+FFFD.
{
    printf 'Broken Bytes\n\nThis article has invalid bytes \xc3\x28 here and \xff\xfe there and a '
    printf 'truncated sequence \xe2\x82 before the marker word grelvantic appears.\n'
} >"$c/invalid_utf8.txt"
mark invalid_utf8.txt grelvantic repaired

# NUL bytes in a .txt: binary, skipped.
printf 'Looks like text\n\nBut it has a NUL\0byte and the word nulmarkerword.\n' >"$c/nul_bytes.txt"
mark nul_bytes.txt nulmarkerword skipped

# Binary files named .txt: random bytes and a gzip stream.
python3 - "$c/binary_random.txt" <<'EOF'
import random, sys
rnd = random.Random(20250101)
with open(sys.argv[1], "wb") as f:
    f.write(bytes(rnd.randrange(256) for _ in range(8192)))
EOF
printf 'Compressed Article\n\nThe word gzipmarkerword is inside a gzip stream.\n' | gzip -n -9 >"$c/binary_gzip.txt"
mark binary_random.txt - skipped
mark binary_gzip.txt gzipmarkerword skipped

# Empty and white-space-only files: nothing to index.
: >"$c/empty.txt"
printf '   \n\t\n \r\n\n   \n' >"$c/whitespace.txt"
mark empty.txt - empty
mark whitespace.txt - empty

# A UTF-8 byte order mark: dropped.
printf '\xef\xbb\xbfByte Order Mark Title\n\nThe text after a byte order mark mentions plorvendish.\n' >"$c/bom.txt"
mark bom.txt plorvendish indexed

# CRLF and lone CR line ends.
printf 'Windows Line Ends\r\n\r\nFirst paragraph with crlfmarkerword in it.\r\n\r\nSecond paragraph, also CRLF.\r\n' >"$c/crlf.txt"
printf 'Old Mac Line Ends\r\rFirst paragraph with lonecrmarker in it.\r\rSecond paragraph after a lone CR.\r' >"$c/lone_cr.txt"
mark crlf.txt crlfmarkerword indexed
mark lone_cr.txt lonecrmarker indexed

# UTF-16 with a BOM, both byte orders: converted.
text16='Sixteen Bit Article

This article is stored as UTF-16 and mentions the word sixteenlemarker and Erdoğan.
'
{ printf '\xff\xfe'; printf '%s' "$text16" | iconv -f UTF-8 -t UTF-16LE; } >"$c/utf16le.txt"
{ printf '\xfe\xff'; printf '%s' "${text16//sixteenlemarker/sixteenbemarker}" | iconv -f UTF-8 -t UTF-16BE; } >"$c/utf16be.txt"
mark utf16le.txt sixteenlemarker converted
mark utf16be.txt sixteenbemarker converted

# -- sizes ---------------------------------------------------------------------
# One line of huge_bytes bytes (50 MB by default): sentences without a line
# end, with the marker at the start and 3000 distinct words beginning with
# "a" (for a wildcard query a* that would expand to many terms).
python3 - "$c/huge_line.txt" "$huge_bytes" <<'EOF'
import sys
path, size = sys.argv[1], int(sys.argv[2])
head = "Huge line hugelinemarker opens this one-line article. " + " ".join(
    "aword%04dx" % i for i in range(3000)) + ". "
sentence = b"The same sentence is repeated for a very long time without a line end. "
with open(path, "wb") as f:
    data = head.encode()
    f.write(data[:size])
    left = size - len(data)
    block = sentence * (1 << 14)
    while left > 0:
        chunk = block[:left]
        f.write(chunk)
        left -= len(chunk)
EOF
mark huge_line.txt hugelinemarker indexed

# Words longer than Xapian's 245-byte term limit (ASCII, and 2-byte letters),
# and a path whose article id is longer than the limit.
{
    printf 'Long Words\n\nBefore the long words comes longwordmarker. '
    head -c 300 /dev/zero | tr '\0' 'x'
    printf ' and then '
    for _ in $(seq 150); do printf '\xc3\xa9'; done
    printf ' and the end.\n'
} >"$c/long_word.txt"
mark long_word.txt longwordmarker indexed
deep=$c/deep
for i in 1 2 3 4 5; do deep=$deep/$(printf 'level%d_%s' "$i" "$(head -c 50 /dev/zero | tr '\0' 'd')"); done
mkdir -p "$deep"
printf 'Deep Path\n\nAn article whose id is longer than a term mentions deeppathmarker.\n' >"$deep/article.txt"
mark "${deep#"$c"/}/article.txt" deeppathmarker indexed

# -- file system ---------------------------------------------------------------
# A file that cannot be read.
printf 'Locked Article\n\nNobody may read unreadablemarker.\n' >"$c/unreadable.txt"
chmod 000 "$c/unreadable.txt"
mark unreadable.txt unreadablemarker unreadable
# A folder that cannot be read.
mkdir -p "$c/locked_dir"
printf 'Locked Folder\n\nInside a locked folder: lockeddirmarker.\n' >"$c/locked_dir/inside.txt"
chmod 000 "$c/locked_dir"
mark locked_dir/inside.txt lockeddirmarker unreadable
if [[ $(id -u) -eq 0 ]]; then
    echo "make.sh: note: running as root, chmod 000 does not stop reading unreadable.txt and locked_dir/;" \
         "read them as an unprivileged user (setpriv/runuser as nobody) to test that case" >&2
fi

# Symlinks: dangling, a loop, a folder loop, one leading outside, one inside.
ln -s does-not-exist.txt "$c/dangling.txt"
ln -s loop_b.txt "$c/loop_a.txt"
ln -s loop_a.txt "$c/loop_b.txt"
ln -s . "$c/self_dir_loop"
printf 'Outside\n\nThis file is outside the folder and holds outsidemarker.\n' >"$dir/outside/secret.txt"
ln -s ../outside/secret.txt "$c/outside.txt"
ln -s good/alpha.txt "$c/alias_of_alpha.txt"
mark dangling.txt - skipped
mark loop_a.txt - skipped
mark loop_b.txt - skipped
mark outside.txt outsidemarker skipped
mark alias_of_alpha.txt - same-file

# Control characters: ESC sequences (replaced with spaces when read) and the
# C1 control U+009B (CSI), which a terminal may obey.
{
    printf 'Escape Sequences\n\n'
    printf 'A long enough paragraph of ordinary words keeps this file from looking binary, and it mentions '
    printf 'escmarkerword in red: \x1b[31mred text\x1b[0m then a clear screen \x1b[2J and a bell \x07 '
    printf 'and a C1 control sequence introducer \xc2\x9b31m in the middle of the sentence.\n\n'
    printf 'A second paragraph of plain words follows, so that most of the bytes are text and not controls.\n'
} >"$c/escape.txt"
mark escape.txt escmarkerword repaired

# A file name with an escape sequence: the article id comes from the name, and
# output must stay safe. (A name that is not UTF-8 is in
# tests/cli/pending_test_robustness.py: such an article is removed and added
# again on every run.)
mkdir -p "$c/odd_names"
printf 'Escape In The Name\n\nThe file name holds an escape sequence; escnamemarker.\n' >"$c/odd_names/esc"$'\x1b'"[2Jname.txt"
mark odd_names/esc-name.txt escnamemarker indexed

# -- JSONL ---------------------------------------------------------------------
# Good lines around malformed ones. Line numbers matter: the test expects the
# warnings at exactly these lines.
python3 - "$c/articles.jsonl" <<'EOF'
import json, sys
good = lambda i, word, **kw: json.dumps(dict({"id": i, "title": "JSONL " + i,
                                              "text": "A JSONL article that mentions " + word + "."}, **kw))
lines = [
    good("j-good-1", "jsonlgoodone", date="2024-05-01"),                  # 1
    "{this is not json",                                                   # 2 not JSON
    json.dumps({"title": "No id", "text": "jsonlnoidmarker"}),             # 3 missing id
    json.dumps({"id": "j-no-text", "title": "No text"}),                   # 4 missing text
    json.dumps({"id": ["j-list"], "text": "jsonlbadidtype"}),              # 5 id of the wrong type
    json.dumps({"id": "j-text-number", "text": 12345}),                    # 6 text of the wrong type
    good("j-good-2", "jsonlgoodtwo"),                                      # 7
    "",                                                                    # 8 blank: ignored
    json.dumps(["an", "array"]),                                           # 9 not an object
    json.dumps({"id": "", "text": "jsonlemptyid"}),                        # 10 empty id
    json.dumps({"id": 1.5, "text": "jsonlfloatid"}),                       # 11 id of the wrong type
    None,                                                                  # 12 Latin-1 in a string: converted
    json.dumps({"id": "j-nul", "text": "jsonlnulmarker \u0000 binary"}),   # 13 an escaped NUL: a space
    good("j-dup", "jsonldupfirst"),                                        # 14
    good("j-good-3", "jsonlgoodthree", title=7, date="not a date"),        # 15 odd optional fields
    good("j-esc", "jsonlescmarker", title="Red \u001b[31mtitle\u001b[0m \u009b2J end",
         url="http://example.org/\u001b[2J"),                              # 16 controls in title and url
    good("j-" + "l" * 300, "jsonllongid"),                                 # 17 id longer than a term
    "{\"id\": \"j-trunc\", \"text\": \"cut off",                           # 18 truncated line
]
with open(sys.argv[1], "wb") as f:
    for l in lines:
        if l is None:
            f.write(b'{"id": "j-bad-utf8", "text": "jsonlbadutfmarker \xff\xfe here"}')
        else:
            f.write(l.encode())
        f.write(b"\r\n" if l and "j-good-2" in l else b"\n")
    f.write(good("j-good-4", "jsonlgoodfour").encode())  # 19, no final line end
EOF
mark articles.jsonl jsonlgoodone indexed

# The same id in a second JSONL file: the second is skipped.
python3 - "$c/more.jsonl" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"id": "j-more-1", "text": "Another file mentions jsonlmoremarker."}) + "\n")
    f.write(json.dumps({"id": "j-dup", "text": "The duplicate mentions jsonldupsecond."}) + "\n")
EOF
mark more.jsonl jsonlmoremarker indexed

echo "$dir"
