"""Black-box tests of qanat-index and qanat-search over the project's corpus/.

Run by CTest (see tests/CMakeLists.txt), which passes the programs in
QANAT_INDEX and QANAT_SEARCH. Set QANAT_UPDATE_GOLDEN=1 to rewrite the golden
files in tests/golden/ after an intended change of output.
"""
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
import unittest

ROOT = os.environ.get("QANAT_ROOT", os.getcwd())
QI = os.environ.get("QANAT_INDEX", os.path.join(ROOT, "build/indexer/qanat-index"))
QS = os.environ.get("QANAT_SEARCH", os.path.join(ROOT, "build/searcher/qanat-search"))
CORPUS = os.path.join(ROOT, "corpus")
GOLDEN = os.path.join(ROOT, "tests", "golden")


def clean_env(env=None):
    """The environment without QANAT_DB (each test names its index), with env added."""
    e = dict(os.environ)
    e.pop("QANAT_DB", None)
    e.update(env or {})
    return e


def run(args, stdin=None, env=None):
    return subprocess.run(args, input=stdin, capture_output=True, text=True, env=clean_env(env), timeout=120)


class Corpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="qanat-cli-")
        cls.db = os.path.join(cls.tmp, "db")
        r = run([QI, "--db", cls.db, CORPUS])
        assert r.returncode == 0, r.stderr
        cls.index_stderr = r.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def search(self, *args, code=None):
        r = run([QS, "--db", self.db, *args])
        if code is not None:
            self.assertEqual(r.returncode, code, r.stderr)
        return r

    def json(self, *args):
        r = self.search("--format", "json", *args)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return json.loads(r.stdout)

    def passages(self, *args):
        j = self.json("--limit", "100000", *args)
        return [(h["article"]["id"], h["passage"]["index"]) for h in j["hits"]]

    # -- indexing -----------------------------------------------------------

    def test_index_summary(self):
        self.assertIn("5 added", self.index_stderr)
        self.assertIn("repeated blocks left out", self.index_stderr)

    # -- searching ----------------------------------------------------------

    def test_json_hits_have_valid_highlights(self):
        j = self.json("militias", "Iran")
        self.assertEqual(j["format_version"], 1)
        self.assertGreater(j["total"]["passages"], 0)
        for h in j["hits"]:
            text = h["text"].encode()
            self.assertTrue(h["highlights"])
            for s, e in h["highlights"]:
                word = text[s:e].decode().lower()
                self.assertTrue(word.startswith("militia") or word.startswith("iran"), word)
            # The snippet: its parts of the text, joined by " … ".
            parts = [text[s:e].decode() for s, e in h["snippet_spans"]]
            self.assertTrue(parts)
            self.assertEqual(" \u2026 ".join(parts), h["snippet"])
            for s, e in h["snippet_highlights"]:
                word = h["snippet"].encode()[s:e].decode().lower()
                self.assertTrue(word.startswith("militia") or word.startswith("iran"), word)

    def test_curly_and_straight_apostrophes(self):
        a = self.passages("Iran’s")
        b = self.passages("Iran's")
        self.assertTrue(a)
        self.assertEqual(a, b)

    def test_actor_alias(self):
        hits = self.json("--limit", "100", "actor:PMF")["hits"]
        texts = [h["text"] for h in hits]
        self.assertTrue(any("Popular Mobilisation Forces" in t for t in texts))
        self.assertEqual(self.passages("actor:PMF"), self.passages("--actor", "Popular Mobilisation Forces"))

    def test_year_range_finds_the_war(self):
        hits = self.json("--limit", "100", "year:1980..1988")["hits"]
        joined = "\n".join(h["text"] for h in hits)
        self.assertIn("1980–88 Iran–Iraq War", joined)
        self.assertIn("1980s Iran-Iraq War", joined)

    def test_facets_equal_a_count_over_all_hits(self):
        j = self.json("--limit", "100000", "--facet-limit", "0", "Iran")
        counts = {}
        for h in j["hits"]:
            for a in h["actors"]:
                counts.setdefault(a["name"], set()).add((h["article"]["id"], h["passage"]["index"]))
        self.assertEqual(len(j["hits"]), j["total"]["passages"])
        facet = {v["value"]: v["passages"] for v in j["facets"]["actor"]}
        self.assertEqual(facet, {k: len(v) for k, v in counts.items()})

    def test_browse_by_filter(self):
        j = self.json("--actor", "Sadr", "--limit", "3")
        self.assertEqual(len(j["hits"]), 3)
        self.assertTrue(all("Muqtada al-Sadr" in [a["name"] for a in h["actors"]] for h in j["hits"]))

    def test_per_article(self):
        j = self.json("--per-article", "1", "--limit", "100", "Iran")
        ids = [h["article"]["id"] for h in j["hits"]]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(len(ids), j["total"]["articles"])

    def test_nonprose_only_when_asked(self):
        self.search("ohickle", code=1)
        j = self.json("--all-blocks", "ohickle")
        self.assertEqual(j["hits"][0]["passage"]["kind"], "fields")

    def test_batch_one_line_per_query_in_order(self):
        lines = ['{"id":"a","query":"Sadr"}', "Kurdistan Turkey", '{"id":"c","query":"zzzznotaword"}',
                 '{"id": 7, "query": "militias", "year": "2003", "limit": 2}']
        r = run([QS, "--db", self.db, "--batch", "-"], stdin="\n".join(lines) + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [json.loads(l) for l in r.stdout.splitlines()]
        self.assertEqual([x["id"] for x in rows], ["a", "2", "c", "7"])
        self.assertTrue(rows[0]["hits"])
        self.assertFalse(rows[2]["hits"])
        self.assertLessEqual(len(rows[3]["hits"]), 2)
        self.assertTrue(all("2003" in h["years"] for h in rows[3]["hits"]))

    def test_batch_bad_line_reported_and_batch_goes_on(self):
        lines = ['{"id":"a","query":"Sadr"}', '{"id": "b", "query": ', '{"id":"c","query":"year:abc"}', "Kurdistan"]
        r = run([QS, "--db", self.db, "--batch", "-"], stdin="\n".join(lines) + "\n")
        self.assertEqual(r.returncode, 2)
        rows = [json.loads(l) for l in r.stdout.splitlines()]
        self.assertEqual(len(rows), 4)
        self.assertIn("error", rows[1])
        self.assertIn("error", rows[2])
        self.assertTrue(rows[3]["hits"])
        self.assertIn(":2:", r.stderr)
        self.assertIn(":3:", r.stderr)

    def test_batch_fields_of_the_wrong_type_are_errors(self):
        lines = ['{"id":"a","query":"Sadr zzzz","any":1}', '{"id":"b","query":"Sadr","plain":"true"}',
                 '{"id":"c","query":"Sadr zzzz","any":true}', '{"id":"d","query":"Iran","year":2003}',
                 '{"id":"e","query":"Iran","year":[2003,"1980s"]}', '{"id":"f","query":"year:abc"}']
        r = run([QS, "--db", self.db, "--batch", "-"], stdin="\n".join(lines) + "\n")
        self.assertEqual(r.returncode, 2)
        rows = {row["id"]: row for row in map(json.loads, r.stdout.splitlines())}
        self.assertIn('"any" must be true or false', rows["a"]["error"])
        self.assertIn('"plain" must be true or false', rows["b"]["error"])
        self.assertTrue(rows["c"]["hits"])
        self.assertEqual(rows["d"]["hits"], self.json("--limit", "10", "--year", "2003", "Iran")["hits"])
        self.assertNotIn("error", rows["e"])
        # An error line shows the query, not the JSON line it came in.
        self.assertEqual(rows["f"]["query"], "year:abc")

    def test_repeated_filter_options_narrow_and_query_filters_of_one_field_widen(self):
        total = lambda *a: self.json("--limit", "1", *a)["total"]["passages"]
        self.assertEqual(total("--year", "2003", "--year", "2021", "Iraq"), total("Iraq year:2003 AND year:2021"))
        self.assertEqual(total("--actor", "Sadr", "--actor", "Iran"), total("actor:Sadr AND actor:Iran"))
        self.assertGreater(total("Iraq year:2003 year:2021"), total("--year", "2003", "--year", "2021", "Iraq"))
        self.assertIn("repeated: all of them", self.search("--help").stdout)

    def test_output_that_cannot_be_written_is_an_error(self):
        with open("/dev/full", "w") as full:
            for args in (["Iraq"], ["--format", "json", "Iraq"]):
                r = subprocess.run([QS, "--db", self.db, *args], stdout=full, stderr=subprocess.PIPE, text=True)
                self.assertEqual(r.returncode, 2)
                self.assertIn("cannot write the results to standard output", r.stderr)
            r = subprocess.run([QS, "--db", self.db, "--batch", "-"], input="Iraq\nIran\n", stdout=full,
                               stderr=subprocess.PIPE, text=True)
            self.assertEqual(r.returncode, 2)
        # A closed pipe still ends quietly.
        p = subprocess.Popen([QS, "--db", self.db, "--limit", "50", "Iraq"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        p.stdout.readline()
        p.stdout.close()
        p.wait(timeout=30)
        self.assertEqual(p.stderr.read(), "")
        self.assertIn(p.returncode, (0, 1))

    def test_numbers_must_be_whole_and_in_range(self):
        for args in (["--limit", "-1"], ["--offset", "-1"], ["--facet-limit", "-1"], ["--per-article", "-1"],
                     ["--snippet-bytes", "-1"], ["--limit", "99999999999999999999999"], ["--limit", "1e3"]):
            r = self.search(*args, "Iran", code=2)
            self.assertIn("the argument ('%s') for option '%s' is invalid" % (args[1], args[0]), r.stderr)
        r = self.search("--snippet-bytes", "5", "Iran", code=2)
        self.assertIn("--snippet-bytes is at least 20", r.stderr)
        for args, says in ((["-j", "-1"], "the argument ('-1') for option '--threads' is invalid"),
                           (["--shards", "-1"], "the argument ('-1') for option '--shards' is invalid"),
                           (["-j", "100000"], "--threads is at most 256"),
                           (["--flush-every", "-5"], "the argument ('-5') for option '--flush-every' is invalid")):
            db = os.path.join(self.tmp, "never-made")
            r = run([QI, "--db", db] + args + [CORPUS])
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(says, r.stderr)
            self.assertFalse(os.path.exists(db))

    def test_batch_two_queries_at_a_time_answers_in_line_order(self):
        # A batch runs two queries at a time (--threads 2, the default): its
        # answers, error lines and messages come in the order of its lines,
        # the same as one at a time, from a file as from standard input.
        words = ["Sadr", "militias", "Kurdistan Turkey", "zzzznotaword", "Iran", "war", "oil", "Baghdad",
                 "PMF", "Sudani", "invasion", "PKK", "Basra", "Tehran", "ceasefire"]
        lines = []
        for i in range(150):
            w = words[i % len(words)]
            if i % 23 == 7:
                lines.append('{"id": "bad%d", "query": ' % i)  # not JSON
            elif i % 19 == 5:
                lines.append('{"id":"y%d","query":"year:abc"}' % i)
            elif i % 17 == 3:
                lines.append("")
            else:
                lines.append(json.dumps({"id": "q%d" % i, "query": w, "limit": 1 + i % 5}))
        path = os.path.join(self.tmp, "queries.txt")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        one = run([QS, "--db", self.db, "--batch", path, "--threads", "1"])
        self.assertEqual(one.returncode, 2)
        rows = [json.loads(l) for l in one.stdout.splitlines()]
        self.assertEqual(len(rows), sum(1 for l in lines if l))
        good = [r["id"] for r in rows if r["id"].startswith("q")]
        self.assertEqual(good, sorted(good, key=lambda x: int(x[1:])))
        self.assertEqual(sum(1 for r in rows if "error" in r), sum(1 for l in lines if "bad" in l or '"y' in l))
        for given in (path, "-"):
            two = run([QS, "--db", self.db, "--batch", given], stdin="\n".join(lines) + "\n")
            self.assertEqual(two.returncode, 2, given)
            self.assertEqual(two.stdout, one.stdout, given)
            self.assertEqual(two.stderr.replace("qanat-search: -:", "qanat-search: %s:" % path), one.stderr, given)

    def test_batch_from_a_pipe_answers_each_query_before_the_next(self):
        # One query at a time through a pipe: its answer comes before the
        # next query is sent (the answers are not held back for the others).
        p = subprocess.Popen([QS, "--db", self.db, "--batch", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, env=clean_env())
        try:
            for i, q in enumerate(["Sadr", "militias", "zzzznotaword", "Iran"]):
                p.stdin.write(json.dumps({"id": "p%d" % i, "query": q}) + "\n")
                p.stdin.flush()
                ready, _, _ = select.select([p.stdout], [], [], 30)
                self.assertTrue(ready, "no answer to query %d within 30 s" % i)
                self.assertEqual(json.loads(p.stdout.readline())["id"], "p%d" % i)
        finally:
            p.stdin.close()
            p.wait(timeout=60)

    def test_batch_from_a_pipe_stops_at_once_when_the_index_fails(self):
        # An error that ends a batch (here the index is gone when the
        # searcher looks for a newer commit) is reported at once, with exit
        # status 2, while standard input stays open: a client waiting for an
        # answer is not left waiting.
        db = os.path.join(self.tmp, "going")
        shutil.copytree(self.db, db)
        p = subprocess.Popen([QS, "--db", db, "--batch", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             env=clean_env())
        try:
            p.stdin.write("Sadr\n")
            p.stdin.flush()
            ready, _, _ = select.select([p.stdout], [], [], 30)
            self.assertTrue(ready)
            self.assertTrue(json.loads(p.stdout.readline())["hits"])
            shutil.rmtree(db)
            time.sleep(1.2)  # past the half second after which a batch looks for a newer commit
            p.stdin.write("Iraq\n")
            p.stdin.flush()
            self.assertEqual(p.wait(timeout=20), 2)
            self.assertIn("index error", p.stderr.read())
        finally:
            p.stdin.close()
            if p.poll() is None:
                p.kill()

    def test_trec_one_line_per_article(self):
        r = run([QS, "--db", self.db, "--batch", "-", "--format", "trec"], stdin='{"id":"q1","query":"militias"}\n')
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [l.split() for l in r.stdout.splitlines()]
        self.assertTrue(lines)
        docs = [l[2] for l in lines]
        self.assertEqual(len(docs), len(set(docs)))
        for i, l in enumerate(lines):
            self.assertEqual(len(l), 6)
            self.assertEqual(l[0], "q1")
            self.assertEqual(l[1], "Q0")
            self.assertEqual(int(l[3]), i + 1)
        scores = [float(l[4]) for l in lines]
        self.assertEqual(scores, sorted(scores, reverse=True))

    def test_trec_names_each_article_once_whatever_per_article_says(self):
        for args, stdin in ((["--per-article", "2", "Iran"], None),
                            (["--batch", "-"], '{"id":"q 1","query":"Iran","per_article":3}\n')):
            r = run([QS, "--db", self.db, "--format", "trec", "--run-tag", "my run"] + args, stdin=stdin)
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = [l.split() for l in r.stdout.splitlines()]
            self.assertGreater(len(lines), 1)
            docs = [l[2] for l in lines]
            self.assertEqual(len(docs), len(set(docs)), args)
            for l in lines:
                self.assertEqual(len(l), 6, l)
                self.assertEqual(l[5], "my_run")
            # Said, as --explain is (--per-article was ignored without a word).
            if "--per-article" in args:
                self.assertIn("--per-article does nothing in TREC output", r.stderr)

    def test_exit_status(self):
        self.search("zzzznotaword", code=1)
        self.search("Sadr", code=0)
        r = run([QS, "--db", os.path.join(self.tmp, "nothing-here"), "Sadr"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("no index", r.stderr)
        r = self.search("--year", "nineteen", "Sadr", code=2)
        self.assertIn("not a year", r.stderr)
        r = self.search("--format", "xml", "Sadr", code=2)
        self.assertIn("--format", r.stderr)
        r = run([QS, "--db", self.db])
        self.assertEqual(r.returncode, 2)
        self.assertIn("no query", r.stderr)
        # Options that do not go together are refused before anything is written.
        for opts, says in ((["--shard", "1/3", "--rebuild"], "--rebuild with --shard:"),
                           (["--shards", "2", "--shard", "1/3"], "do not go together")):
            db = os.path.join(self.tmp, "refused")
            r = run([QI, "--db", db] + opts + [os.path.join(ROOT, "corpus")])
            self.assertEqual(r.returncode, 2, opts)
            self.assertIn(says, r.stderr)
            self.assertFalse(os.path.exists(db), opts)

    def test_compound_beginning_with_a_name_is_a_phrase(self):
        # core/search.cpp with_aliases(): "Iran" in "Iran-backed" became an
        # alias reference and the compound was lost ("no searchable words";
        # "Iran-backed militias" searched militias alone).
        for q in ("Iran-backed", "Iran-backed militias", "US-Iraq"):
            r = self.json("--limit", "1", q)
            self.assertIn("PHRASE 2", r["parsed"], q)
            self.assertGreater(r["total"]["passages"], 0, q)
        self.assertLess(self.json("--limit", "1", "Iran-backed militias")["total"]["passages"],
                        self.json("--limit", "1", "militias")["total"]["passages"])

    def test_names_that_are_stop_words_and_joined_names(self):
        # "IS" (an alias of the Islamic State) highlighted every "is" of the
        # passages that name the actor; a name joined to a word by a
        # zero-width space ("Iraq\u200bwar", one word for Xapian) was an
        # internal reference error ("bad alias reference 'm0war'"); ten
        # thousand names took seconds and a gigabyte (each is a query of all
        # its aliases): past 64 they are words, with a warning.
        r = self.json("--limit", "20", "IS")
        shown = {h["text"].encode()[s:e].decode().lower() for h in r["hits"] for s, e in h["highlights"]}
        self.assertTrue(shown)
        self.assertNotIn("is", shown)
        for q in ("Iraq\u200bwar", "war\u200bIraq", "Iraq\u200bIran Sadr", "Sadr\u200dPMF"):
            r = self.search("--no-facets", q)
            self.assertIn(r.returncode, (0, 1), r.stderr)
            self.assertNotIn("reference", r.stderr)
        r = self.json("--limit", "1", " ".join(["Iraq"] * 1000))
        self.assertEqual(r["total"]["passages"], self.json("--limit", "1", "Iraq")["total"]["passages"])
        self.assertTrue(any("first 64 names" in w for w in r["warnings"]), r["warnings"])

    def test_actor_filter_by_a_word_of_several_names(self):
        # actor:Hussein warned "no passage names the actor" while the facets
        # listed Saddam Hussein and Fuad Hussein: now it finds either, and says so.
        both = self.json("--limit", "1", "actor:Hussein")
        self.assertEqual(both["total"]["passages"],
                         self.json("--limit", "1", '(actor:"Saddam Hussein" OR actor:"Fuad Hussein")')["total"]["passages"])
        self.assertEqual(len(both["warnings"]), 1, both["warnings"])
        self.assertIn("Saddam Hussein", both["warnings"][0])
        self.assertEqual(self.json("--limit", "1", "--actor", "Hussein")["total"]["passages"], both["total"]["passages"])

    def test_names_joined_by_a_slash_are_a_phrase_as_typed(self):
        # With an actor list, "Iraq/Iran" was "no searchable words", "Tehran/Baghdad ties"
        # dropped both names, and "militias/PMF" searched an internal placeholder.
        for q in ("Iraq/Iran", "Iraq.Iran", "US/Iran", "Tehran/Baghdad ties", "militias/PMF", "U.S./Iran"):
            j = self.json("--limit", "1", q)
            self.assertNotIn("qanatalias", j["parsed"], q)
            self.assertIn("PHRASE", j["parsed"], q)
        self.assertEqual(self.json("Iraq/Iran")["total"]["passages"], self.json('"Iraq Iran"')["total"]["passages"])
        self.assertGreater(self.json("Iraq/Iran")["total"]["passages"], 0)
        # A name beside punctuation that ends it is still the actor.
        self.assertIn("XCiran", self.json("--limit", "1", "Iran, Iraq.")["parsed"])

    def test_explain_adds_up_with_compounds(self):
        # A word of a compound ("Iran" of "Iran-backed", "war" of "post-war",
        # "Iran" of "Iraq/Iran") was highlighted and counted where the
        # compound did not stand, and the parts added up to more than the score.
        for q in ("Iran-backed groups", "post-war Iraq", "Iraq/Iran ties", "pro-Iran militias"):
            for mode in ([], ["--plain"]):
                j = self.json("--explain", "--any", "--limit", "100", *mode, q)
                self.assertGreater(len(j["hits"]), 3, q)
                for h in j["hits"]:
                    self.assertAlmostEqual(sum(e["weight"] for e in h["explain"]), h["score"], places=3,
                                           msg=(q, mode, h["explain"]))

    def test_feedback_terms_keep_the_querys_filters(self):
        # The feedback terms were OR'ed beside "militias FILTER PMF": 79
        # passages, 60 of them not naming the PMF.
        pmf = lambda h: any(a["name"] == "Popular Mobilization Forces" for a in h["actors"])
        for mode, q, ok in (("--plain", "actor:PMF militias", pmf), ("--plain", "year:2003 invasion", lambda h: "2003" in h["years"]),
                            # A filter as an operand of AND (24 passages, 12 not naming the PMF, in a review's index).
                            ("--any", "actor:PMF AND militias", pmf), ("--any", "militias AND actor:PMF", pmf)):
            j = self.json(mode, "--expand", "on", "--limit", "500", q)
            self.assertGreater(j["total"]["passages"], 0, q)
            self.assertTrue(all(ok(h) for h in j["hits"]), q)
            self.assertEqual(j["total"]["passages"], len(j["hits"]), q)

    def test_wildcards_where_they_cannot_work_are_said(self):
        # Inside quotes Xapian searched the word without its '*' ("milit" finds
        # nothing), and beside NEAR both the wildcard and NEAR became words:
        # a confident zero, or a small answer, with nothing said.
        j = self.json("--limit", "0", '"Popular Mobil* Forces"')
        self.assertTrue(any("'Mobil*' at character 10 is inside quotes" in w for w in j["warnings"]), j["warnings"])
        for q, at in (("milit* NEAR Iran", "'milit*' at character 1"), ("Iran NEAR milit*", "'milit*' at character 11")):
            r = self.search("--format", "json", q, code=2)
            self.assertIn("not a wildcard (" + at, json.loads(r.stdout)["error"])
        # Positions and words as typed, where a filter's group was rewritten, and after letters not ASCII.
        r = self.search("--format", "json", "actor:(Iraq Iran) militia NEAR forc*", code=2)
        self.assertIn("('forc*' at character 32)", json.loads(r.stdout)["error"])
        for q, said in (('year:(2003 2004) "mass destr*"', "'destr*' at character 24"),
                        ('"сирия иран*"', "'иран*' at character 8"), ('"café*"', "'café*' at character 2")):
            self.assertTrue(any(said in w for w in self.json("--limit", "0", q)["warnings"]), q)
        r = self.search("actor:(Iraq Iran) Iraq NOT Iran AND", code=2)
        self.assertIn("'AND' at character 33 has nothing on its right (actor:(Iraq Iran) Iraq NOT Iran >>AND<<)", r.stderr)
        # A wildcard alone, and a quoted word without '*', say nothing.
        self.assertEqual(self.json("--limit", "0", "milit*")["warnings"], [])
        self.assertEqual(self.json("--limit", "0", '"Popular Mobilization Forces"')["warnings"], [])

    def test_unparsable_query_is_retried_as_words(self):
        r = self.search("AND Sadr", code=0)
        # The warning on standard error, the results alone on standard output.
        self.assertIn("qanat-search: warning: could not parse the query", r.stderr)
        self.assertNotIn("warning", r.stdout)
        self.assertTrue(r.stdout.startswith("  1. "), r.stdout[:40])
        # The operator without a side is named, with where it stands (Xapian's
        # message named only the grammar rule that failed).
        self.assertIn("'AND' at character 1 has nothing on its left (>>AND<< Sadr)", r.stderr)
        r = self.search("Iraq NOT Iran AND", code=2)
        self.assertIn("'AND' at character 15 has nothing on its right (Iraq NOT Iran >>AND<<)", r.stderr)
        self.assertIn("would drop its 'NOT'", r.stderr)
        r = self.search("Iraq OR OR Iran", code=0)
        self.assertIn("'OR' at character 6 has nothing on its right", r.stderr)
        r = self.search("(Sadr AND) Iran", code=0)
        self.assertIn("'AND' at character 7 has nothing on its right ((Sadr >>AND<<) Iran)", r.stderr)
        # ... but not with its brackets unbalanced: an error that says where.
        r = self.search("--format", "json", "((Sadr", code=2)
        self.assertIn("unclosed '(' at character 2", r.stderr)

    def test_closed_pipe_is_quiet(self):
        p = subprocess.Popen(f"'{QS}' --db '{self.db}' --limit 100 Iran | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}",
                             shell=True, executable="/bin/bash", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = p.communicate(timeout=60)
        self.assertIn(out.strip(), ("0", "141"))
        self.assertEqual(err, "")

    def test_color(self):
        plain = self.search("--color", "never", "Sadr", code=0).stdout
        color = self.search("--color", "always", "Sadr", code=0).stdout
        self.assertNotIn("\x1b[", plain)
        self.assertIn("[[Sadr]]", plain)
        self.assertIn("\x1b[1;31mSadr\x1b[0m", color)

    def test_help_answers_questions(self):
        for prog in (QI, QS):
            r = run([prog, "--help"])
            self.assertEqual(r.returncode, 0)
            self.assertIn("Exit status", r.stdout)
            self.assertIn("\nOptions:\n  -h [ --help ]", r.stdout)

    def test_a_heading_and_its_paragraph_are_apart_in_text_output(self):
        # "The PMF: Iran's Formidable Iraqi Ally A cornerstone of ...": the
        # heading ran into its paragraph.
        out = self.search("--color", "never", "cornerstone").stdout
        self.assertIn("Formidable Iraqi Ally \u2014 A [[cornerstone]]", out)

    def test_did_you_mean(self):
        j = self.json("Hezbolah")
        self.assertEqual(j["total"]["passages"], 0)
        # Spelt as typed, capitals and all ("Khamanei" -> "Khamenei", not "khamenei").
        self.assertEqual(j["suggestion"], "Hezbollah")
        self.assertEqual(self.json("hezbolah")["suggestion"], "hezbollah")
        self.assertEqual(self.json("HEZBOLAH")["suggestion"], "HEZBOLLAH")
        # Never an operator made of a word in capitals ("NEARR": "near", not NEAR).
        self.assertNotIn("NEAR", self.json("Iran NEARR Iraq")["suggestion"] or "")
        # One question mark ("Did you mean: Did khamenei meet Sudani? ?").
        self.assertIn("Did you mean: Hezbollah?\n", self.search("--color", "never", "Hezbolah").stdout)
        self.assertIn("Did you mean: Did Khamenei meet Sudani?\n",
                      self.search("--color", "never", "Did Khamanei meet Sudani?").stdout)
        fixed = self.json("--auto-correct", "Hezbolah")
        self.assertGreater(fixed["total"]["passages"], 0)
        self.assertEqual(fixed["corrected"], "Hezbollah")
        self.assertIsNone(self.json("Hezbollah")["suggestion"])
        # Never a stop word ("Hashd" is not "has"), nor for a name the list knows.
        for q in ("Hashd", "Hashd al-Shaabi", "Hizballah"):
            self.assertNotIn(self.json(q)["suggestion"], ("has", "has al-Shaabi", "hezbollah", "Has", "Has al-Shaabi", "Hezbollah"), q)
        self.assertIsNone(self.json("Hizballah")["suggestion"])
        r = self.search("--auto-correct", "--format", "json", "Hashd")
        self.assertEqual(json.loads(r.stdout)["total"]["passages"], 0)

    def test_explain(self):
        j = self.json("--explain", "--limit", "1", "PMF", "disarmed")
        ex = j["hits"][0]["explain"]
        whys = {e["term"]: e["why"] for e in ex}
        self.assertEqual(whys.get("disarm"), "stem of 'disarmed'")
        self.assertIn("Popular Mobilization Forces", whys)
        self.assertNotIn("pmf", whys)  # counted once, as the actor
        # The parts add up to the score (BM25 sums its terms), with a title:
        # word (left out before) and with feedback that adds a query word
        # again (its second share was left out).
        self.assertAlmostEqual(sum(e["weight"] for e in ex), j["hits"][0]["score"], places=3)
        for args in (["title:Iraq", "Sadr"], ["--plain", "--expand", "on", "militias", "Iraq", "disarm"]):
            for h in self.json("--explain", "--limit", "3", *args)["hits"]:
                self.assertAlmostEqual(sum(e["weight"] for e in h["explain"]), h["score"], places=3, msg=args)

    # -- golden output ------------------------------------------------------

    def check_golden(self, name, args):
        r = self.search(*args)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        path = os.path.join(GOLDEN, name)
        if os.environ.get("QANAT_UPDATE_GOLDEN"):
            os.makedirs(GOLDEN, exist_ok=True)
            with open(path, "w") as f:
                f.write(r.stdout)
        with open(path) as f:
            self.assertEqual(r.stdout, f.read(), f"output differs from {path}")

    def test_golden_text(self):
        self.check_golden("pmf-disarm.txt", ["--color", "never", "PMF", "disarm"])
        self.check_golden("sadr-2021.txt", ["--color", "never", "--actor", "Sadr", "--year", "2021"])

    def test_golden_json(self):
        self.check_golden("militias-2003.json", ["--format", "json", "--limit", "3", "militias", "year:2003"])


class Incremental(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="qanat-inc-")
        self.src = os.path.join(self.tmp, "src")
        shutil.copytree(CORPUS, self.src)
        self.db = os.path.join(self.tmp, "db")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def index(self, *extra, code=0):
        r = run([QI, "--db", self.db, *extra, self.src])
        self.assertEqual(r.returncode, code, r.stderr)
        return r.stderr

    def count(self, *q):
        r = run([QS, "--db", self.db, "--format", "json", "--limit", "0", *q])
        return json.loads(r.stdout)["total"]["passages"]

    def test_updates_removes_and_skips(self):
        self.assertIn("5 added", self.index())
        before = self.count("Iran")
        self.assertIn("5 unchanged", self.index())
        self.assertEqual(self.count("Iran"), before)
        # Change one article, remove another, add a third.
        path = os.path.join(self.src, "002_29f857d2b54e8e68.txt")
        with open(path, "a") as f:
            f.write("\n\nA new paragraph about zanzibarquest appears here.\n")
        os.remove(os.path.join(self.src, "001_d9cc2f0b5d4deceb.txt"))
        os.makedirs(os.path.join(self.src, "more"))
        with open(os.path.join(self.src, "more", "note.md"), "w") as f:
            f.write("A note\n\nThe note mentions qwertyzebra and Iraq in 2024.\n")
        out = self.index()
        self.assertIn("1 added, 1 changed, 3 unchanged, 1 removed", out)
        self.assertEqual(self.count("zanzibarquest"), 1)
        self.assertEqual(self.count("article:001_d9cc2f0b5d4deceb"), 0)
        j = json.loads(run([QS, "--db", self.db, "--format", "json", "qwertyzebra"]).stdout)
        self.assertEqual(j["hits"][0]["article"]["id"], "more/note")

    def test_a_file_emptied_is_counted_removed_then_skipped(self):
        self.assertIn("5 added", self.index())
        path = os.path.join(self.src, "001_d9cc2f0b5d4deceb.txt")
        open(path, "w").close()
        out = self.index(code=1)
        self.assertIn("0 added, 0 changed, 4 unchanged, 1 removed, 0 skipped", out)
        self.assertRegex(out, r"001_d9cc2f0b5d4deceb\.txt: no text to index; its article \(\d+ passages\) is taken out")
        self.assertEqual(self.count("article:001_d9cc2f0b5d4deceb"), 0)
        # Still empty: skipped, not unchanged, and not warned about again.
        out = self.index()
        self.assertIn("0 added, 0 changed, 4 unchanged, 0 removed, 1 skipped", out)
        self.assertNotIn("warning", out)
        # A new empty file: skipped, with a warning.
        open(os.path.join(self.src, "new.txt"), "w").close()
        out = self.index(code=1)
        self.assertIn("0 added, 0 changed, 4 unchanged, 0 removed, 2 skipped", out)
        self.assertIn("new.txt: no text to index\n", out)
        # Gone, it had nothing in the index: not counted. Refilled: added.
        os.remove(os.path.join(self.src, "new.txt"))
        self.assertIn("0 added, 0 changed, 4 unchanged, 0 removed, 1 skipped", self.index())
        with open(path, "w") as f:
            f.write("Back again\n\nThe article is back with zanzibarquest in it.\n")
        self.assertIn("1 added, 0 changed, 4 unchanged, 0 removed, 0 skipped", self.index())
        self.assertEqual(self.count("zanzibarquest"), 1)

    def test_updated_index_is_sound_and_answers_as_a_new_one(self):
        # qanat-index stores term lists uncompressed (indexer/main.cpp); an
        # update finds a changed article's terms through them to take its
        # old passages out.
        self.index()
        with open(os.path.join(self.src, "002_29f857d2b54e8e68.txt"), "a") as f:
            f.write("\n\nA new paragraph about zanzibarquest and Iran appears here.\n")
        os.remove(os.path.join(self.src, "001_d9cc2f0b5d4deceb.txt"))
        self.assertIn("1 changed, 3 unchanged, 1 removed", self.index())
        check = run(["xapian-check", self.db])
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn("No errors found", check.stdout)
        updated = {q: self.count(q) for q in ("Iran", "militia", "zanzibarquest", "war", "1988")}
        self.db = os.path.join(self.tmp, "fresh")
        self.index()
        self.assertEqual({q: self.count(q) for q in updated}, updated)
        self.assertEqual(updated["zanzibarquest"], 1)

    def test_folder_written_another_way_is_unchanged(self):
        # A file's key is its folder's resolved path joined with its name:
        # the same files given through a link to the folder, a relative path
        # or a trailing slash are the articles already indexed.
        self.assertIn("5 added", self.index())
        link = os.path.join(self.tmp, "link-to-src")
        os.symlink(self.src, link)
        for given in (link, os.path.relpath(self.src) + os.sep, "./" + os.path.relpath(link)):
            r = run([QI, "--db", self.db, given])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("0 added, 0 changed, 5 unchanged, 0 removed", r.stderr, given)

    def test_file_reached_twice_is_indexed_once_whatever_its_name(self):
        # A file name that is not UTF-8, in a folder whose name has a '%',
        # reached by its own name and by a symlink: one article, under its own
        # name (its key through the link is the same as its own).
        folder = os.path.join(os.fsencode(self.tmp), b"100%")
        os.makedirs(folder)
        with open(os.path.join(folder, b"\xff.txt"), "w") as f:
            f.write("Alpha bravo charlie.\n")
        os.symlink(b"\xff.txt", os.path.join(folder, b"link.txt"))
        r = subprocess.run([QI, "--db", self.db, os.fsdecode(folder)], capture_output=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"1 added", r.stderr)
        j = json.loads(run([QS, "--db", self.db, "--format", "json", "bravo"]).stdout)
        self.assertEqual([h["article"]["id"] for h in j["hits"]], ["%FF"])

    def test_names_written_alike_are_two_files(self):
        # "b%FF.txt" and a name with the byte 0xFF have the same key and id
        # as text (bytes that are not UTF-8 are written %XX): two files all
        # the same, so the second is named as a duplicate id, not dropped
        # without a word as one file reached twice.
        folder = os.path.join(os.fsencode(self.tmp), b"alike")
        os.makedirs(folder)
        for name, word in ((b"b%FF.txt", "alphaword"), (b"b\xff.txt", "bravoword")):
            with open(os.path.join(folder, name), "w") as f:
                f.write("The note mentions %s.\n" % word)
        r = subprocess.run([QI, "--db", self.db, os.fsdecode(folder)], capture_output=True, timeout=120)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(b"1 added", r.stderr)
        self.assertEqual(r.stderr.count(b"duplicate id 'b%FF'"), 1, r.stderr)

    def test_duplicate_ids_across_files_folders_and_runs(self):
        # The run's ids are kept with where each was first met (a text file's
        # id found among the walk's files by name, a JSONL id kept as bytes
        # with a hash): an id met again is skipped and named with its first
        # place, however it came (text or JSONL, either first, another folder
        # given, a JSONL file kept unread on the next run), over enough ids
        # for the table to grow.
        for i in range(3000):
            with open(os.path.join(self.makedirs("many"), "%04d.txt" % i), "w") as f:
                f.write("Note %d mentions zebrafinch.\n" % i)
        with open(os.path.join(self.src, "dups.jsonl"), "w") as f:
            for id_ in ("many/0042", "j-x", "j-x"):
                f.write(json.dumps({"id": id_, "text": "The JSONL line mentions hummingbird."}) + "\n")
        # (After the text files in the walk's order: their ids come first.)
        with open(os.path.join(self.src, "zz.jsonl"), "w") as f:
            f.write(json.dumps({"id": "many/0100", "text": "A late JSONL line mentions hummingbird."}) + "\n")
        other = os.path.join(self.tmp, "other")
        os.makedirs(os.path.join(other, "many"))
        with open(os.path.join(other, "many", "0007.txt"), "w") as f:
            f.write("The other folder's note mentions hummingbird.\n")

        def duplicates(stderr):
            return sorted(l for l in stderr.splitlines() if "duplicate id" in l)

        r = run([QI, "--db", self.db, self.src, other])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("3006 added", r.stderr)
        d = duplicates(r.stderr)
        self.assertEqual(len(d), 4, d)
        jsonl = os.path.join(self.src, "dups.jsonl")
        self.assertIn(jsonl + ":3: duplicate id 'j-x' (first at " + jsonl + ":2)", d[0])
        self.assertIn(os.path.join(self.src, "many", "0007.txt") + ": duplicate id 'many/0007' (first at " +
                      os.path.join(other, "many", "0007.txt") + ")", d[1])
        self.assertIn(os.path.join(self.src, "many", "0042.txt") + ": duplicate id 'many/0042' (first at " +
                      jsonl + ":1)", d[2])
        self.assertIn(os.path.join(self.src, "zz.jsonl") + ":1: duplicate id 'many/0100' (first at " +
                      os.path.join(self.src, "many", "0100.txt") + ")", d[3])
        self.assertEqual(self.count("zebrafinch"), 2998)
        self.assertEqual(self.count("hummingbird"), 3)
        # Again: the JSONL files are read again (each has an article left out,
        # to be indexed once the first one goes), and the same ids come first.
        r2 = run([QI, "--db", self.db, self.src, other])
        self.assertEqual(r2.returncode, 1, r2.stderr)
        self.assertIn("0 added, 0 changed, 3006 unchanged, 0 removed", r2.stderr)
        self.assertEqual(duplicates(r2.stderr), d)
        # With the duplicates gone from the JSONL files, dups.jsonl is kept
        # unread, and its ids still come first.
        with open(jsonl, "w") as f:
            for id_ in ("many/0042", "j-x"):
                f.write(json.dumps({"id": id_, "text": "The JSONL line mentions hummingbird."}) + "\n")
        os.remove(os.path.join(self.src, "zz.jsonl"))
        run([QI, "--db", self.db, self.src, other])
        r = run([QI, "--db", self.db, self.src, other])
        self.assertIn("0 added, 0 changed, 3006 unchanged, 0 removed", r.stderr)
        d = duplicates(r.stderr)
        self.assertEqual(len(d), 2, d)
        self.assertIn("many/0007", d[0])
        # (Its line too, as the last run read it: the file is not read again.)
        self.assertIn("duplicate id 'many/0042' (first at " + jsonl + ":1)", d[1])

    def makedirs(self, *parts):
        path = os.path.join(self.src, *parts)
        os.makedirs(path, exist_ok=True)
        return path

    def test_same_content_new_time_is_unchanged(self):
        self.index()
        os.utime(os.path.join(self.src, "000_87ad21ff5970c9be.txt"), (1, 1))
        self.assertIn("5 unchanged", self.index())

    def test_rebuild_starts_over(self):
        self.index()
        n = self.count("Iran")
        out = self.index("--rebuild")
        self.assertIn("5 added", out)
        self.assertEqual(self.count("Iran"), n)
        self.assertFalse([d for d in os.listdir(self.tmp) if ".rebuild-" in d or ".old-" in d])

    def test_actor_list_error_changes_nothing(self):
        self.index()
        n = self.count("Iran")
        with open(os.path.join(self.src, "actors.tsv"), "a") as f:
            f.write("Broken line without a tab\n")
        r = run([QI, "--db", self.db, self.src])
        self.assertEqual(r.returncode, 2)
        self.assertIn("actors.tsv:", r.stderr)
        self.assertEqual(self.count("Iran"), n)

    def test_changed_actor_list_reanalyses(self):
        self.index()
        with open(os.path.join(self.src, "actors.tsv"), "a") as f:
            f.write("Washington Post\torganisation\tThe Washington Post\n")
        out = self.index()
        self.assertIn("5 changed", out)

    def test_jsonl_articles_and_bad_lines(self):
        path = os.path.join(self.src, "extra.jsonl")
        with open(path, "w") as f:
            f.write(json.dumps({"id": "j1", "title": "Jay one", "text": "Kirkuk oil exports resumed in 2023.",
                                "date": "2023-09-27"}) + "\n")
            f.write("{not json\n")
            f.write(json.dumps({"id": 2, "text": "The second text mentions Basra ports."}) + "\n")
        out = self.index(code=1)
        self.assertIn("extra.jsonl:2", out)
        self.assertIn("7 added", out)
        j = json.loads(run([QS, "--db", self.db, "--format", "json", "Kirkuk"]).stdout)
        self.assertEqual(j["hits"][0]["article"]["id"], "j1")
        self.assertEqual(j["hits"][0]["article"]["title"], "Jay one")
        self.assertEqual(j["hits"][0]["article"]["published"], "2023-09-27")
        # Unchanged JSONL: its articles are kept without reading it again.
        out = self.index(code=0)
        self.assertIn("7 unchanged", out)


class CjkNgrams(unittest.TestCase):
    """With XAPIAN_CJK_NGRAM set, Xapian's query parser splits CJK text into
    n-grams; the indexer must then split passages the same way (it hands
    them to Xapian's TermGenerator), or a CJK word inside a longer run is
    never found."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="qanat-cjk-")
        self.src = os.path.join(self.tmp, "src")
        os.makedirs(self.src)
        with open(os.path.join(self.src, "zh.txt"), "w", encoding="utf-8") as f:
            f.write("Search engines\n\n\u6211\u4eec\u7684\u4e2d\u6587\u641c\u7d22\u5f15\u64ce\u5f88\u5feb\u3002\n")
        self.db = os.path.join(self.tmp, "db")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def count(self, env, query):
        r = run([QS, "--db", self.db, "--format", "json", "--limit", "0", query], env=env)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return json.loads(r.stdout)["total"]["passages"]

    def test_a_cjk_word_inside_a_run_is_found_with_ngrams_on(self):
        on = {"XAPIAN_CJK_NGRAM": "1"}
        r = run([QI, "--db", self.db, self.src], env=on)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.count(on, "\u641c\u7d22"), 1)  # "search", inside the run
        self.assertEqual(self.count(on, "\u4e2d\u6587\u641c\u7d22"), 1)
        self.assertEqual(self.count(on, "\u4e2d\u6587\u8bcd\u5178"), 0)  # "Chinese dictionary": no


if __name__ == "__main__":
    unittest.main()
