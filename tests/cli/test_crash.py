"""Crash safety and concurrency of qanat-index and qanat-search.

- SIGKILL at random moments: the index opens, holds the last commit, and a
  re-run ends equal to an index built in one clean run.
- A second indexer on a locked index fails clearly and changes nothing.
- A full disk (simulated with RLIMIT_FSIZE), during an update or a rebuild,
  or an index path that cannot be created gives a clear error; the previous
  commit stays intact, and a rebuild leaves no half-built folder.
- Searches running while the indexer commits never fail; a batch picks up a
  newer commit between queries.
"""
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import synth  # noqa: E402

ROOT = os.environ.get("QANAT_ROOT", os.getcwd())
QI = os.environ.get("QANAT_INDEX", os.path.join(ROOT, "build/indexer/qanat-index"))
QS = os.environ.get("QANAT_SEARCH", os.path.join(ROOT, "build/searcher/qanat-search"))
KILLS = int(os.environ.get("QANAT_KILLS", "15"))


def env():
    e = dict(os.environ)
    e.pop("QANAT_DB", None)
    return e


def search_json(db, *args):
    r = subprocess.run([QS, "--db", db, "--format", "json", *args], capture_output=True, text=True, env=env())
    assert r.returncode in (0, 1), (r.returncode, r.stderr)
    return json.loads(r.stdout)


def fingerprint(db):
    """Passages, articles and every facet count of the whole index."""
    j = search_json(db, "--limit", "0", "--facet-limit", "0", "--year", "1000..2000", "--all-blocks")
    k = search_json(db, "--limit", "0", "--facet-limit", "0", "--year", "2001..2099", "--all-blocks")
    every = search_json(db, "--limit", "0", "--all-blocks", "NOT", "zzzzqqq")
    return (every["total"], j["total"], k["total"],
            sorted((v["value"], v["passages"], v["articles"]) for v in j["facets"]["actor"] + k["facets"]["actor"]),
            sorted((v["value"], v["passages"], v["articles"]) for v in j["facets"]["year"] + k["facets"]["year"]))


