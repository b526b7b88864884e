"""Scale-out: one index against the same collection in 3 shards, searched
locally (a stub folder) and over Xapian's remote backend (xapian-tcpsrv on
127.0.0.1, started and stopped here). Hits, order, scores (to 1e-6) and facet
counts must be identical; a shard that is down is named, and --allow-partial
searches the others.
"""
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import synth  # noqa: E402
ROOT = os.environ.get("QANAT_ROOT", os.getcwd())
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import shards  # noqa: E402  (xapian-tcpsrv started and stopped as the benchmark does)

QI = os.environ.get("QANAT_INDEX", os.path.join(ROOT, "build/indexer/qanat-index"))
QS = os.environ.get("QANAT_SEARCH", os.path.join(ROOT, "build/searcher/qanat-search"))
TCPSRV = shutil.which("xapian-tcpsrv")


def env():
    e = dict(os.environ)
    e.pop("QANAT_DB", None)
    return e


def queries():
    rng = random.Random(5)
    words = synth.WORDS + ["Sadr", "PMF", "Kurdistan", "Iran", "Baghdad", "Basra", "militias", "Turkey"]
    out = []
    for i in range(300):
        kind = i % 6
        if kind == 0:
            q = {"query": rng.choice(words)}
        elif kind == 1:
            q = {"query": " ".join(rng.sample(words, 2))}
        elif kind == 2:
            q = {"query": " ".join(rng.sample(words, 3)), "plain": True}
        elif kind == 3:
            q = {"query": rng.choice(words), "year": f"{rng.randint(1950, 2000)}..{rng.randint(2001, 2025)}"}
        elif kind == 4:
            q = {"query": rng.choice(words) + " OR " + rng.choice(words), "per_article": 1}
        else:
            q = {"actor": rng.choice(["Sadr", "PMF", "Turkey", "Baghdad", "Islamic State"]), "limit": 20}
        q["id"] = f"q{i}"
        out.append(json.dumps(q))
    return "\n".join(out) + "\n"


