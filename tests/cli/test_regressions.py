"""Regression tests for bugs found by the robustness tests and fuzzing, one
test per bug, named after it (the fuzzers' inputs for the same bugs are in
tests/fuzz/regressions/).
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.environ.get("QANAT_ROOT", os.getcwd())
QI = os.environ.get("QANAT_INDEX", os.path.join(ROOT, "build/indexer/qanat-index"))
QS = os.environ.get("QANAT_SEARCH", os.path.join(ROOT, "build/searcher/qanat-search"))


def run(args, stdin=None, text=True):
    e = dict(os.environ)
    e.pop("QANAT_DB", None)
    return subprocess.run(args, input=stdin, capture_output=True, text=text, env=e, timeout=120)


class Regressions(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="qanat-regress-")
        os.chmod(self.tmp, 0o755)
        self.src = os.path.join(self.tmp, "src")
        self.db = os.path.join(self.tmp, "db")
        os.makedirs(self.src)

    def tearDown(self):
        for dirpath, dirnames, _ in os.walk(self.tmp):
            for d in dirnames:
                if not os.path.islink(os.path.join(dirpath, d)):
                    os.chmod(os.path.join(dirpath, d), 0o755)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, content):
        path = os.path.join(self.src, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content)
        return path

    def jsonl(self, *articles):
        self.write("a.jsonl", "".join(json.dumps(a) + "\n" for a in articles))

    def outside_link(self):
        """good.txt in src, and link.txt, a symlink to ../outside/secret.txt
        (marker outsidemarker): the symlink's path."""
        self.write("good.txt", "Good\n\nThe good article mentions quorvantic.\n")
        outside = os.path.join(self.tmp, "outside")
        os.makedirs(outside)
        with open(os.path.join(outside, "secret.txt"), "w") as f:
            f.write("Outside\n\nThe outside file mentions outsidemarker.\n")
        link = os.path.join(self.src, "link.txt")
        os.symlink("../outside/secret.txt", link)
        return link

    def index(self, *extra):
        return run([QI, "--db", self.db, *extra, self.src])

    def hits(self, *args):
        r = run([QS, "--db", self.db, "--format", "json", "--limit", "100", *args])
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return json.loads(r.stdout)["hits"]

    def test_jsonl_number_out_of_range_skips_the_line_only(self):
        # core/jsonl.cpp catches nlohmann::json::parse_error only; a number
        # too large for a double (1e999, in any field) makes the parser throw
        # out_of_range (406), which escapes parse_jsonl_article: qanat-index
        # stops with exit status 2 ("[json.exception.out_of_range.406] number
        # overflow parsing '1e999'"), names neither file nor line, and indexes
        # nothing. Found by tests/fuzz/fuzz_jsonl.cpp
        # (tests/fuzz/regressions/jsonl/).
        self.write("good.txt", "Good\n\nThe good article mentions quorvantic.\n")
        self.write("a.jsonl", '{"id": "j1", "text": "The first line mentions jsonlgoodone."}\n'
                              '{"id": "j2", "text": "overflow", "score": 1e999}\n'
                              '{"id": "j3", "text": "The third line mentions jsonlgoodthree."}\n')
        r = self.index()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("a.jsonl:2:", r.stderr)
        for marker in ("quorvantic", "jsonlgoodone", "jsonlgoodthree"):
            self.assertTrue(self.hits(marker), marker)

    def test_file_name_that_is_not_utf8_is_unchanged_on_the_next_run(self):
        # core/index_writer.cpp stores an article's record as JSON dumped with
        # error_handler_t::replace, and records() reads the id back from that
        # JSON: the id of "latin\xe9.txt" comes back as "latin\ufffd", matches
        # no file, and every run reports "1 added, ... 1 removed" and analyses
        # and writes the article again instead of "1 unchanged".
        with open(os.path.join(os.fsencode(self.src), b"latin\xe9.txt"), "w") as f:
            f.write("Latin\n\nThe file name is Latin-1: latinnamemarker.\n")
        self.write("good.txt", "Good\n\nThe good article mentions quorvantic.\n")
        r = self.index()
        self.assertIn("2 added", r.stderr)
        r = self.index()
        self.assertIn("0 added, 0 changed, 2 unchanged, 0 removed", r.stderr)
        self.assertEqual(len(self.hits("latinnamemarker")), 1)

    def test_greek_iota_subscript_is_found_as_written(self):
        # core/normalize.cpp: fold() case-folds first (NFKC_Casefold turns the
        # combining ypogegrammeni U+0345 into the letter iota), but
        # fold_keep_case(), which the searcher applies to the query, keeps
        # U+0345 and then strips it as a diacritic (0x0300-0x036F). So the
        # index has "λογωι" and the query "λόγῳ" looks for "λογω": a word with
        # an iota subscript (ᾳ, ῃ, ῳ) cannot be found as written. Found by
        # tests/fuzz/fuzz_normalize.cpp (fold(fold_keep_case(x)) == fold(x);
        # tests/fuzz/regressions/normalize/).
        self.write("greek.txt", "Greek\n\nThe phrase ἐν τῷ λόγῳ appears in polytonic Greek.\n")
        self.index()
        self.assertTrue(self.hits("λόγῳ"))
        self.assertTrue(self.hits("τῷ"))

    def test_symlink_leading_outside_is_reported_and_follow_symlinks_includes_it(self):
        # indexer/sources.cpp computes the display path with fs::relative(),
        # which resolves symlinks: a link to ../outside/x.txt gets the display
        # path "../outside/x.txt", which the hidden-file rule (a path starting
        # with '.') skips silently, before the symlink check that would warn.
        # So the file is left out with no warning (exit 0), and
        # --follow-symlinks cannot include it.
        self.outside_link()
        r = self.index()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("link.txt: symlink leads outside", r.stderr)
        self.assertFalse(self.hits("outsidemarker"))
        # The warning says skipped, and so does the summary (it said "0 skipped").
        self.assertIn(" 0 removed, 1 skipped;", r.stderr)
        os.symlink(os.path.join(self.tmp, "missing.txt"), os.path.join(self.src, "broken.txt"))
        os.symlink(os.path.join(self.tmp, "outside"), os.path.join(self.src, "folder"))
        os.symlink(os.path.join(self.tmp, "outside", "secret.txt"), os.path.join(self.src, "notes.pdf"))
        r = self.index()
        self.assertIn(" 0 removed, 3 skipped;", r.stderr)  # link.txt, broken.txt, folder (not notes.pdf)
        self.assertNotIn("notes.pdf", r.stderr)
        for name in ("broken.txt", "folder", "notes.pdf"):
            os.remove(os.path.join(self.src, name))
        r = self.index("--follow-symlinks")
        self.assertIn(r.returncode, (0, 1), r.stderr)
        hits = self.hits("outsidemarker")
        self.assertEqual([h["article"]["id"] for h in hits], ["link"])

    def test_article_of_a_symlink_leading_outside_goes_when_the_symlink_does(self):
        # indexer/index_command.cpp judged an article gone only if its
        # source (the canonical path of its file) was under a folder given.
        # A file reached through a symlink leading outside (--follow-symlinks)
        # has its source outside, so once the symlink was deleted the article
        # stayed in the index for good ("1 unchanged, 0 removed"), and a
        # search still found it. Now its record keeps the symlink's path, and
        # a run over the symlink's folder removes it; a run that does not
        # follow the symlink (no --follow-symlinks) keeps it, as the file is
        # still there.
        link = self.outside_link()
        r = self.index("--follow-symlinks")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([h["article"]["id"] for h in self.hits("outsidemarker")], ["link"])
        r = self.index("--follow-symlinks")  # unchanged: kept
        self.assertIn("2 unchanged, 0 removed", r.stderr)
        self.assertEqual(len(self.hits("outsidemarker")), 1)
        r = self.index()  # not followed: a warning, and kept
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("link.txt: symlink leads outside", r.stderr)
        self.assertIn("2 unchanged, 0 removed", r.stderr)
        self.assertEqual(len(self.hits("outsidemarker")), 1)
        # Another folder indexed into the same index does not judge it.
        other = os.path.join(self.tmp, "other")
        os.makedirs(other)
        with open(os.path.join(other, "more.txt"), "w") as f:
            f.write("More\n\nAnother folder mentions quorvantic too.\n")
        r = run([QI, "--db", self.db, other])
        self.assertIn("1 added, 0 changed, 0 unchanged, 0 removed", r.stderr)
        self.assertEqual(len(self.hits("outsidemarker")), 1)
        os.remove(link)
        r = self.index("--follow-symlinks")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 unchanged, 1 removed", r.stderr)
        self.assertEqual(self.hits("outsidemarker"), [])
        self.assertEqual(sorted(h["article"]["id"] for h in self.hits("quorvantic")), ["good", "more"])

    def test_an_id_left_out_as_a_duplicate_is_indexed_once_the_first_is_gone(self):
        # Found by a randomised comparison of updates with new builds. An
        # article left out of a JSONL file as a duplicate (its id first met
        # elsewhere) was never indexed once the first one went: the JSONL
        # file kept its size and time, so it was not read again.
        line = json.dumps({"id": "a", "title": "T", "text": "Alpha dupmarker."}) + "\n"
        self.write("x.jsonl", line)
        self.write("y.jsonl", line)
        r = self.index()
        self.assertIn("duplicate id 'a'", r.stderr)
        os.remove(os.path.join(self.src, "x.jsonl"))
        self.index()
        self.assertEqual([h["article"]["id"] for h in self.hits("dupmarker")], ["a"])
        # The first one a text file, come after the JSONL file was indexed.
        self.write("a.txt", "A\n\nThe text dupmarker.\n")
        r = self.index()
        self.assertIn("y.jsonl:1: duplicate id 'a' (first at ", r.stderr)  # (its line, though not read again)
        self.assertEqual([h["article"]["path"] for h in self.hits("dupmarker")], ["a.txt"])
        os.remove(os.path.join(self.src, "a.txt"))
        self.index()
        self.assertEqual([h["article"]["path"] for h in self.hits("dupmarker")], ["y.jsonl:1"])

    def test_a_jsonl_article_moved_to_another_line_says_where_it_is(self):
        # Found the same way: an article without a url is shown as FILE:LINE,
        # but an unchanged line moved down the file kept its old line number.
        a = json.dumps({"id": "a", "title": "T", "text": "Alpha movedmarker."}) + "\n"
        b = json.dumps({"id": "b", "title": "T", "text": "Beta other."}) + "\n"
        u = json.dumps({"id": "u", "title": "T", "text": "Gamma urlmarker.", "url": "https://example.org/u"}) + "\n"
        self.write("x.jsonl", a + u)
        self.index()
        self.write("x.jsonl", b + a + b.replace('"b"', '"c"') + u)
        r = self.index()
        self.assertIn("2 added, 1 changed, 1 unchanged", r.stderr)  # u is shown by its url
        self.assertEqual([h["article"]["path"] for h in self.hits("movedmarker")], ["x.jsonl:2"])

    def test_unreadable_folder_is_reported(self):
        # indexer/sources.cpp walks with directory_options::skip_permission_denied:
        # a folder the indexer may not read is left out with no warning and
        # exit status 0, though the README promises that every skipped file is
        # named on stderr (exit status 1).
        if os.geteuid() == 0 and not shutil.which("setpriv"):
            self.skipTest("root without setpriv: cannot make a folder unreadable")
        self.write("good.txt", "Good\n\nThe good article mentions quorvantic.\n")
        self.write("locked/inside.txt", "Inside\n\nInside a locked folder: lockeddirmarker.\n")
        os.chmod(os.path.join(self.src, "locked"), 0)
        prefix = []
        if os.geteuid() == 0:
            os.makedirs(self.db)
            os.chown(self.db, 65534, 65534)
            prefix = [shutil.which("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups"]
        r = run(prefix + [QI, "--db", os.path.join(self.db, "idx"), self.src])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("locked", r.stderr)

    def test_an_article_deleted_from_a_moved_folder_is_removed(self):
        # The project folder moved (or renamed), then an article deleted: the
        # articles found again were "changed", the deleted one stayed for good
        # (its old folder was no folder of the run).
        proj = os.path.join(self.tmp, "proj")
        for i in (1, 2, 3):
            os.makedirs(os.path.join(proj, "articles"), exist_ok=True)
            with open(os.path.join(proj, "articles", "%d.txt" % i), "w") as f:
                f.write("T%d\n\nArticle %d about gazelle%d.\n" % (i, i, i))
        # Another folder's article, still there, is not this run's to remove.
        self.write("other.txt", "Other\n\nThe other folder's gazelle9.\n")
        self.assertEqual(run([QI, "--db", self.db, self.src]).returncode, 0)
        self.assertEqual(run([QI, "--db", self.db, os.path.join(proj, "articles")]).returncode, 0)
        moved = os.path.join(self.tmp, "proj2")
        os.rename(proj, moved)
        os.remove(os.path.join(moved, "articles", "3.txt"))
        r = run([QI, "--db", self.db, os.path.join(moved, "articles")])
        self.assertIn("2 changed, 0 unchanged, 1 removed", r.stderr)
        ids = lambda: sorted(h["article"]["id"] for h in self.hits("gazelle1 OR gazelle2 OR gazelle3 OR gazelle9"))
        self.assertEqual(ids(), ["1", "2", "other"])
        # Renamed again, and one more deleted.
        os.rename(os.path.join(moved, "articles"), os.path.join(moved, "corpus2024"))
        os.remove(os.path.join(moved, "corpus2024", "2.txt"))
        r = run([QI, "--db", self.db, os.path.join(moved, "corpus2024")])
        self.assertIn("1 removed", r.stderr)
        self.assertIn("is gone and its articles are found in", r.stderr)
        self.assertEqual(ids(), ["1", "other"])

    def test_a_folder_missing_for_now_keeps_its_articles(self):
        # A folder on a drive not mounted now, and another folder indexed that
        # happens to share one id ("1"): no move, nothing of the first removed.
        usb = os.path.join(self.tmp, "usb", "corpus")
        os.makedirs(usb)
        for i in (1, 2, 3):
            with open(os.path.join(usb, "%d.txt" % i), "w") as f:
                f.write("T%d\n\nUsb article %d about gazelle%d.\n" % (i, i, i))
        self.write("1.txt", "O\n\nThe other folder's gazelle9.\n")
        self.assertEqual(run([QI, "--db", self.db, usb]).returncode, 0)
        os.rename(os.path.join(self.tmp, "usb"), os.path.join(self.tmp, "unmounted"))
        r = run([QI, "--db", self.db, self.src])
        self.assertIn("0 removed", r.stderr)
        self.assertEqual(sorted(h["article"]["id"] for h in self.hits("gazelle2 OR gazelle3")), ["2", "3"])

    def test_jsonl_escapes_a_reader_never_sees_keep_the_article(self):
        # "\u0000" made the text a "binary file": the article was skipped and
        # its indexed version removed; a lone surrogate ("\ud800", as
        # Python's json.dumps writes a badly decoded string) refused the line.
        self.write("a.jsonl", '{"id": "n1", "text": "Original okapi text of 2001.", "url": "http://x/1"}\n')
        self.assertEqual(self.index().returncode, 0)
        self.write("a.jsonl", '{"id": "n1", "text": "Edited okapi text with a \\u0000 in 2003.", "url": "http://x/1"}\n'
                              '{"id": "n2", "text": "A lone \\ud800 surrogate beside okapi, a pair \\ud83d\\ude00."}\n'
                              '{"id": "n3", "text": "An escaped \\\\ud800 is text beside okapi."}\n')
        r = self.index()
        self.assertEqual(r.returncode, 0, r.stderr)
        hits = {h["article"]["id"]: h["text"] for h in self.hits("okapi")}
        self.assertEqual(hits["n1"], "Edited okapi text with a   in 2003.")
        self.assertEqual(hits["n2"], "A lone \ufffd surrogate beside okapi, a pair \U0001F600.")
        self.assertEqual(hits["n3"], "An escaped \\ud800 is text beside okapi.")
        # Text that is binary all the same keeps what was indexed, as a text file does.
        ctrl = "".join("\\u%04x" % c for c in list(range(1, 9)) * 6)
        self.write("a.jsonl", '{"id": "n1", "text": "okapi ' + ctrl + '", "url": "http://x/1"}\n')
        r = self.index()
        self.assertIn("(the indexed version is kept)", r.stderr)
        self.assertIn("1 unchanged, 2 removed", r.stderr)  # (n2 and n3 are no longer in the file)
        self.assertEqual([h["article"]["id"] for h in self.hits("okapi")], ["n1"])
        # ... and says so again at the next run (the file was taken as unchanged, the old text kept in silence).
        r = self.index()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("(the indexed version is kept)", r.stderr)

    def test_latin1_and_utf16_inputs_are_read_or_said(self):
        # A JSONL line in Latin-1 had its accents replaced (unsearchable); a
        # JSONL file in UTF-16 gave "not valid JSON" for every line; an actor
        # list in UTF-16 was "name is not valid UTF-8".
        with open(os.path.join(self.src, "l.jsonl"), "wb") as f:
            f.write(b'{"id": "a", "text": "Le pr\xe9sident visita Gen\xe8ve \xab\xa0March\xe9\xa0\xbb."}\n')
        with open(os.path.join(self.src, "u.jsonl"), "wb") as f:
            f.write('{"id": "u", "text": "Sixteen bits."}\n'.encode("utf-16"))
        with open(os.path.join(self.src, "actors.tsv"), "wb") as f:
            f.write("Gen\u00e8ve\tplace\tGeneva\n".encode("utf-16"))
        r = self.index()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("l.jsonl:1: not UTF-8", r.stderr)
        self.assertIn("u.jsonl: JSONL in UTF-16, not UTF-8: convert it", r.stderr)
        self.assertEqual(r.stderr.count("u.jsonl"), 1)
        self.assertIn("actors.tsv: actor list: converted from UTF-16LE", r.stderr)
        hits = self.hits("président")
        self.assertEqual([h["article"]["id"] for h in hits], ["a"])
        self.assertIn("Genève", [a["name"] for a in hits[0]["actors"]])
        self.assertEqual(self.hits("actor:Geneva")[0]["article"]["id"], "a")

    def test_decade_values_work_as_filters(self):
        # With --year-bucket decade, 1800-1809 was the value "1800s", which as
        # a filter (and in a text) is the whole century: 54 times as many passages.
        self.jsonl({"id": "a", "text": "In 1805 the treaty was signed."},
                   {"id": "b", "text": "Through the 1800s the towns grew, in 1850 most of all."},
                   {"id": "c", "text": "In 1885 the treaty was signed again."})
        self.index()
        r = run([QS, "--db", self.db, "--format", "json", "--year-bucket", "decade", "--facet-limit", "0",
                 "treaty OR towns"])
        facet = {v["value"]: v["passages"] for v in json.loads(r.stdout)["facets"]["year"]}
        self.assertEqual(facet.get("1800-09"), 2, facet)  # 1805, and the century of b
        self.assertNotIn("1800s", facet)
        for value, n in facet.items():
            self.assertEqual(len(self.hits("treaty OR towns", "year:" + value)), n, value)

    def test_an_actor_facet_value_filters_exactly_with_equals(self):
        # actor:Saddam also finds Saddam Hussein (a given name): a facet value
        # turned into a filter counted more than the facet did, with no way
        # to ask for the value alone.
        self.jsonl({"id": "a", "text": "Saddam spoke in 1990 about the war."},
                   {"id": "b", "text": "Saddam Hussein spoke in 1991 about the war."})
        self.index()
        r = run([QS, "--db", self.db, "--format", "json", "--facet-limit", "0", "war"])
        facet = {v["value"]: v["passages"] for v in json.loads(r.stdout)["facets"]["actor"]}
        self.assertEqual(facet["Saddam"], 1)
        self.assertEqual(len(self.hits("war", "actor:Saddam")), 2)
        for form in (["war actor:=Saddam"], ['war actor:"=Saddam"'], ["--actor", "=Saddam", "war"]):
            self.assertEqual([h["article"]["id"] for h in self.hits(*form)], ["a"], form)
        r = run([QS, "--db", self.db, "actor:Saddam"])
        self.assertIn("actor:=Saddam for 'Saddam' alone", r.stderr)

    def test_an_exact_facet_value_with_an_actor_list_and_in_quotes(self):
        # With an actor list, actor:=Iraq searched an internal placeholder
        # ("qanatalias m0") and found nothing; actor:="Two Words" took '="Two'
        # as the value and the rest as words. year:=1980s is the decade's
        # facet value alone (year:1980s also finds every year of it).
        self.write("actors.tsv", "Iraq\tplace\nAxis of Resistance\tgroup\tthe Axis\n")
        self.jsonl({"id": "a", "text": "Iraq and the Axis of Resistance in the 1980s."},
                   {"id": "b", "text": "Iraq in 1985, the Axis of Resistance later."},
                   {"id": "c", "text": "Iraq alone, in 2003."})
        self.index()
        for form in (["actor:=Iraq"], ["Actor:=Iraq"], ['actor:"=Iraq"'], ["--actor", "=Iraq", "Iraq"]):
            self.assertEqual(sorted(h["article"]["id"] for h in self.hits(*form)), ["a", "b", "c"], form)
        for form in (['actor:="Axis of Resistance"'], ['actor:"=Axis of Resistance"'], ["--actor", "=Axis of Resistance", "Iraq"]):
            self.assertEqual(sorted(h["article"]["id"] for h in self.hits(*form)), ["a", "b"], form)
        self.assertEqual(sorted(h["article"]["id"] for h in self.hits("year:1980s")), ["a", "b"])
        for form in (["year:=1980s"], ["--year", "=1980s", "Iraq"]):
            self.assertEqual([h["article"]["id"] for h in self.hits(*form)], ["a"], form)
        self.assertEqual([h["article"]["id"] for h in self.hits("year:=1985")], ["b"])
        r = run([QS, "--db", self.db, "year:=1980-88"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("'=' takes one year or a decade", r.stderr)

    def test_a_trec_batch_says_its_warnings_on_standard_error(self):
        # A run file has no place for them, and they were lost.
        self.write("a.txt", "A\n\nSaddam Hussein and Fuad Hussein met in 1990.\n")
        self.index()
        r = run([QS, "--db", self.db, "--batch", "-", "--format", "trec"], stdin="actor:Hussein\n")
        self.assertIn("qanat-search: warning: -:1: actor 'Hussein'", r.stderr)
        self.assertTrue(r.stdout.startswith("1 Q0 a 1 "), r.stdout)

    def test_a_folder_given_as_batch_is_an_error(self):
        self.write("a.txt", "A\n\nText.\n")
        self.index()
        r = run([QS, "--db", self.db, "--batch", self.src])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("is a folder", r.stderr)

    def test_jsonl_lines_left_out_are_counted_as_skipped(self):
        self.write("a.jsonl", '{"id": "a", "text": "Fine okapi."}\nnot json\n{"text": "no id"}\n[1, 2]\n{"id": "b"}\n')
        r = self.index()
        self.assertIn("1 added", r.stderr)
        self.assertIn("4 skipped", r.stderr)

    def test_an_index_this_user_cannot_write_is_said_so(self):
        # Xapian reports a lock file it may not open as "locked": the user was
        # told to wait for another indexer that does not exist.
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("needs root and setpriv to run as another user")
        self.write("good.txt", "Good\n\nThe good article mentions quorvantic.\n")
        self.assertEqual(self.index().returncode, 0)
        for root, dirs, files in os.walk(self.tmp):
            for n in dirs + files:
                os.chmod(os.path.join(root, n), 0o755 if n in dirs else 0o644)
        os.chmod(self.tmp, 0o755)
        prefix = [shutil.which("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups"]
        r = run(prefix + [QI, "--db", self.db, self.src])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("cannot write the index at", r.stderr)
        self.assertNotIn("locked by another indexer", r.stderr)

    def test_article_field_finds_ids_longer_than_a_term(self):
        # The index stores XA<id> through schema::term(), which shortens
        # values over the term limit with a hash; --article does the same, but
        # the query field article:ID is a plain boolean prefix in
        # core/search.cpp, so article:LONGID looks for the unshortened term
        # and finds nothing.
        long_id = "j-" + "l" * 300
        self.jsonl({"id": long_id, "text": "The long article mentions quorvantic."})
        self.index()
        self.assertEqual(len(self.hits("--article", long_id)), 1)
        self.assertEqual(len(self.hits("article:" + long_id)), 1)

    def test_trec_output_keeps_one_line_of_six_columns(self):
        # searcher/printers.cpp TrecPrinter prints the article id as it is: an
        # id with a space (a file "my article.txt"), a newline or an escape
        # sequence breaks the run file and reaches the terminal raw.
        self.write("my article.txt", "Spaced\n\nThe spaced article mentions quorvantic.\n")
        self.jsonl({"id": "esc\x1b[2J\nline", "text": "The escaped article mentions quorvantic."})
        self.index()
        r = run([QS, "--db", self.db, "--format", "trec", "quorvantic"])
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 2, r.stdout)
        for l in lines:
            self.assertEqual(len(l.split()), 6, l)
        self.assertNotIn("\x1b", r.stdout)

    def test_json_escapes_c1_control_characters(self):
        # README: "Strings are valid UTF-8 with every control character
        # escaped." nlohmann::json escapes U+0000..U+001F only: a C1 control
        # such as U+009B (CSI, which terminals may obey) is written raw.
        self.jsonl({"id": "c1", "title": "C1 \u009b2J title", "text": "The C1 article mentions quorvantic."})
        self.index()
        r = run([QS, "--db", self.db, "--format", "json", "quorvantic"], text=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(b"\xc2\x9b", r.stdout)
        self.assertIn(b"\\u009b", r.stdout)

    def test_jsonl_integer_id_beyond_int64_keeps_its_value(self):
        # core/jsonl.cpp reads an integer id with get<long long>(): an
        # unsigned id above 2^63-1 wraps around, 18446744073709551615 becomes
        # "-1", and collides with the id -1 (the second is dropped as a
        # duplicate).
        self.jsonl({"id": 18446744073709551615, "text": "The big article mentions quorvantic."},
                   {"id": -1, "text": "The negative article mentions quorvantic."})
        r = self.index()
        self.assertNotIn("duplicate id", r.stderr)
        ids = sorted(h["article"]["id"] for h in self.hits("quorvantic"))
        self.assertEqual(ids, ["-1", "18446744073709551615"])

    def total(self, *args):
        r = run([QS, "--db", self.db, "--format", "json", "--limit", "0", "--no-facets", *args])
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return json.loads(r.stdout)["total"]["passages"]

    def test_a_filter_field_before_a_group_applies_to_each_value(self):
        # core/search.cpp distributed_filter_groups(): "actor:(Iran Iraq)" was
        # the actor Iran and the word "iraq"; "year:(1999 2003)" an error about
        # the year "(1999". A filter field before a group now applies to each
        # value in it: either, as two filters of one field are.
        self.jsonl({"id": "a", "text": "Iran spoke in 2003."},
                   {"id": "b", "text": "Iraq spoke in 1999."},
                   {"id": "c", "text": "In 2010 Turkey spoke about Iraq."},
                   {"id": "d", "text": "Syria spoke in 2003."})
        self.index()
        self.assertEqual(self.total("actor:(Iran Iraq)"), 3)
        self.assertEqual(self.total("actor:(Iran Iraq)"), self.total("actor:Iran actor:Iraq"))
        self.assertEqual(self.total("actor:(Iraq AND Turkey)"), 1)
        self.assertEqual(self.total("actor:(Iraq -Turkey)"), 1)
        self.assertEqual(self.total("year:(1999 2003)"), 3)
        self.assertEqual(self.total("Year:(1999)"), 1)
        # A group of filters beside NOT filters the whole query, as one filter does.
        self.assertEqual(self.total("spoke NOT Iraq actor:(Iran Syria)"), 2)
        self.assertEqual(self.total("spoke NOT Iraq year:(2003 2010)"), 2)
        r = run([QS, "--db", self.db, "Iraq actor:()"])
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("'actor:(' at character 6 has no value", r.stderr)
        # Under --any a group stays a filter (in brackets, --any joined it to
        # the words with OR: every passage with "spoke").
        self.assertEqual(self.total("--any", "spoke actor:(Iran Syria)"), 2)
        self.assertEqual(self.total("--any", "spoke year:(1999 2010)"), 2)
        r = run([QS, "--db", self.db, "actor:(Iran NEAR Syria)"])
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("NEAR and ADJ do not go between filters", r.stderr)
        # Outside brackets too: Xapian kept one side and dropped the other
        # ("actor:Iran NEAR actor:Syria" was actor:Syria alone, status 0).
        for q in ("actor:Iran NEAR actor:Syria", "year:1999 ADJ year:2010", 'spoke NEAR actor:"Iran"'):
            r = run([QS, "--db", self.db, "--", q])
            self.assertEqual(r.returncode, 2, (q, r.stdout))
            self.assertIn("NEAR and ADJ do not go beside filters", r.stderr)

    def test_batch_files_as_scripts_write_them(self):
        # searcher/search_command.cpp: a byte-order mark made the first line
        # plain text (its id, filters and query lost, status 0); an id too
        # large for a signed integer came back negative; "explain" was refused
        # as a misspelt "plain"; "# ..." lines were searched.
        self.jsonl({"id": "a", "text": "Iraq and Iran met in 2003."},
                   {"id": "b", "text": "Iraq alone in 1999."})
        self.index()
        lines = ('\ufeff{"id":"x","query":"Iraq","year":"2003"}\n'
                 '# a comment\n'
                 '{"id":12345678901234567890,"query":"Iraq"}\n'
                 '{"id":1e30,"query":"Iraq"}\n'
                 '{"id":"e","article":"a","explain":true}\n'
                 '#Iraq\n')
        r = run([QS, "--db", self.db, "--batch", "-"], stdin=lines)
        out = [json.loads(l) for l in r.stdout.splitlines()]
        self.assertEqual([o["id"] for o in out], ["x", "12345678901234567890", "4", "e", "6"])
        self.assertEqual(out[0]["total"]["passages"], 1)
        self.assertEqual(out[0]["query"], "Iraq")
        self.assertIn("give it as a string", out[2]["error"])
        # A hit that scores 0 (filters only) says so with an empty list.
        self.assertEqual(out[3]["hits"][0]["explain"], [])
        self.assertEqual(out[4]["total"]["passages"], 2)  # "#Iraq" is a query, not a comment
        self.assertEqual(r.returncode, 2)
        # A single query's warnings go to standard error, and its text starts
        # with the first hit.
        r = run([QS, "--db", self.db, "--color", "never", "AND Iraq"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("  1. "), r.stdout[:30])
        self.assertIn("qanat-search: warning: could not parse", r.stderr)
        # "-Iran" read as an option: the message says how to write it.
        r = run([QS, "--db", self.db, "Iraq", "-Iran"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("put the whole query after '--'", r.stderr)
        # "-army" was read as "-a rmy" (--actor rmy), silently.
        r = run([QS, "--db", self.db, "Iraq", "-army"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("'-army' would be read as -a rmy", r.stderr)
        self.assertEqual(run([QS, "--db", self.db, "-n1", "-y2003", "Iraq"]).returncode, 0)
        # An option of one value given twice is an error, as --format was
        # ("-n 1 -n 2" took the last); one that does nothing in the output
        # asked for is said.
        r = run([QS, "--db", self.db, "-n", "1", "--limit=2", "Iraq"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--limit is given more than once", r.stderr)
        self.assertEqual(run([QS, "--db", self.db, "--year", "2003", "--year", "1999", "Iraq"]).returncode, 1)
        r = run([QS, "--db", self.db, "--format", "trec", "--explain", "Iraq"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("warning: --explain does nothing in TREC output", r.stderr)
        # Options that changed nothing, silently: --k1 and --b with a model
        # that has none, --title-weight without --plain, facet settings with
        # --no-facets or in a run file; an empty --qid or --run-tag made the
        # run file's columns "1" and "_".
        for args, said in ((["--weighting", "dph", "--k1", "3"], "--k1 does nothing but with --weighting bm25"),
                           (["--title-weight", "2"], "--title-weight does nothing without --plain"),
                           (["--no-facets", "--facet-sort", "name"], "--facet-sort does nothing with --no-facets"),
                           (["--format", "trec", "--year-bucket", "decade"], "--year-bucket does nothing in TREC output"),
                           (["--format", "json", "--color", "always"], "--color does nothing but in text output"),
                           (["--expand", "off", "--expand-terms", "5"], "--expand-terms does nothing with --expand off"),
                           (["--allow-partial"], "--allow-partial does nothing over one local index"),
                           (["--timeout", "3"], "--timeout does nothing over one local index")):
            r = run([QS, "--db", self.db, *args, "Iraq"])
            self.assertEqual(r.returncode, 0, (args, r.stderr))
            self.assertIn("warning: " + said, r.stderr)
        self.assertNotIn("warning", run([QS, "--db", self.db, "--plain", "--title-weight", "2", "Iraq"]).stderr)
        for args in (["--qid", ""], ["--run-tag", ""]):
            r = run([QS, "--db", self.db, "--format", "trec", *args, "Iraq"])
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("is empty", r.stderr)
        r = run([QS, "--db", self.db, "--timeout", "0", "Iraq"])
        self.assertIn("--timeout must be more than 0", r.stderr)
        # An option taken as another's value: the TREC lines began "--no-facets Q0".
        r = run([QS, "--db", self.db, "--format", "trec", "--qid", "--no-facets", "Iraq"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--qid needs a value, not the option '--no-facets'", r.stderr)

    def test_an_update_sees_what_size_and_time_miss(self):
        # A file put in place with its old size and time (cp -p, rsync -a,
        # touch -r) was "unchanged" for ever; a new --max-article-bytes did
        # not analyse again the articles it cut (or would cut).
        self.write("one.txt", "One\n\nThe economy was sound in 1987.\n")
        self.write("two.txt", "Two\n\nThe first paragraph speaks of the economy.\n\n" + "More words here. " * 5 +
                   "It ends with many things.\n")
        self.assertEqual(self.index().returncode, 0)
        path = os.path.join(self.src, "one.txt")
        st = os.stat(path)
        with open(path + ".new", "w") as f:
            f.write("One\n\nThe economy was solid in 1987.\n")
        os.utime(path + ".new", ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(path + ".new", path)
        r = self.index()
        self.assertIn("1 changed", r.stderr)
        self.assertEqual(len(self.hits("solid")), 1)
        self.assertIn("0 changed, 2 unchanged", self.index().stderr)
        r = self.index("--max-article-bytes", "80")
        self.assertIn("--max-article-bytes changed since the index was written; every article is analysed again", r.stderr)
        self.assertEqual(self.hits("things"), [])
        self.assertEqual(len(self.hits("economy")), 2)
        r = self.index()
        self.assertIn("analysed again", r.stderr)
        self.assertEqual(len(self.hits("things")), 1)

    def test_an_update_takes_removed_words_out_of_the_spelling_data(self):
        # Updates never took words out of the spelling data: a word whose
        # articles were gone was still suggested (and, finding nothing, hid
        # the right suggestion), and counts grew with every edit.
        self.write("one.txt", "One\n\nA fundamentalist movement grew in 1987.\n")
        self.write("two.txt", "Two\n\nThe fundamentals of the economy were sound in 1987.\n")
        self.assertEqual(self.index().returncode, 0)
        os.remove(os.path.join(self.src, "one.txt"))
        self.assertEqual(self.index().returncode, 0)
        r = run([QS, "--db", self.db, "--format", "json", "fundamentalst"])
        self.assertEqual(json.loads(r.stdout)["suggestion"], "fundamentals")

    def test_a_hits_actors_are_named_as_the_facet_names_them(self):
        # The facet counts "Opec" and "OPEC" as one actor, named by the
        # spelling most matches use, with their kind; each hit listed its
        # own spelling and kind ("Opec", unknown), so hits and facet did not
        # add up for a script.
        self.jsonl({"id": "a", "text": "OPEC ministers met in Vienna in 1987. OPEC said output would fall."},
                   {"id": "b", "text": "The ministers of Opec met again in London in 1987."},
                   {"id": "c", "text": "Oil ministers of OPEC met in Geneva in 1987."})
        self.index()
        r = run([QS, "--db", self.db, "--format", "json", "--facet-limit", "0", "ministers"])
        j = json.loads(r.stdout)
        counted = {}
        for h in j["hits"]:
            for a in h["actors"]:
                counted[(a["name"], a["kind"])] = counted.get((a["name"], a["kind"]), 0) + 1
        facet = {(v["value"], v["kind"]): v["passages"] for v in j["facets"]["actor"]}
        self.assertEqual(counted, facet)
        self.assertEqual(facet[("OPEC", "organisation")], 3)

    def test_spellings_of_one_actor_term_are_one_facet_value(self):
        # "Veterans' Administration" and "Veterans Administration" have one
        # actor term, so actor:= found both, but the facet counted them apart
        # (1 and 1 against the filter's 2); so did "H.W." and "H. W.".
        self.jsonl({"id": "a", "text": "The Veterans Administration paid in 1950."},
                   {"id": "b", "text": "The Veterans' Administration paid in 1951."},
                   {"id": "c", "text": "President George H. W. Bush paid a visit in 1990."},
                   {"id": "d", "text": "President George H.W. Bush paid a visit in 1991."})
        self.index()
        r = run([QS, "--db", self.db, "--format", "json", "--facet-limit", "0", "paid"])
        facet = {v["value"]: v["passages"] for v in json.loads(r.stdout)["facets"]["actor"]}
        self.assertEqual(facet["Veterans Administration"], 2, facet)
        self.assertEqual(facet["George H. W. Bush"], 2, facet)
        for value, n in facet.items():
            self.assertEqual(len(self.hits("paid", "--actor", "=" + value)), n, value)

    def test_one_spelling_of_two_kinds_in_a_passage_is_one_actor_of_its_hit(self):
        # A heading's "ARLINGTON" (guessed an organisation) and "Arlington, Va."
        # in one passage: the hit listed both "ARLINGTON" and "Arlington", and
        # the first was no value of the facet.
        self.jsonl({"id": "a", "text": "The army was ready. MEMORIAL AMPHITHEATER AT ARLINGTON. I beg that the "
                                       "Congress appropriate for a memorial amphitheater at Arlington, Va., the "
                                       "funds required in 1911."},
                   {"id": "b", "text": "The army rested at Arlington in 1912 and the Congress paid."},
                   {"id": "c", "text": "The army was buried at Arlington in 1913."})
        self.index()
        r = run([QS, "--db", self.db, "--format", "json", "--facet-limit", "0", "army"])
        j = json.loads(r.stdout)
        facet = {(v["value"], v["kind"]): v["passages"] for v in j["facets"]["actor"]}
        counted = {}
        for h in j["hits"]:
            for a in h["actors"]:
                counted[(a["name"], a["kind"])] = counted.get((a["name"], a["kind"]), 0) + 1
        self.assertEqual(counted, facet)

    def test_query_operators_read_as_meant(self):
        # core/search.cpp build_query(): Xapian's grammar bound a filter after
        # NOT to the word beside it ("Iraq NOT Iran year:2003" was Iraq
        # AND_NOT (Iran FILTER 2003): more passages than without the filter);
        # "-Iran" alone found the passages with Iran; a syntax error with a NOT
        # was searched as plain words, which keeps what the NOT excluded; a
        # wildcard on a whole word missed the word ("company*": terms are
        # stems, "compani"), and one that matched nothing was "no searchable
        # words" (status 2).
        self.jsonl({"id": "a", "date": "2003-01-01", "text": "Iraq and Iran in 2003. The companies met."},
                   {"id": "b", "date": "2003-01-01", "text": "Iraq alone in 2003. One company met."},
                   {"id": "c", "date": "2003-01-01", "text": "Iraq alone in 1999."},
                   {"id": "d", "date": "2003-01-01", "text": "Iran alone in 2003."},
                   {"id": "e", "date": "2003-01-01", "text": "Nothing here at all."})
        self.index()
        self.assertEqual(self.total("Iraq NOT Iran"), 2)
        self.assertEqual(self.total("Iraq NOT Iran year:2003"), 1)
        self.assertEqual(self.total("Iraq OR Iran year:2003"), 3)
        self.assertEqual(self.total("--", "-Iran"), 3)
        self.assertEqual(self.total("--", "-Iran -Iraq"), 1)
        r = run([QS, "--db", self.db, "Iraq NOT Iran AND"])
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("'NOT'", r.stderr)
        self.assertEqual(self.total("company*"), 2)
        self.assertEqual(self.total("companies*"), 2)
        hl = self.hits("company*")
        self.assertEqual(sorted(h["text"][s:e] for h in hl for s, e in h["highlights"]), ["companies", "company"])
        r = run([QS, "--db", self.db, "Iraq zzzq*"])
        self.assertEqual(r.returncode, 1, r.stderr)
        # What Xapian reads otherwise than typed is said: NEAR beside a group,
        # NEAR/0, a '*' inside a word, lower-case operators, bytes that are not
        # UTF-8, an article the index does not hold.
        def warned(*args):
            r = run([QS, "--db", self.db, "--format", "json", "--limit", "0", *args])
            return " ".join(json.loads(r.stdout.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))["warnings"]) \
                if r.stdout else r.stderr
        self.assertIn("'NEAR' at character 16 is searched as a word", warned("(Iraq OR Iran) NEAR company"))
        self.assertIn("'NEAR/0' at character 6", warned("Iraq NEAR/0 Iran"))
        self.assertEqual(warned("Iraq NEAR/2 Iran"), "")
        self.assertIn("is no wildcard", warned("comp*ny"))
        self.assertIn("in lower case are words", warned("Iraq not Iran"))
        self.assertIn("no article 'zz' in the index", warned("--article", "zz", "Iraq"))
        r = subprocess.run([QS, "--db", self.db, "--format", "json", "--limit", "0", b"Ira\xc3q"], capture_output=True)
        self.assertIn(b"not UTF-8 (from byte 4)", r.stdout)
        # Field names in any case; a field without a value says where.
        self.assertEqual(self.total("Iraq YEAR:2003"), self.total("Iraq year:2003"))
        r = run([QS, "--db", self.db, "Iraq year:"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("'year:' at character 6 has no value", r.stderr)
        for bad in (("--k1", "nan"), ("--b", "nan"), ("--k1", "inf")):
            r = run([QS, "--db", self.db, *bad, "Iraq"])
            self.assertEqual(r.returncode, 2, bad)

    def test_batch_keys_dashes_and_acronyms(self):
        # A misspelt batch key ("years") was ignored: the line ran without its
        # filter. --year took "1980-88" but not "1980–88" (year: took both).
        # "U.K." matched (Xapian indexes the acronym as "uk") but was never
        # highlighted.
        self.jsonl({"id": "a", "text": "The U.K. war of 1982 was short."},
                   {"id": "b", "text": "The war of 1999 was longer."})
        self.index()
        r = run([QS, "--db", self.db, "--batch", "-"], stdin='{"id": "q", "query": "war", "years": "1982"}\n')
        self.assertEqual(r.returncode, 2)
        self.assertIn('unknown key "years"', r.stderr)
        # The error line shows the line's query, as an answer would (it showed
        # the whole JSON line); an empty id is a bad line (it was given back
        # as "" in JSON lines and as "1" in a run file, for every such line).
        r = run([QS, "--db", self.db, "--batch", "-"],
                stdin='{"id": "q", "query": "war", "years": "1982"}\n{"id": "", "query": "war"}\n{"query": "war"}\n')
        self.assertEqual(r.returncode, 2)
        rows = [json.loads(l) for l in r.stdout.splitlines()]
        self.assertEqual([(row["id"], row["query"], "error" in row) for row in rows],
                         [("q", "war", True), ("2", '{"id": "", "query": "war"}', True), ("3", "war", False)])
        self.assertIn('-:2: "id" is empty', r.stderr)
        self.assertEqual(self.total("--year", "1980\u201388", "war"), 1)
        hl = self.hits("U.K.")
        self.assertEqual([h["text"][s:e] for h in hl for s, e in h["highlights"]], ["U.K."])

    def test_index_folder_safety(self):
        # indexer/index_command.cpp plan_layout(): --rebuild replaced (and so
        # removed) any folder given as --db, the articles being indexed too;
        # "--db idx/" failed to swap the new index in and left an empty one;
        # --rebuild through a symlink put a folder in the link's place and left
        # the real index stale; empty files were counted as added.
        self.write("a.txt", "Title\n\nThe article mentions quorvantic.\n")
        r = run([QI, "--rebuild", "--db", self.src, self.src])
        self.assertEqual(r.returncode, 2)
        self.assertIn("inside the index folder", r.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.src, "a.txt")))
        mine = os.path.join(self.tmp, "mine")
        os.makedirs(mine)
        with open(os.path.join(mine, "notes.txt"), "w") as f:
            f.write("keep me")
        for extra in ([], ["--rebuild"]):
            r = run([QI, *extra, "--db", mine, self.src])
            self.assertEqual(r.returncode, 2, extra)
            self.assertIn("holds other files", r.stderr)
        self.assertEqual(os.listdir(mine), ["notes.txt"])
        slash = os.path.join(self.tmp, "slash") + "/"
        for extra in ([], ["--rebuild"]):
            r = run([QI, *extra, "--db", slash, self.src])
            self.assertEqual(r.returncode, 0, r.stderr)
        r = run([QS, "--db", slash, "quorvantic"])
        self.assertEqual(r.returncode, 0, r.stderr)
        real = os.path.join(self.tmp, "real")
        self.assertEqual(run([QI, "--db", real, self.src]).returncode, 0)
        link = os.path.join(self.tmp, "link")
        os.symlink(real, link)
        self.write("b.txt", "Second\n\nThe second mentions zelmorphic.\n")
        self.assertEqual(run([QI, "--rebuild", "--db", link, self.src]).returncode, 0)
        self.assertTrue(os.path.islink(link))
        self.assertEqual(run([QS, "--db", real, "zelmorphic"]).returncode, 0)
        self.write("empty.txt", "")
        r = run([QI, "--db", os.path.join(self.tmp, "counted"), self.src])
        self.assertIn("2 added", r.stderr)
        self.assertIn("1 skipped", r.stderr)

    def test_same_id_from_another_folder_is_warned(self):
        # Two folders indexed one after the other, each with a "1.txt": the
        # second replaced the first with no warning (a run over both at once
        # warns of the duplicate).
        a, b = os.path.join(self.tmp, "A"), os.path.join(self.tmp, "B")
        for d, word in ((a, "afolderword"), (b, "bfolderword")):
            os.makedirs(d)
            with open(os.path.join(d, "1.txt"), "w") as f:
                f.write(f"One\n\nThe paragraph says {word}.\n")
        self.assertEqual(run([QI, "--db", self.db, a]).returncode, 0)
        r = run([QI, "--db", self.db, b])
        self.assertIn("article id '1' was", r.stderr)
        self.assertIn("still there; replaced (ids are paths relative to the folder given", r.stderr)
        # The advice fits how the two met: a file of the same folder with
        # another extension, a JSONL line (it spoke of folders).
        def replaced_from(folder, name, text, says):
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, name), "w") as f:
                f.write(text)
            self.assertIn(says, run([QI, "--db", self.db, folder]).stderr)
            os.remove(os.path.join(folder, name))
            self.assertEqual(run([QI, "--db", self.db, "--rebuild", b]).returncode, 0)
        replaced_from(b, "1.md", "One\n\nThe paragraph says mdword.\n", "differ only in their extension: rename one")
        replaced_from(os.path.join(self.tmp, "C"), "feed.jsonl", '{"id": "1", "text": "A line that says jsonlword."}\n',
                      "give one of them another id")
        os.remove(os.path.join(a, "1.txt"))  # moved away: no warning
        os.rename(os.path.join(b, "1.txt"), os.path.join(a, "1.txt"))
        r = run([QI, "--db", self.db, a])
        self.assertNotIn("still there", r.stderr)

    def test_an_article_whose_file_is_no_longer_read_is_said(self):
        # A file replaced by a symlink to a file of the same folder (indexed
        # under its own name), or by a FIFO: its article went without a word.
        self.write("x.txt", "X\n\nText one says xenoword.\n")
        self.write("y.txt", "Y\n\nText two says ywordy.\n")
        self.assertEqual(self.index().returncode, 0)
        x = os.path.join(self.src, "x.txt")
        os.remove(x)
        os.symlink("y.txt", x)
        r = self.index()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("x.txt: still there, but a symlink to a file indexed under its own name now: its article 'x' "
                      "is removed", r.stderr)
        os.remove(x)
        os.mkfifo(x)
        r = self.index()
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("x.txt: not a regular file (a FIFO); skipped", r.stderr)

    def test_batch_follows_a_rebuild(self):
        # A batch reading standard input answered, after a --rebuild swapped a
        # new index in, from both (hits of articles gone, counts of the new):
        # its handles on the old files read the new version file.
        import time
        for i in range(30):
            self.write(f"old{i}.txt", f"Old {i}\n\nThe old article {i} mentions quorvantic often.\n")
        self.index()
        p = subprocess.Popen([QS, "--db", self.db, "--batch", "-", "--format", "jsonl"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            p.stdin.write("quorvantic\n")
            p.stdin.flush()
            before = json.loads(p.stdout.readline())
            self.assertEqual(before["total"]["passages"], 30)
            new_src = os.path.join(self.tmp, "new")
            os.makedirs(new_src)
            with open(os.path.join(new_src, "n.txt"), "w") as f:
                f.write("New\n\nThe new article mentions quorvantic once.\n")
            r = run([QI, "--rebuild", "--db", self.db, new_src])
            self.assertEqual(r.returncode, 0, r.stderr)
            time.sleep(1.5)  # the batch looks for a newer index every half second
            for _ in range(3):
                p.stdin.write("quorvantic\n")
                p.stdin.flush()
                after = json.loads(p.stdout.readline())
                self.assertEqual(after["total"]["passages"], 1, after["total"])
                self.assertEqual([h["article"]["id"] for h in after["hits"]], ["n"])
        finally:
            p.stdin.close()
            p.wait(timeout=60)

    def test_snippet_is_at_most_snippet_bytes(self):
        # core/search.cpp choose_snippet(): in the fallback for a highlight
        # inside an over-long sentence, the end is fixed at start + max_bytes
        # before the start is moved back to the previous space, so a long word
        # before the match makes the snippet longer than --snippet-bytes (75
        # bytes for 40 here). The fuzz target fuzz_search finds this
        # (tests/fuzz/regressions/search/).
        self.jsonl({"id": "s1", "text": "Intro words here. Iranian-backed-militia-coalition-statement about "
                                        "quorvantic and more words follow here in this sentence that is long "
                                        "enough to need cutting."})
        self.index()
        for h in self.hits("--snippet-bytes", "40", "quorvantic"):
            self.assertLessEqual(len(h["snippet"].encode()), 40, h["snippet"])

    def test_batch_limit_is_checked_like_the_option(self):
        # --limit is refused above 100000; a batch "limit" is not checked, and
        # a value above 2^32 is silently cut to 32 bits
        # (searcher/search_command.cpp, get<unsigned>()).
        self.jsonl({"id": "b1", "text": "The batch article mentions quorvantic."})
        self.index()
        r = run([QS, "--db", self.db, "--batch", "-"], stdin='{"query": "quorvantic", "limit": 99999999999}\n')
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("error", json.loads(r.stdout.splitlines()[0]))


if __name__ == "__main__":
    unittest.main()