class Crash(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="qanat-crash-")
        self.src = os.path.join(self.tmp, "src")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def index(self, db, *extra):
        return subprocess.run([QI, "--quiet", "--db", db, *extra, self.src], capture_output=True, text=True,
                               env=env())

    def test_sigkill_at_random_moments(self):
        synth.write_corpus(self.src, 800, seed=7)
        db = os.path.join(self.tmp, "db")
        t0 = time.monotonic()
        self.assertEqual(self.index(db).returncode, 0)
        full_time = time.monotonic() - t0
        committed = fingerprint(db)
        rng = random.Random(3)
        kills = 0
        for i in range(KILLS):
            # New content for a third of the articles, so that every run has work to do.
            synth.write_corpus(self.src, 270, seed=100 + i, start=rng.randrange(0, 530))
            p = subprocess.Popen([QI, "--quiet", "--db", db, self.src], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=env())
            time.sleep(rng.uniform(0.0, full_time))
            killed = p.poll() is None
            if killed:
                p.send_signal(signal.SIGKILL)
                kills += 1
            p.wait()
            state = fingerprint(db)
            if killed and p.returncode == -signal.SIGKILL:
                # Killed before its commit, or after it: never anything in between.
                if state != committed:
                    committed = state
            else:
                self.assertEqual(p.returncode, 0)
                committed = state
            self.assertGreater(state[0]["passages"], 0)
        # A last run completes and equals an index built in one clean run.
        r = self.index(db)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        clean = os.path.join(self.tmp, "clean")
        self.assertEqual(self.index(clean).returncode, 0)
        self.assertEqual(fingerprint(db), fingerprint(clean))
        print(f"sigkill: {kills} kills in {KILLS} runs (a full run takes {full_time:.2f} s); "
              "the index opened after every kill and ended equal to a clean build")
        self.assertGreater(kills, KILLS // 3)

    def test_sigkill_during_rebuild_keeps_the_old_index(self):
        synth.write_corpus(self.src, 800, seed=8)
        db = os.path.join(self.tmp, "db")
        t0 = time.monotonic()
        self.assertEqual(self.index(db).returncode, 0)
        took = time.monotonic() - t0
        before = fingerprint(db)
        p = subprocess.Popen([QI, "--quiet", "--rebuild", "--db", db, self.src], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env())
        time.sleep(took / 2)
        p.send_signal(signal.SIGKILL)
        p.wait()
        self.assertEqual(fingerprint(db), before)
        # The next rebuild finishes and leaves no half-built folder behind.
        self.assertEqual(self.index(db, "--rebuild").returncode, 0)
        self.assertEqual(fingerprint(db), before)
        self.assertEqual([d for d in os.listdir(self.tmp) if "rebuild" in d], [])

    def test_sigkill_during_a_first_build_of_shards_leaves_no_half_built_shards(self):
        # A first --shards (or --shard) build was written in place, in one
        # transaction: killed, it left shard folders with nothing committed,
        # and its memory grew with the corpus. It is now built aside, as a
        # first index is, and the next run builds it whole.
        synth.write_corpus(self.src, 3000, seed=14)
        for split in (["--shards", "2"], ["--shard", "1/2"]):
            db = os.path.join(self.tmp, "db")
            shutil.rmtree(db, ignore_errors=True)
            p = subprocess.Popen([QI, "--quiet", *split, "--db", db, self.src], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=env())
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and p.poll() is None:
                if any(name.startswith("db.rebuild-") for name in os.listdir(self.tmp)) or \
                        os.path.exists(os.path.join(db, "shard-0")):
                    break
                time.sleep(0.01)
            time.sleep(0.05)
            self.assertIsNone(p.poll(), f"{split}: the build ended before it could be stopped")
            p.send_signal(signal.SIGKILL)
            p.wait()
            self.assertEqual([n for n in os.listdir(db) if n.startswith("shard-")] if os.path.isdir(db) else [], [],
                             split)
            r = self.index(db, *split)
            self.assertEqual(r.returncode, 0, r.stderr)
            if split[0] == "--shards":
                self.assertEqual(sorted(os.listdir(db)), ["XAPIANDB", "shard-0", "shard-1"])
            self.assertEqual([n for n in os.listdir(self.tmp) if "rebuild" in n], [], split)
            clean = os.path.join(self.tmp, "clean")
            shutil.rmtree(clean, ignore_errors=True)
            self.assertEqual(self.index(clean, *split).returncode, 0)
            self.assertEqual(fingerprint(db), fingerprint(clean), split)
            self.assertGreater(fingerprint(db)[0]["passages"], 0)

    def test_sigint_and_sigterm_leave_nothing_half_built(self):
        # They ended the run as SIGKILL does: the work folder (a build's size
        # on the disk) and a first build's placeholder stayed until the next
        # run, and searches meanwhile said a first build was running.
        synth.write_corpus(self.src, 3000, seed=15)
        db = os.path.join(self.tmp, "db")

        def stop(sig, *extra):
            p = subprocess.Popen([QI, "--quiet", "--db", db, *extra, self.src], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True, env=env())
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and p.poll() is None and \
                    not any(".rebuild-" in n for n in os.listdir(self.tmp)):
                time.sleep(0.01)
            time.sleep(0.1)
            self.assertIsNone(p.poll(), "the run ended before it could be stopped")
            p.send_signal(sig)
            err = p.communicate()[1]
            self.assertEqual(p.returncode, 128 + sig, err)
            self.assertIn("stopped by " + signal.Signals(sig).name, err)
            self.assertEqual([n for n in os.listdir(self.tmp) if ".rebuild-" in n], [])
            return err

        for sig, extra in ((signal.SIGTERM, []), (signal.SIGINT, ["--shards", "2"])):
            err = stop(sig, *extra)
            self.assertIn("there is no index at", err)
            self.assertFalse(os.path.exists(db), os.listdir(db) if os.path.isdir(db) else db)
        self.assertEqual(self.index(db).returncode, 0)
        before = fingerprint(db)
        err = stop(signal.SIGINT, "--rebuild")
        self.assertIn("is as it was", err)
        self.assertEqual(fingerprint(db), before)
        # A signal ignored from the start (nohup) stays ignored: the run ends as it would.
        p = subprocess.Popen([QI, "--quiet", "--rebuild", "--db", db, self.src], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, env=env(),
                             preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
        time.sleep(0.3)
        p.send_signal(signal.SIGHUP)
        err = p.communicate()[1]
        self.assertEqual(p.returncode, 0, err)
        self.assertEqual(fingerprint(db), before)

    def test_second_indexer_is_refused(self):
        synth.write_corpus(self.src, 2000, seed=9)
        db = os.path.join(self.tmp, "db")
        first = subprocess.Popen([QI, "--quiet", "--db", db, self.src], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True, env=env())
        # Wait until the first indexer holds the lock.
        deadline = time.monotonic() + 30
        while not os.path.exists(os.path.join(db, "flintlock")) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)
        second = self.index(db)
        if first.poll() is None:
            self.assertEqual(second.returncode, 2)
            self.assertIn("locked by another indexer", second.stderr)
        first.wait()
        self.assertEqual(first.returncode, 0, first.stderr.read())
        self.assertEqual(fingerprint(db)[0]["articles"], 2000)

    def test_full_disk_keeps_the_last_commit(self):
        synth.write_corpus(self.src, 200, seed=10)
        db = os.path.join(self.tmp, "db")
        self.assertEqual(self.index(db).returncode, 0)
        before = fingerprint(db)
        synth.write_corpus(self.src, 3000, seed=11, start=200)

        def small_disk():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            size = sum(os.path.getsize(os.path.join(db, f)) for f in os.listdir(db))
            resource.setrlimit(resource.RLIMIT_FSIZE, (size + 64 * 1024, size + 64 * 1024))

        r = subprocess.run([QI, "--quiet", "--db", db, self.src], capture_output=True, text=True, env=env(),
                           preexec_fn=small_disk)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("qanat-index:", r.stderr)
        self.assertEqual(fingerprint(db), before)
        # With room again, the same run completes.
        self.assertEqual(self.index(db).returncode, 0)
        self.assertEqual(fingerprint(db)[0]["articles"], 3200)

    def test_full_disk_during_a_rebuild_keeps_the_old_index(self):
        # A rebuild writes its parts, then merges them: a full disk at any
        # point of that (simulated by file size limits from small to about
        # the index's own size) ends with a clear error, exit status 2 (never
        # a crash), the old index as it was, and no half-built folder left.
        synth.write_corpus(self.src, 600, seed=13)
        db = os.path.join(self.tmp, "db")
        self.assertEqual(self.index(db).returncode, 0)
        before = fingerprint(db)
        largest = max(os.path.getsize(os.path.join(db, f)) for f in os.listdir(db))
        for limit in sorted({16 << 10, 64 << 10, 256 << 10, largest // 4, largest // 2, largest * 3 // 4}):
            def small_disk(limit=limit):
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

            r = subprocess.run([QI, "--quiet", "--rebuild", "--db", db, self.src], capture_output=True, text=True,
                               env=env(), preexec_fn=small_disk)
            self.assertEqual(r.returncode, 2, f"limit {limit}: {r.stderr}")
            self.assertEqual([d for d in os.listdir(self.tmp) if "rebuild" in d], [], f"limit {limit}")
            self.assertEqual(fingerprint(db), before, f"limit {limit}")
            self.assertIn("is as it was", r.stderr, f"limit {limit}")

    def test_index_path_that_cannot_be_created(self):
        synth.write_corpus(self.src, 5, seed=12)
        blocker = os.path.join(self.tmp, "file")
        open(blocker, "w").close()
        r = self.index(os.path.join(blocker, "db"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("file/db", r.stderr)


class Concurrency(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="qanat-conc-")
        self.src = os.path.join(self.tmp, "src")
        self.db = os.path.join(self.tmp, "db")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_searches_during_commits_never_fail(self):
        synth.write_corpus(self.src, 400, seed=20)
        subprocess.run([QI, "--quiet", "--db", self.db, self.src], check=True, env=env())
        stop = time.monotonic() + 5
        commits = 0
        queries = "\n".join(["militia", "Sadr border", "year:1990..2000", "oil AND pipeline"] * 50) + "\n"
        searches = failures = 0
        procs = []
        while time.monotonic() < stop or commits < 2:  # at least two, however slow the build (sanitizers)
            # Change some articles and commit while batches of searches run.
            synth.write_corpus(self.src, 40, seed=100 + commits, start=rng_start(commits))
            ix = subprocess.Popen([QI, "--quiet", "--db", self.db, self.src], env=env())
            procs = [subprocess.Popen([QS, "--db", self.db, "--batch", "-", "--format", "jsonl"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=env()) for _ in range(2)]
            outs = [p.communicate(queries) for p in procs]
            ix.wait()
            self.assertEqual(ix.returncode, 0)
            commits += 1
            for p, (out, err) in zip(procs, outs):
                lines = out.splitlines()
                searches += len(lines)
                if p.returncode not in (0, 1) or len(lines) != 200 or any("error" in json.loads(l) for l in lines):
                    failures += 1
                    print(err, file=sys.stderr)
        print(f"concurrency: {commits} commits, {searches} searches during them, {failures} failed batches")
        self.assertGreater(commits, 1)
        self.assertEqual(failures, 0)

    def test_batch_sees_a_newer_commit(self):
        synth.write_corpus(self.src, 20, seed=21)
        subprocess.run([QI, "--quiet", "--db", self.db, self.src], check=True, env=env())
        p = subprocess.Popen([QS, "--db", self.db, "--batch", "-", "--format", "jsonl"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=env())
        p.stdin.write("zebracorn\n")
        p.stdin.flush()
        first = json.loads(p.stdout.readline())
        self.assertEqual(first["total"]["passages"], 0)
        with open(os.path.join(self.src, "new.txt"), "w") as f:
            f.write("New\n\nA zebracorn was seen near the border.\n")
        subprocess.run([QI, "--quiet", "--db", self.db, self.src], check=True, env=env())
        time.sleep(0.6)
        p.stdin.write("zebracorn\n")
        p.stdin.flush()
        second = json.loads(p.stdout.readline())
        p.stdin.close()
        p.wait()
        self.assertEqual(second["total"]["passages"], 1)


def rng_start(i):
    return (i * 37) % 360


if __name__ == "__main__":
    unittest.main()


class Layouts(unittest.TestCase):
    """Where a first build can be built aside and swapped in, and where not."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="qanat-layout-")
        self.src = os.path.join(self.tmp, "src")
        synth.write_corpus(self.src, 300, seed=21)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def index(self, db, *extra, cwd=None):
        return subprocess.run([QI, "--quiet", "--db", db, *extra, self.src], capture_output=True, text=True,
                              env=env(), cwd=cwd)

    def test_two_first_builds_at_once_one_is_refused_as_locked(self):
        # The second saw the first's half-made placeholder as a folder of
        # other files or a damaged index ("--rebuild to replace it"); with
        # --shards it wrote its shards into it without the lock, both said
        # done, and the folder's stub could list fewer shards than it held.
        synth.write_corpus(self.src, 2500, seed=22)
        for split in ([], ["--shards", "2"]):
            db = os.path.join(self.tmp, "race", "db")
            shutil.rmtree(os.path.dirname(db), ignore_errors=True)
            procs = [subprocess.Popen([QI, "--quiet", "--db", db, *split, *more, self.src], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True, env=env())
                     for more in ([], ["--shards", "3"] if split else [])]
            errs = [p.communicate()[1] for p in procs]
            codes = sorted(p.returncode for p in procs)
            if codes == [0, 0]:
                continue  # (one ended before the other began: nothing to see)
            self.assertEqual(codes, [0, 2], errs)
            self.assertIn("locked by another indexer", "".join(errs))
            self.assertGreater(search_json(db, "--limit", "0", "NOT", "zzzqqq")["total"]["articles"], 0)

    def test_a_run_that_looks_while_another_creates_the_index_waits_for_its_lock(self):
        # Xapian makes the folder and its lock file a moment before it locks
        # it: a run that looked then took the folder for a damaged index.
        # Here the "other run" is a process that locks the file 50 ms late.
        for split in ([], ["--shards", "2"]):
            db = os.path.join(self.tmp, "creating" + "".join(split).replace("-", ""))
            os.makedirs(db)
            open(os.path.join(db, "flintlock"), "w").close()
            holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
                import fcntl, sys, time
                time.sleep(0.05)
                f = open(sys.argv[1], "r+")
                fcntl.lockf(f, fcntl.LOCK_EX)
                print("locked", flush=True)
                time.sleep(3)
                """), os.path.join(db, "flintlock")], stdout=subprocess.PIPE, text=True)
            try:
                r = self.index(db, *split)
            finally:
                holder.kill()
                holder.wait()
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("locked by another indexer", r.stderr)
            self.assertEqual(sorted(os.listdir(db)), ["flintlock"])  # nothing written there

    def test_what_a_run_killed_while_creating_its_placeholder_left_is_replaced(self):
        # SIGKILL in the first milliseconds of a first run left Xapian's files
        # without "iamglass": the next run refused it as a damaged index, and
        # the searcher said to create one with the command just refused.
        for split in ([], ["--shards", "2"]):
            db = os.path.join(self.tmp, "killed" + "".join(split).replace("-", ""))
            os.makedirs(db)
            for name in ("flintlock", "postlist.glass", "termlist.glass", "v.tmp"):
                open(os.path.join(db, name), "w").close()
            r = self.index(db, *split)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertGreater(search_json(db, "--limit", "0", "NOT", "zzzqqq")["total"]["articles"], 0)
        # An index that lost its "iamglass" holds more than a placeholder: refused, kept.
        db = os.path.join(self.tmp, "lost-iamglass")
        self.assertEqual(self.index(db).returncode, 0)
        os.remove(os.path.join(db, "iamglass"))
        before = sorted(os.listdir(db))
        r = self.index(db)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("not a qanat index (or is damaged)", r.stderr)
        self.assertEqual(sorted(os.listdir(db)), before)
        # A folder with "iamglass" (an index that was committed) is still refused.
        db = os.path.join(self.tmp, "damaged")
        os.makedirs(db)
        for name in ("flintlock", "iamglass", "postlist.glass"):
            with open(os.path.join(db, name), "w") as f:
                f.write("x")
        r = self.index(db)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("not a qanat index (or is damaged)", r.stderr)
        self.assertEqual(sorted(os.listdir(db)), ["flintlock", "iamglass", "postlist.glass"])

    def test_a_folder_of_other_files_is_refused_for_shards_too(self):
        other = os.path.join(self.tmp, "o")
        os.makedirs(other)
        with open(os.path.join(other, "notes.txt"), "w") as f:
            f.write("mine\n")
        r = self.index(other, "--shards", "2")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("holds other files", r.stderr)
        self.assertEqual(os.listdir(other), ["notes.txt"])

    def test_a_symlink_to_a_folder_not_made_yet(self):
        # It was renamed over ("cannot rename: Not a directory") after the
        # whole build, or failed with "mkdir failed (File exists)".
        real = os.path.join(self.tmp, "real")
        os.makedirs(real)
        for i, split in enumerate(([], ["--shards", "2"], ["--shard", "0/2"])):
            link = os.path.join(self.tmp, f"link{i}")
            os.symlink(os.path.join("real", f"missing{i}"), link)
            r = self.index(link, *split)
            self.assertEqual(r.returncode, 0, (split, r.stderr))
            self.assertTrue(os.path.islink(link))
            self.assertTrue(os.path.isdir(os.path.join(real, f"missing{i}")))
            self.assertEqual(search_json(link, "--limit", "0", "NOT", "zzzqqq")["total"]["articles"], 150 if "--shard" in split else 300)

    def test_the_current_folder_and_a_mount_point_are_built_in_place(self):
        # Built aside, they could not be swapped in: "--db ." made its work
        # folder inside itself, and a mount point cannot be renamed ("Device
        # or resource busy", after the whole build). A --rebuild says so first.
        here = os.path.join(self.tmp, "here")
        os.makedirs(here)
        for split in ([], ["--shards", "2"]):
            shutil.rmtree(here)
            os.makedirs(here)
            r = self.index(".", *split, cwd=here)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual([n for n in os.listdir(self.tmp) if "rebuild" in n], [])
            self.assertTrue(os.path.exists(os.path.join(here, "XAPIANDB" if split else "iamglass")))
        mnt, under = os.path.join(self.tmp, "mnt"), os.path.join(self.tmp, "under")
        os.makedirs(mnt)
        os.makedirs(under)
        if subprocess.run(["mount", "--bind", under, mnt], capture_output=True).returncode != 0:
            self.skipTest("no bind mount here")
        try:
            for split in ([], ["--shards", "2"]):
                r = self.index(mnt, *split)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(search_json(mnt, "--limit", "0", "NOT", "zzzqqq")["total"]["articles"], 300)
                r = self.index(mnt, *split, "--rebuild")
                self.assertEqual(r.returncode, 2)
                self.assertIn("is a mount point", r.stderr)
                for name in os.listdir(mnt):
                    p = os.path.join(mnt, name)
                    shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
        finally:
            subprocess.run(["umount", mnt])

    def test_a_missing_shard_is_written_again_over_the_folder(self):
        # The search said to create an index at the shard's place, which then
        # held all the articles and broke the folder.
        db = os.path.join(self.tmp, "db")
        self.assertEqual(self.index(db, "--shards", "3").returncode, 0)
        shutil.rmtree(os.path.join(db, "shard-1"))
        s = subprocess.run([QS, "--db", db, "oil"], capture_output=True, text=True, env=env())
        self.assertEqual(s.returncode, 2)
        self.assertIn(f"write it again with: qanat-index --db '{db}' --shards 3", s.stderr)
        self.assertEqual(self.index(db, "--shards", "3").returncode, 0)
        self.assertEqual(search_json(db, "--limit", "0", "NOT", "zzzqqq")["total"]["articles"], 300)