def hanging_relay(target_port, answers):
    """A port that relays to target_port, then stops answering (without
    closing) after `answers` pieces from the server on each connection: a
    server that hangs part way. Returns (port, close)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    stop = threading.Event()
    held = []

    def pipe(src, dst, count):
        n = 0
        try:
            while not stop.is_set():
                data = src.recv(65536)
                if not data:
                    break
                n += 1
                if count and n > answers:
                    stop.wait()
                    break
                dst.sendall(data)
        except OSError:
            pass

    def accept():
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", target_port))
            held.extend([client, server])
            threading.Thread(target=pipe, args=(client, server, False), daemon=True).start()
            threading.Thread(target=pipe, args=(server, client, True), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()

    def close():
        stop.set()
        for s in held + [listener]:
            try:
                s.close()
            except OSError:
                pass
    return listener.getsockname()[1], close


def canonical(line):
    j = json.loads(line)
    return (j["id"], j["total"],
            [(h["article"]["id"], h["passage"]["index"], round(h["score"], 6), h["highlights"]) for h in j["hits"]],
            j["facets"])


@unittest.skipUnless(TCPSRV, "xapian-tcpsrv (Debian xapian-tools) is not installed")
class Shards(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="qanat-shards-")
        src = os.path.join(cls.tmp, "src")
        synth.write_corpus(src, 600, seed=30)
        shutil.copy(os.path.join(ROOT, "corpus", "actors.tsv"), src)
        for f in os.listdir(os.path.join(ROOT, "corpus")):
            if f.endswith(".txt"):
                shutil.copy(os.path.join(ROOT, "corpus", f), src)
        cls.one = os.path.join(cls.tmp, "one")
        cls.sharded = os.path.join(cls.tmp, "sharded")
        subprocess.run([QI, "--quiet", "--db", cls.one, src], check=True, env=env())
        subprocess.run([QI, "--quiet", "--db", cls.sharded, "--shards", "3", src], check=True, env=env())
        # One server at a time (see shards.serve).
        cls.servers = []
        cls.ports = []
        for i in range(3):
            p, port = shards.serve(os.path.join(cls.sharded, f"shard-{i}"), TCPSRV)
            cls.servers.append(p)
            cls.ports.append(port)
        cls.remote = [a for port in cls.ports for a in ("--db", f"tcp://127.0.0.1:{port}")]

    @classmethod
    def tearDownClass(cls):
        for p in cls.servers:
            shards.stop(p)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def batch(self, dbs, extra=()):
        r = subprocess.run([QS, *dbs, "--batch", "-", "--format", "jsonl", *extra], input=queries(),
                           capture_output=True, text=True, env=env())
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return [canonical(l) for l in r.stdout.splitlines()]

    def test_every_shards_are_written_once(self):
        one = json.loads(run_json(["--db", self.one, "--limit", "0", "--all-blocks", "NOT", "zzzz"]))["total"]
        parts = [json.loads(run_json(["--db", os.path.join(self.sharded, f"shard-{i}"), "--limit", "0",
                                      "--all-blocks", "NOT", "zzzz"]))["total"] for i in range(3)]
        self.assertEqual(sum(p["articles"] for p in parts), one["articles"])
        self.assertEqual(sum(p["passages"] for p in parts), one["passages"])
        self.assertTrue(all(p["articles"] > 0 for p in parts))

    def test_same_answers_local_and_remote(self):
        base = self.batch(["--db", self.one])
        self.assertEqual(len(base), 300)
        self.assertGreater(sum(1 for b in base if b[2]), 250)
        stub = self.batch(["--db", self.sharded])
        remote = self.batch(self.remote)
        for a, b, c in zip(base, stub, remote):
            self.assertEqual(a, b, a[0])
            self.assertEqual(a, c, a[0])
        print(f"shards: {len(base)} queries, identical hits, order, scores and facets "
              "over 1 index, 3 local shards and 3 xapian-tcpsrv shards")

    def test_wildcards_score_the_same_over_shards(self):
        # Xapian expands a wildcard in each part on its own: the top score of
        # 'milit*' was 0.909 over one index, 1.049 over local shards and 3.758
        # over remote ones. qanat expands it over the whole index.
        for q in ("milit*", "ira*", "Sadr milit*", "pol* NOT iran*"):
            rows = [json.loads(run_json([*dbs, "--limit", "50", "--explain", q]))
                    for dbs in (["--db", self.one], ["--db", self.sharded], self.remote)]
            key = lambda j: [(h["article"]["id"], h["passage"]["index"], round(h["score"], 9)) for h in j["hits"]]
            self.assertTrue(rows[0]["hits"], q)
            self.assertEqual(key(rows[0]), key(rows[1]), q)
            self.assertEqual(key(rows[0]), key(rows[2]), q)
            self.assertEqual(rows[0]["facets"], rows[1]["facets"], q)
            why = [e["why"] for e in rows[0]["hits"][0]["explain"]]
            self.assertTrue(any(w.startswith("words beginning") for w in why), why)

    def test_remote_stub_file(self):
        stub = os.path.join(self.tmp, "remote.stub")
        with open(stub, "w") as f:
            for port in self.ports:
                f.write(f"remote 127.0.0.1:{port}\n")
        a = json.loads(run_json(["--db", self.one, "--limit", "5", "Sadr"]))
        b = json.loads(run_json(["--db", stub, "--limit", "5", "Sadr"]))
        self.assertEqual([h["score"] for h in a["hits"]], [h["score"] for h in b["hits"]])
        self.assertEqual(a["facets"], b["facets"])

    def test_a_stub_file_is_searched_part_by_part(self):
        # Xapian opened a stub of remote parts as one: --allow-partial and
        # --timeout did not apply, and the error named the stub, not the part.
        import socket
        dead = shards.free_port()  # nothing listens there
        mute = socket.socket()     # listens, never answers
        mute.bind(("127.0.0.1", 0))
        mute.listen(4)
        try:
            for port in (dead, mute.getsockname()[1]):
                stub = os.path.join(self.tmp, f"down-{port}.stub")
                with open(stub, "w") as f:
                    for p in self.ports:
                        f.write(f"remote 127.0.0.1:{p}\n")
                    f.write(f"remote 127.0.0.1:{port}\n")
                t = time.monotonic()
                self.check_one_part_down(["--db", stub], port)
                self.assertLess(time.monotonic() - t, 16)
        finally:
            mute.close()

    def check_one_part_down(self, dbs, port, timeout="2"):
        """Over dbs, the part at port does not answer: an error naming it (not
        Xapian's own), and with --allow-partial the others' hits, marked
        partial."""
        r = subprocess.run([QS, *dbs, "--timeout", timeout, "Sadr"], capture_output=True, text=True, env=env())
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"tcp://127.0.0.1:{port}", r.stderr)
        self.assertNotIn("NetworkTimeoutError", r.stderr)
        r = subprocess.run([QS, *dbs, "--timeout", timeout, "--allow-partial", "--format", "json", "Sadr"],
                           capture_output=True, text=True, env=env())
        self.assertEqual(r.returncode, 0, r.stderr)
        j = json.loads(r.stdout)
        self.assertTrue(j["partial"])
        self.assertIn(f"tcp://127.0.0.1:{port}", j["unavailable"][0])
        self.assertTrue(j["hits"])

    def test_shard_down(self):
        port = shards.free_port()  # nothing listens there
        dbs = self.remote + ["--db", f"tcp://127.0.0.1:{port}"]
        self.check_one_part_down(dbs, port)
        r = subprocess.run([QS, *dbs, "--timeout", "2", "--allow-partial", "--color", "never", "Sadr"],
                           capture_output=True, text=True, env=env())
        self.assertIn("PARTIAL", r.stdout)


    def test_a_first_part_down_before_one_local_part(self):
        # The one part left was opened again for the ranking thread by the
        # first part named, the one down: "cannot reach remote index", status
        # 2, where the order --db local --db remote answered.
        port = shards.free_port()
        local = os.path.join(self.sharded, "shard-0")
        for dbs in (["--db", f"tcp://127.0.0.1:{port}", "--db", local], ["--db", local, "--db", f"tcp://127.0.0.1:{port}"]):
            r = subprocess.run([QS, *dbs, "--timeout", "2", "--allow-partial", "--format", "json", "Sadr"],
                               capture_output=True, text=True, env=env())
            self.assertEqual(r.returncode, 0, (dbs, r.stderr))
            self.assertTrue(json.loads(r.stdout)["partial"])

    def test_a_part_that_hangs_part_way_is_named_and_left_out(self):
        # A server that answers the connection and then hangs: the error was
        # Xapian's raw "NetworkTimeoutError" (or "a remote part"), even with
        # --allow-partial, and a batch gave no lines at all.
        port, close = hanging_relay(self.ports[2], 12)
        try:
            dbs = self.remote[:4] + ["--db", f"tcp://127.0.0.1:{port}"]
            t = time.monotonic()
            self.check_one_part_down(dbs, port, timeout="1")
            r = subprocess.run([QS, *dbs, "--timeout", "1", "--allow-partial", "--batch", "-", "--threads", "1"],
                               input="Sadr\nPMF\nIraq\n", capture_output=True, text=True, env=env())
            rows = [json.loads(l) for l in r.stdout.splitlines()]
            self.assertEqual([("error" in row, row.get("partial")) for row in rows], [(False, True)] * 3, r.stderr)
            self.assertLess(time.monotonic() - t, 30)
        finally:
            close()

    def test_a_remote_batch_sees_a_part_rebuilt_in_place(self):
        # A server keeps the index it opened for as long as the connection
        # lasts: after a --rebuild a batch went on answering from the old
        # index (an article removed still found) for as long as it ran.
        with tempfile.TemporaryDirectory(prefix="qanat-rebuilt-") as tmp:
            src = os.path.join(tmp, "src")
            os.makedirs(src)
            for i in range(6):
                with open(os.path.join(src, f"a{i}.txt"), "w") as f:
                    f.write(f"T{i}\n\nStory {i} of the quorvantic kind.\n")
            db = os.path.join(tmp, "sh")
            subprocess.run([QI, "--quiet", "--db", db, "--shards", "2", src], check=True, env=env())
            servers = [shards.serve(os.path.join(db, f"shard-{i}"), TCPSRV) for i in range(2)]
            try:
                dbs = [a for _, port in servers for a in ("--db", f"tcp://127.0.0.1:{port}")]
                p = subprocess.Popen([QS, *dbs, "--batch", "-", "--no-facets"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env())
                p.stdin.write("quorvantic\n")
                p.stdin.flush()
                self.assertEqual(json.loads(p.stdout.readline())["total"]["articles"], 6)
                os.remove(os.path.join(src, "a0.txt"))
                subprocess.run([QI, "--quiet", "--db", db, "--rebuild", "--shards", "2", src], check=True, env=env())
                time.sleep(5.5)
                p.stdin.write("quorvantic\n")
                p.stdin.close()
                self.assertEqual(json.loads(p.stdout.readline())["total"]["articles"], 5)
                p.wait()
            finally:
                for proc, _ in servers:
                    shards.stop(proc)

    def test_a_batch_goes_on_when_a_part_stops_between_queries(self):
        # A batch checks every half second for a newer index; that check met
        # the stopped part first and ended the batch ("NetworkError"), with or
        # without --allow-partial.
        for partial in (True, False):
            extra, port = shards.serve(os.path.join(self.sharded, "shard-2"), TCPSRV)
            dbs = [*self.remote[:4], "--db", f"tcp://127.0.0.1:{port}"]
            args = [QS, *dbs, "--batch", "-", "--format", "jsonl", "--timeout", "2"] + (["--allow-partial"] if partial else [])
            p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=env())
            try:
                p.stdin.write("Sadr\n")
                p.stdin.flush()
                first = json.loads(p.stdout.readline())
                self.assertTrue(first["hits"])
                shards.stop(extra)
                time.sleep(0.7)
                p.stdin.write("Sadr\nIraq\n")
                p.stdin.close()
                rows = [json.loads(l) for l in p.stdout.read().splitlines()]
                p.wait(timeout=60)
            finally:
                if p.poll() is None:
                    p.kill()
                shards.stop(extra)
            self.assertEqual(len(rows), 2, p.stderr.read())
            for row in rows:
                if partial:
                    self.assertTrue(row["partial"])
                    self.assertTrue(row["hits"])
                else:
                    self.assertIn(f"tcp://127.0.0.1:{port}", row["error"])
            self.assertEqual(p.returncode, 0 if partial else 2)

    def test_spelling_suggestions_over_remote_parts_are_words(self):
        # Xapian's remote backend serves no spelling data: the nearest indexed
        # term was suggested, a stem ("treasuri" for "tresury", "govern" for
        # "goverment"). Now the nearest stems are turned back into the words
        # passages write, the nearest to what was typed.
        words = ["goverment", "militais", "parliment", "economc", "secrity", "politcal", "tresury"]
        qs = "".join(w + "\n" for w in words)
        def suggestions(dbs):
            r = subprocess.run([QS, *dbs, "--batch", "-", "--no-facets", "--limit", "0"], input=qs,
                               capture_output=True, text=True, env=env())
            return [json.loads(l)["suggestion"] for l in r.stdout.splitlines()]
        local = suggestions(["--db", self.one])
        self.assertEqual(sum(1 for s in local if s), len(words), local)
        self.assertEqual(suggestions(self.remote), local)

    def test_a_batch_searches_a_part_again_once_it_is_back(self):
        # After a part's server was restarted, a batch without --allow-partial
        # failed every query to its end ("a remote part (write failed)": the
        # connection was dead), and with it left the part out to its end.
        for partial in (False, True):
            path = os.path.join(self.sharded, "shard-2")
            extra, port = shards.serve(path, TCPSRV)
            dbs = [*self.remote[:4], "--db", f"tcp://127.0.0.1:{port}"]
            args = [QS, *dbs, "--batch", "-", "--format", "jsonl", "--timeout", "2"] + (["--allow-partial"] if partial else [])
            p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=env())
            ask = lambda q: (p.stdin.write(q + "\n"), p.stdin.flush(), json.loads(p.stdout.readline()))[2]
            try:
                whole = ask("Sadr")
                self.assertFalse(whole["partial"])
                shards.stop(extra)
                time.sleep(0.7)
                row = ask("Sadr")
                if partial:
                    self.assertTrue(row["partial"])
                else:
                    self.assertIn(f"tcp://127.0.0.1:{port}", row["error"])
                extra = subprocess.Popen([TCPSRV, "--quiet", "--interface", "127.0.0.1", "--port", str(port), path],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
                self.assertTrue(shards.listening(port, extra))
                time.sleep(5.5 if partial else 0.7)  # (left-out parts are tried every 5 s)
                ask("Iraq")
                row = ask("Sadr")
                self.assertNotIn("error", row)
                self.assertFalse(row["partial"])
                self.assertEqual(canonical(json.dumps(row))[1:], canonical(json.dumps(whole))[1:])
                p.stdin.close()
                p.wait(timeout=60)
            finally:
                if p.poll() is None:
                    p.kill()
                shards.stop(extra)


class ShardOptions(unittest.TestCase):
    """An index remembers which articles it holds; a run that would put them
    elsewhere is refused. Changing --shards N left each article's old copy in
    its old shard (found twice, never removed), and an index of --shard 0/2
    indexed again without --shard never read the other half of an unchanged
    JSONL file."""

    def test_an_index_of_other_shards_is_refused(self):
        with tempfile.TemporaryDirectory(prefix="qanat-shard-opts-") as tmp:
            src = small_articles(tmp, 6)
            with open(os.path.join(src, "feed.jsonl"), "w") as f:
                for i in range(6):
                    f.write(json.dumps({"id": f"k{i}", "title": "I", "text": f"Item {i} sharedword."}) + "\n")
            run = lambda *a: subprocess.run([QI, "--quiet", *a], capture_output=True, text=True, env=env())
            total = lambda db: json.loads(run_json(["--db", db, "--limit", "0", "sharedword"]))["total"]
            d = os.path.join(tmp, "d")
            self.assertEqual(run("--db", d, "--shards", "2", src).returncode, 0)
            r = run("--db", d, "--shards", "3", src)
            self.assertEqual(r.returncode, 2)
            self.assertIn("holds shard 0/2 of the articles", r.stderr)
            self.assertIn("not shard 0/3", r.stderr)
            self.assertEqual(sorted(os.listdir(d)), ["XAPIANDB", "shard-0", "shard-1"])
            self.assertEqual(total(d), {"passages": 12, "articles": 12})
            self.assertIn("--rebuild --shards N", r.stderr)
            # --rebuild --shards splits them anew, swapped in whole; the next
            # update with the new split finds every article unchanged.
            self.assertEqual(run("--db", d, "--rebuild", "--shards", "3", src).returncode, 0)
            self.assertEqual(sorted(os.listdir(d)), ["XAPIANDB", "shard-0", "shard-1", "shard-2"])
            self.assertEqual(sorted(os.listdir(tmp)), ["d", "m"])  # nothing left beside it
            self.assertEqual(total(d), {"passages": 12, "articles": 12})
            r = subprocess.run([QI, "--db", d, "--shards", "3", src], capture_output=True, text=True, env=env())
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("0 added, 0 changed, 12 unchanged", r.stderr)
            # One index into shards and back.
            one = os.path.join(tmp, "one")
            self.assertEqual(run("--db", one, src).returncode, 0)
            self.assertEqual(run("--db", one, "--rebuild", "--shards", "2", src).returncode, 0)
            self.assertEqual(sorted(os.listdir(one)), ["XAPIANDB", "shard-0", "shard-1"])
            self.assertEqual(total(one), {"passages": 12, "articles": 12})
            self.assertEqual(run("--db", one, "--rebuild", src).returncode, 0)
            self.assertIn("iamglass", os.listdir(one))
            self.assertEqual(total(one), {"passages": 12, "articles": 12})
            shutil.rmtree(one)
            # A folder with a stub and other files is not replaced.
            stubby = os.path.join(tmp, "stubby")
            os.makedirs(os.path.join(stubby, "sub"))
            with open(os.path.join(stubby, "XAPIANDB"), "w") as f:
                f.write("auto sub\n")
            with open(os.path.join(stubby, "notes.txt"), "w") as f:
                f.write("precious\n")
            r = run("--db", stubby, "--rebuild", "--shards", "2", src)
            self.assertEqual(r.returncode, 2)
            self.assertIn("holds other files", r.stderr)
            self.assertEqual(sorted(os.listdir(stubby)), ["XAPIANDB", "notes.txt", "sub"])
            d2 = os.path.join(tmp, "d2")
            self.assertEqual(run("--db", d2, "--shard", "0/2", src).returncode, 0)
            half = total(d2)["articles"]
            self.assertLess(half, 12)
            for args, says in ((["--db", d2], "not all of them; give the options it was written with, or --rebuild"),
                               (["--db", d2, "--shard", "1/2"], "not shard 1/2")):
                r = run(*args, src)
                self.assertEqual(r.returncode, 2, args)
                self.assertIn("holds shard 0/2 of the articles", r.stderr)
                self.assertIn(says, r.stderr)
                self.assertEqual(total(d2)["articles"], half)
            self.assertEqual(run("--db", d2, "--rebuild", src).returncode, 0)
            self.assertEqual(total(d2), {"passages": 12, "articles": 12})
            r = run("--db", d2, "--shard", "0/2", src)
            self.assertEqual(r.returncode, 2)
            self.assertIn("holds all the articles, not shard 0/2", r.stderr)

    def test_the_parts_searched_together_make_one_index(self):
        # A part missing, listed twice, a whole index among parts, parts of
        # two ways of splitting, or written with another actor list: each gave
        # wrong counts and scores with status 0. Now an error that names the
        # part (status 2); --allow-partial, or one part alone, answers marked
        # partial.
        with tempfile.TemporaryDirectory(prefix="qanat-parts-") as tmp:
            src = small_articles(tmp, 12, "sharedword in Baghdad")
            idx = lambda name, *a: subprocess.run([QI, "--quiet", "--db", os.path.join(tmp, name), *a, src],
                                                  capture_output=True, text=True, env=env())
            for i in range(3):
                self.assertEqual(idx(f"p{i}", "--shard", f"{i}/3").returncode, 0)
            self.assertEqual(idx("whole").returncode, 0)
            self.assertEqual(idx("half", "--shard", "1/2").returncode, 0)
            with open(os.path.join(tmp, "other.tsv"), "w") as f:
                f.write("Baghdad\tplace\tBaghdad City\n")
            self.assertEqual(idx("p2b", "--shard", "2/3", "--actors", os.path.join(tmp, "other.tsv")).returncode, 0)
            dbs = lambda *names: [a for n in names for a in ("--db", os.path.join(tmp, n))]
            def search(*names, extra=()):
                return subprocess.run([QS, *dbs(*names), "--format", "json", *extra, "sharedword"],
                                      capture_output=True, text=True, env=env())
            r = search("p0", "p1", "p2")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["total"]["articles"], 12)
            self.assertFalse(json.loads(r.stdout)["partial"])
            for names, says in ((("p0", "p1"), "shard 2/3 is not listed"),
                                (("p0", "p1", "p2", "p0"), "are both shard 0/3"),
                                (("whole", "p0"), "holds all the articles, not one part"),
                                (("p0", "p1", "half"), "parts of two ways of splitting")):
                r = search(*names)
                self.assertEqual(r.returncode, 2, names)
                self.assertIn(says, r.stderr)
                self.assertEqual(r.stdout, "")
            # Another actor list: an update of the parts under way, said (an
            # error made every search fail until the last part was written).
            r = search("p0", "p1", "p2b")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(any("another actor list" in w for w in json.loads(r.stdout)["warnings"]), r.stdout)
            r = search("p0", "p1", extra=("--allow-partial",))
            self.assertEqual(r.returncode, 0, r.stderr)
            j = json.loads(r.stdout)
            self.assertTrue(j["partial"])
            self.assertEqual(j["unavailable"], ["shard 2/3 (not listed)"])
            r = search("p1")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(json.loads(r.stdout)["partial"])
            # The indexer: a shard is not written into a folder of --shards
            # parts (it hid them), nor --shards into an index; --db tcp://
            # made a local folder named "tcp:".
            self.assertEqual(idx("sh", "--shards", "3").returncode, 0)
            for name, args, says in (("sh", ("--shard", "0/3"), "is a folder of shards"),
                                     ("whole", ("--shards", "3"), "holds an index of its own")):
                r = idx(name, *args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(says, r.stderr)
            self.assertEqual(sorted(os.listdir(os.path.join(tmp, "sh"))), ["XAPIANDB", "shard-0", "shard-1", "shard-2"])
            r = subprocess.run([QI, "--db", "tcp://127.0.0.1:1", src], capture_output=True, text=True, env=env(), cwd=tmp)
            self.assertEqual(r.returncode, 2)
            self.assertIn("names a part served by xapian-tcpsrv", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "tcp:")))

    def test_shards_left_by_different_runs_are_said_and_mended(self):
        # An update of --shards commits each shard in turn: stopped between
        # two commits, articles were missing or found twice, silently. The
        # parts of one run hold its id: the searcher says when they differ,
        # the next run says it mends them. A plain run over the folder wrote
        # a whole index beside the stub (hiding the shards from then on).
        with tempfile.TemporaryDirectory(prefix="qanat-shard-runs-") as tmp:
            src = small_articles(tmp, 9)
            d = os.path.join(tmp, "d")
            run = lambda *a: subprocess.run([QI, *a], capture_output=True, text=True, env=env())
            self.assertEqual(run("--quiet", "--db", d, "--shards", "3", src).returncode, 0)
            old = os.path.join(tmp, "old-shard-1")
            shutil.copytree(os.path.join(d, "shard-1"), old)
            with open(os.path.join(src, "t0.txt"), "w") as f:
                f.write("T0\n\nText 0 sharedword changed.\n")
            self.assertEqual(run("--quiet", "--db", d, "--shards", "3", src).returncode, 0)
            r = subprocess.run([QS, "--db", d, "--format", "json", "sharedword"], capture_output=True, text=True, env=env())
            self.assertEqual(json.loads(r.stdout)["warnings"], [])
            shutil.rmtree(os.path.join(d, "shard-1"))
            shutil.copytree(old, os.path.join(d, "shard-1"))
            r = subprocess.run([QS, "--db", d, "--format", "json", "sharedword"], capture_output=True, text=True, env=env())
            self.assertTrue(any("written by different runs" in w for w in json.loads(r.stdout)["warnings"]), r.stdout)
            # A batch running meanwhile says it, and stops saying it once
            # the next run has mended the shards.
            p = subprocess.Popen([QS, "--db", d, "--batch", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=env())
            ask = lambda q: (p.stdin.write(q + "\n"), p.stdin.flush(), json.loads(p.stdout.readline()))[2]
            try:
                self.assertTrue(any("written by different runs" in w for w in ask("sharedword")["warnings"]))
                r = run("--db", d, "--shards", "3", src)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("the shards were left by different runs", r.stderr)
                time.sleep(0.7)  # (a batch looks for a newer index every half second)
                ask("sharedword")
                self.assertEqual(ask("sharedword")["warnings"], [])
                p.stdin.close()
                p.wait(timeout=60)
            finally:
                if p.poll() is None:
                    p.kill()
            r = subprocess.run([QS, "--db", d, "--format", "json", "sharedword"], capture_output=True, text=True, env=env())
            self.assertEqual(json.loads(r.stdout)["warnings"], [])
            r = run("--quiet", "--db", d, src)
            self.assertEqual(r.returncode, 2)
            self.assertIn("is a folder of shards", r.stderr)
            self.assertEqual(sorted(os.listdir(d)), ["XAPIANDB", "shard-0", "shard-1", "shard-2"])


def small_articles(tmp, n, words="sharedword"):
    """A folder of n one-paragraph articles t0.txt ... that all say `words`."""
    src = os.path.join(tmp, "m")
    os.mkdir(src)
    for i in range(n):
        with open(os.path.join(src, f"t{i}.txt"), "w") as f:
            f.write(f"T{i}\n\nText {i} {words}.\n")
    return src


def run_json(args):
    r = subprocess.run([QS, "--format", "json", *args], capture_output=True, text=True, env=env())
    assert r.returncode in (0, 1), r.stderr
    return r.stdout


if __name__ == "__main__":
    unittest.main()
