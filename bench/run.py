#!/usr/bin/env python3
"""qanat's benchmark: indexing and query speed against peers on Reuters-21578.

    python3 bench/run.py            # everything: 3 repetitions, Reuters 1x 2x 5x 10x
    python3 bench/run.py --quick    # 1x only, 1 repetition (a few minutes)

Converts the corpora into bench/data/, builds qanat (build-bench/, Release)
and the plain Xapian peer, then measures for qanat and each peer: indexing
(wall time, CPU time, peak RSS, index size on disk), the query file as one
batch, and per-query latency over 1,000 queries. Measurements alternate
between systems (the order rotates every repetition); tables give medians.
Writes bench/out/results.json (every run), bench/out/report.md (tables and
the exact commands) and bench/out/scale.svg. See bench/README.md.
"""

import argparse
import hashlib
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
DATA = os.path.join(BENCH, "data")
OUT = os.path.join(BENCH, "out")
QUERIES = os.path.join(BENCH, "queries.txt")
BUILD = os.path.join(ROOT, "build-bench")
QANAT_INDEX = os.path.join(BUILD, "indexer", "qanat-index")
QANAT_SEARCH = os.environ.get("QANAT_SEARCH", os.path.join(BUILD, "searcher", "qanat-search"))  # another build to compare
PLAIN = os.path.join(DATA, "bin", "plain_xapian")
FTS5 = os.path.join(BENCH, "peers", "fts5.py")

ALL_SYSTEMS = ["qanat", "qanat-no-facets", "qanat-jsonl", "plain-xapian", "omega", "fts5",
               "fts5-passage", "recoll"]
SCALE_SYSTEMS = ["qanat", "qanat-no-facets", "plain-xapian", "fts5"]


def log(*a):
    print("[%s]" % time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- measuring

TIME = "/usr/bin/time"


class RunFailed(Exception):
    """A measured command exited with a status it should not have."""


def measure(argv, stdin=None, stdout=None, ok=(0,), append=False, rss=True):
    """Runs argv to completion; returns wall s, CPU s (user+sys) and peak RSS (KiB).

    Wall time is taken around the run; CPU time comes from wait4() (it covers
    the child's threads and the processes it waited for). Peak RSS comes from
    GNU time's %M: the command runs under /usr/bin/time, because a child's
    ru_maxrss also counts the RSS of the process that forked it (here, this
    Python), which would hide small figures. With rss=False (per-query
    processes, where every millisecond of wall time counts) no wrapper is used
    and no RSS is given. stdin and stdout are file paths (None: /dev/null).
    """
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    fout = open(stdout, "ab" if append else "wb") if stdout else subprocess.DEVNULL
    rss_file = None
    if rss and os.path.exists(TIME):
        rss_file = os.path.join(DATA, ".rss")
        argv_run = [TIME, "-f", "%M", "-o", rss_file] + argv
    else:
        argv_run = argv
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    p = subprocess.Popen(argv_run, stdin=fin, stdout=fout, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    for f in (fin, fout):
        if f is not subprocess.DEVNULL:
            f.close()
    if p.returncode not in ok:
        raise RunFailed("%s exited with %d: %s" % (shlex.join(argv), p.returncode,
                                                   err.decode(errors="replace")[-1000:].strip()))
    rss_kb = None
    if rss_file:
        with open(rss_file) as f:
            rss_kb = int(f.read().split()[-1])
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_kb": rss_kb, "load": load}


def measure_per_query(argv_for, queries, stdout=None, ok=(0,)):
    """One process per query: total wall and CPU, and each query's wall (no RSS)."""
    total = {"wall": 0.0, "cpu": 0.0, "rss_kb": None, "load": os.getloadavg()[0]}
    each = []
    if stdout:
        open(stdout, "wb").close()
    for q in queries:
        r = measure(argv_for(q), stdout=stdout, ok=ok, append=True, rss=False)
        total["wall"] += r["wall"]
        total["cpu"] += r["cpu"]
        each.append(r["wall"])
    return total, each


def pipe_latency(argv, queries, ends_with_blank, err_path):
    """One process; each query written to its standard input, timed until its whole
    answer has been read back from its standard output (one JSON line for qanat;
    lines up to an empty line for the peers). Returns the seconds of each query
    and the failures: if the process ends before answering, the query is
    recorded as failed (with the exit status and the end of standard error,
    kept in err_path) and a new process goes on with the next query."""
    times, failures = [], []
    p = None
    for i, q in enumerate(queries):
        if p is None:
            err = open(err_path, "wb")
            p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        t0 = time.perf_counter()
        try:
            p.stdin.write(q.encode() + b"\n")
            p.stdin.flush()
            line = p.stdout.readline()
            while ends_with_blank and line not in (b"\n", b""):
                line = p.stdout.readline()
        except BrokenPipeError:
            line = b""
        if line:
            times.append(time.perf_counter() - t0)
            continue
        rc = p.wait()
        err.close()
        with open(err_path, "rb") as f:
            tail = f.read()[-1000:].decode(errors="replace").strip()
        failures.append({"query_number": i + 1, "query": q, "returncode": rc, "stderr": tail})
        log("  %s ended (status %d) on query %d %r: %s" % (argv[0], rc, i + 1, q, tail))
        p = None
    if p is not None:
        p.stdin.close()
        p.wait()
        err.close()
    return times, failures


def disk_usage(path):
    """Bytes allocated on disk for a file or a folder tree."""
    if os.path.isfile(path):
        return os.stat(path).st_blocks * 512
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total


def percentile(xs, p):
    """Nearest-rank percentile (p in 0..100)."""
    s = sorted(xs)
    k = max(0, min(len(s) - 1, math.ceil(p / 100.0 * len(s)) - 1))
    return s[k]


def remove(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.remove(path)


# --------------------------------------------------------------------------- systems

class System:
    """How to index with a system and query it. Subclasses fill in the commands."""
    name = ""
    input = "txt"          # what it reads: the txt folder or the JSONL file
    queries = True         # measured on queries too
    indexes = True         # has an index of its own (measured)
    per_process = False    # one process per query (quest, recollq)
    ends_with_blank = True
    ok = (0,)

    def __init__(self, size):
        self.size = size
        self.data = data_dir(size)
        self.idx = os.path.join(DATA, "idx", "%s-x%d" % (self.name, size))

    def src(self):
        return os.path.join(self.data, "txt") if self.input == "txt" else \
            os.path.join(self.data, "reuters.jsonl")

    def prepare(self):
        remove(self.idx)
        os.makedirs(os.path.dirname(self.idx), exist_ok=True)

    def index_cmd(self):
        raise NotImplementedError

    def batch_cmd(self):
        """Command that reads the query file on standard input (one process)."""
        raise NotImplementedError

    def query_cmd(self, q):
        """Command for one query (per-process systems)."""
        raise NotImplementedError

    def pipe_cmd(self):
        return self.batch_cmd()

    def size_path(self):
        return self.idx

    def documents(self):
        """Documents in the index (Xapian's count, from xapian-delve)."""
        out = sh("xapian-delve %s" % shlex.quote(self.xapian_db()))
        for line in out.splitlines():
            if line.startswith("number of documents"):
                return int(line.split("=")[1])
        return None

    def xapian_db(self):
        return self.idx


class Qanat(System):
    name = "qanat"
    ends_with_blank = False
    ok = (0, 1)

    def index_cmd(self):
        return [QANAT_INDEX, "--quiet", "--db", self.idx, self.src()]

    def batch_cmd(self):
        return [QANAT_SEARCH, "--db", self.idx, "--batch", QUERIES, "--format", "jsonl"]

    def pipe_cmd(self):
        return [QANAT_SEARCH, "--db", self.idx, "--batch", "-", "--format", "jsonl"]


class QanatNoFacets(Qanat):
    """qanat's searcher without facet counting, on qanat's own index (not indexed again)."""
    name = "qanat-no-facets"
    indexes = False

    def __init__(self, size):
        super().__init__(size)
        self.idx = Qanat(size).idx

    def batch_cmd(self):
        return super().batch_cmd() + ["--no-facets"]

    def pipe_cmd(self):
        return super().pipe_cmd() + ["--no-facets"]


class QanatJsonl(Qanat):
    name = "qanat-jsonl"
    input = "jsonl"
    queries = False


class PlainXapian(System):
    name = "plain-xapian"

    def index_cmd(self):
        return [PLAIN, "index", self.idx, self.src()]

    def batch_cmd(self):
        return [PLAIN, "search", self.idx]


class Omega(System):
    name = "omega"
    per_process = True
    ok = (0, 1)

    def index_cmd(self):
        return ["omindex", "--db", self.idx, "--url", "/", self.src()]

    def query_cmd(self, q):
        return ["quest", "--db", self.idx, "--msize", "10", "--default-op", "and", q]


class Fts5(System):
    name = "fts5"
    unit = "article"

    def index_cmd(self):
        return [sys.executable, FTS5, "index", "--unit", self.unit, self.idx + ".db", self.src()]

    def batch_cmd(self):
        return [sys.executable, FTS5, "search", "--unit", self.unit, self.idx + ".db"]

    def prepare(self):
        remove(self.idx + ".db")
        os.makedirs(os.path.dirname(self.idx), exist_ok=True)

    def size_path(self):
        return self.idx + ".db"

    def documents(self):
        import sqlite3
        con = sqlite3.connect(self.idx + ".db")
        n = con.execute("SELECT count(*) FROM doc").fetchone()[0]
        con.close()
        return n


class Fts5Passage(Fts5):
    name = "fts5-passage"
    unit = "passage"


class Recoll(System):
    name = "recoll"
    per_process = True
    ok = (0, 1)

    def prepare(self):
        remove(self.idx)
        os.makedirs(self.idx)
        with open(os.path.join(self.idx, "recoll.conf"), "w") as f:
            f.write("topdirs = %s\nloglevel = 1\nnoaspell = 1\n" % self.src())

    def index_cmd(self):
        return ["recollindex", "-c", self.idx]

    def xapian_db(self):
        return os.path.join(self.idx, "xapiandb")

    def query_cmd(self, q):
        return ["recollq", "-c", self.idx, "-a", "-A", "-p", "3", "-n", "10"] + q.split()


SYSTEM_CLASSES = {c.name: c for c in (Qanat, QanatNoFacets, QanatJsonl, PlainXapian, Omega,
                                      Fts5, Fts5Passage, Recoll)}


# --------------------------------------------------------------------------- preparing

def data_dir(size):
    return os.path.join(DATA, "reuters-x%d" % size)


def convert(size):
    """Converts Reuters (size copies) unless the same conversion is already there."""
    out = data_dir(size)
    script = os.path.join(BENCH, "convert_reuters.py")
    with open(script, "rb") as f:
        stamp = "%s copies=%d" % (hashlib.sha1(f.read()).hexdigest(), size)
    stamp_file = os.path.join(out, ".stamp")
    if os.path.exists(stamp_file) and open(stamp_file).read() == stamp:
        return
    log("converting Reuters x%d" % size)
    remove(out)
    subprocess.run([sys.executable, script, "--out", out, "--copies", str(size)], check=True)
    with open(stamp_file, "w") as f:
        f.write(stamp)


def convert_sotu():
    out = os.path.join(DATA, "sotu", "sotu.jsonl")
    if not os.path.exists(out):
        log("converting SOTU")
        subprocess.run([sys.executable, os.path.join(BENCH, "convert_sotu.py"), "--out", out],
                       check=True)


def build_qanat():
    """Builds qanat in build-bench/ (Release, no tests); retries while the tree is mid-edit."""
    if not os.path.exists(os.path.join(BUILD, "build.ninja")):
        subprocess.run(["cmake", "-S", ROOT, "-B", BUILD, "-G", "Ninja",
                        "-DCMAKE_BUILD_TYPE=Release", "-DQANAT_TESTS=OFF"],
                       check=True, stdout=subprocess.DEVNULL)
    for attempt in range(4):
        r = subprocess.run(["ninja", "-C", BUILD], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode == 0:
            return
        log("qanat build failed (attempt %d); retrying in 60 s" % (attempt + 1))
        time.sleep(60)
    sys.exit("run.py: qanat does not build:\n" + r.stdout.decode(errors="replace")[-3000:])


def build_plain():
    src = os.path.join(BENCH, "peers", "plain_xapian.cc")
    os.makedirs(os.path.dirname(PLAIN), exist_ok=True)
    if os.path.exists(PLAIN) and os.path.getmtime(PLAIN) > os.path.getmtime(src):
        return
    subprocess.run(["g++", "-O2", "-std=c++20", src, "-o", PLAIN, "-lxapian"], check=True)


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL).stdout.decode().strip()
    except OSError:
        return ""


def machine_facts():
    import sqlite3
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")
    mem_kb = int(sh("grep MemTotal /proc/meminfo | awk '{print $2}'") or 0)
    pkgs = ["libxapian30", "xapian-tools", "xapian-omega", "libicu72",
            "libboost-program-options1.74.0", "nlohmann-json3-dev", "recoll", "recollcmd",
            "libsqlite3-0", "g++"]
    versions = {p: sh("dpkg-query -W -f='${Version}' %s" % p) for p in pkgs}
    versions["sqlite (python module)"] = sqlite3.sqlite_version
    versions["python"] = platform.python_version()
    commit = sh("git -C %s rev-parse --short HEAD" % shlex.quote(ROOT))
    dirty = sh("git -C %s status --porcelain --untracked-files=no" % shlex.quote(ROOT))
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "os": sh(". /etc/os-release && echo $PRETTY_NAME") + ", kernel " + platform.release(),
        "qanat": commit + (" (with uncommitted changes)" if dirty else ""),
        "versions": versions,
        "load_at_start": os.getloadavg(),
    }


# --------------------------------------------------------------------------- the run

def rotate(xs, k):
    k %= max(1, len(xs))
    return xs[k:] + xs[:k]


def run(args):
    with open(QUERIES, encoding="utf-8") as f:
        queries = [q.strip() for q in f if q.strip()]
    latency_queries = [queries[i % len(queries)] for i in range(args.latency_queries)]
    os.makedirs(OUT, exist_ok=True)
    qout = os.path.join(DATA, "query-out")
    os.makedirs(qout, exist_ok=True)

    results = {"facts": machine_facts(), "args": vars(args), "queries": len(queries),
               "latency_queries": len(latency_queries), "sizes": {}, "commands": {}}
    log("machine:", results["facts"]["cpu"], results["facts"]["nproc"], "cores")

    for size in args.sizes:
        convert(size)
    convert_sotu()
    if not args.no_build:
        build_qanat()
    build_plain()

    for size in args.sizes:
        # The commands table shows the first size's commands.
        commands = results["commands"] if size == args.sizes[0] else {}
        names = args.systems if size == 1 else [s for s in args.systems if s in args.scale_systems]
        systems = [SYSTEM_CLASSES[n](size) for n in names]
        stories = sum(1 for _ in open(os.path.join(data_dir(size), "reuters.jsonl"), "rb"))
        res = {"stories": stories, "index": {}, "batch": {}, "latency": {}, "failures": []}
        results["sizes"][str(size)] = res

        indexed = [s for s in systems if s.indexes]
        for rep in range(args.reps):
            for s in rotate(indexed, rep):
                s.prepare()
                log("x%d rep %d: index %s" % (size, rep + 1, s.name))
                r = measure(s.index_cmd(), ok=s.ok)
                r["bytes"] = disk_usage(s.size_path())
                r["documents"] = s.documents()
                res["index"].setdefault(s.name, []).append(r)
                commands.setdefault(s.name, {})["index"] = shlex.join(s.index_cmd())

        queried = [s for s in systems if s.queries]
        for rep in range(args.reps):
            for s in rotate(queried, rep):
                log("x%d rep %d: query batch %s" % (size, rep + 1, s.name))
                out = os.path.join(qout, "%s-x%d.out" % (s.name, size))
                try:
                    if s.per_process:
                        r, _ = measure_per_query(s.query_cmd, queries, stdout=out, ok=s.ok)
                    else:
                        stdin = None if isinstance(s, Qanat) else QUERIES
                        r = measure(s.batch_cmd(), stdin=stdin, stdout=out, ok=s.ok)
                    res["batch"].setdefault(s.name, []).append(r)
                except RunFailed as e:
                    log("  failed: %s" % e)
                    res["failures"].append({"system": s.name, "what": "batch", "error": str(e)})
                if s.per_process:
                    cmd = shlex.join(s.query_cmd("QUERY")) + "   (once per query)"
                else:
                    cmd = shlex.join(s.batch_cmd()) + ("" if stdin is None else " < " + QUERIES)
                commands.setdefault(s.name, {})["batch"] = cmd

        for rep in range(args.reps):
            for s in rotate(queried, rep):
                log("x%d rep %d: latency %s (%d queries)" % (size, rep + 1, s.name,
                                                              len(latency_queries)))
                if s.per_process:
                    try:
                        _, lat = measure_per_query(s.query_cmd, latency_queries, ok=s.ok)
                    except RunFailed as e:
                        log("  failed: %s" % e)
                        res["failures"].append({"system": s.name, "what": "latency",
                                                "error": str(e)})
                        continue
                    method = "one process per query (wall time of the process)"
                else:
                    err_path = os.path.join(qout, "%s-x%d.latency.err" % (s.name, size))
                    lat, failed = pipe_latency(s.pipe_cmd(), latency_queries, s.ends_with_blank,
                                               err_path)
                    for f in failed:
                        res["failures"].append(dict(f, system=s.name, what="latency",
                                                    rep=rep + 1))
                    method = "one process; query written to a pipe, timed until its answer is read"
                    commands.setdefault(s.name, {})["latency"] = shlex.join(s.pipe_cmd())
                    if not lat:
                        continue
                res["latency"].setdefault(s.name, []).append({
                    "p50": percentile(lat, 50), "p90": percentile(lat, 90),
                    "p99": percentile(lat, 99), "mean": statistics.fmean(lat),
                    "max": max(lat), "method": method})

        with open(os.path.join(OUT, "results.json"), "w") as f:
            json.dump(results, f, indent=1)

    results["facts"]["load_at_end"] = os.getloadavg()
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    report = render(results)
    with open(os.path.join(OUT, "report.md"), "w") as f:
        f.write(report)
    plot(results)
    print(report)


# --------------------------------------------------------------------------- report

def answered(name, path):
    """(queries with at least one hit, queries) in a saved batch output, or None."""
    import re
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if name.startswith("qanat"):
        totals = [json.loads(line).get("total", {}).get("passages", 0)
                  for line in text.splitlines() if line.strip()]
        return sum(1 for t in totals if t > 0), len(totals)
    if name == "omega":
        blocks = text.split("Parsed Query:")[1:]
        return sum(1 for b in blocks if re.search(r"^\d+: \[", b, re.M)), len(blocks)
    if name == "recoll":
        blocks = text.split("Recoll query:")[1:]
        return sum(1 for b in blocks if re.search(r"^text/", b, re.M)), len(blocks)
    blocks = text.split("#\t")[1:]  # plain-xapian, fts5: a header line, hit lines, an empty line
    return sum(1 for b in blocks if len(b.strip().splitlines()) > 1), len(blocks)


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def mib(kb):
    return "%.0f" % (kb / 1024) if kb else "-"


def med_rss(runs):
    xs = [r["rss_kb"] for r in runs if r.get("rss_kb")]
    return statistics.median(xs) if xs else None


def ratio(q, p):
    return "%.2f" % (q / p) if q and p else "-"


def render(results):
    """Markdown tables from results.json."""
    f = results["facts"]
    L = []
    L.append("Date: %s. Machine: %s, %d cores, %.1f GiB RAM; %s. qanat %s." % (
        f["date"], f["cpu"], f["nproc"], f["ram_gib"], f["os"], f["qanat"]))
    L.append("Load average (1 min) at start %.2f%s." % (
        f["load_at_start"][0],
        ", at end %.2f" % f["load_at_end"][0] if "load_at_end" in f else ""))
    L.append("Versions: " + ", ".join("%s %s" % kv for kv in f["versions"].items()) + ".")
    a = results["args"]
    L.append("Command: `%s` (%d repetition%s; medians; %d queries in the batch, %d for "
             "latency)." % (("python3 bench/run.py " + a["cmdline"]).strip(), a["reps"],
                            "s" if a["reps"] > 1 else "", results["queries"],
                            results["latency_queries"]))
    L.append("")
    one = results["sizes"].get("1")
    if one:
        L.append("### Indexing, Reuters 1x (%d stories)" % one["stories"])
        L.append("")
        L.append("| system | wall s | CPU s | peak RSS MiB | index MiB | documents | "
                 "qanat / system (wall) | load |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        qw = med(one["index"]["qanat"], "wall") if "qanat" in one["index"] else None
        for name, runs in one["index"].items():
            w = med(runs, "wall")
            L.append("| %s | %.2f | %.2f | %s | %.1f | %s | %s | %.1f |" % (
                name, w, med(runs, "cpu"), mib(med_rss(runs)), med(runs, "bytes") / 2**20,
                runs[-1].get("documents") or "-", ratio(qw, w), max(r["load"] for r in runs)))
        L.append("")
        L.append("### Query batch, Reuters 1x (%d queries, top 10)" % results["queries"])
        L.append("")
        L.append("| system | how | wall s | CPU s | peak RSS MiB | queries with hits | "
                 "qanat / system (wall) |")
        L.append("|---|---|---:|---:|---:|---:|---:|")
        qb = med(one["batch"]["qanat"], "wall") if "qanat" in one["batch"] else None
        for name, runs in one["batch"].items():
            how = "one process per query" if SYSTEM_CLASSES[name].per_process else "one process"
            w = med(runs, "wall")
            a = answered(name, os.path.join(DATA, "query-out", "%s-x1.out" % name))
            L.append("| %s | %s | %.3f | %.3f | %s | %s | %s |" % (
                name, how, w, med(runs, "cpu"), mib(med_rss(runs)),
                "%d / %d" % a if a else "-", ratio(qb, w)))
        L.append("")
        L.append("### Per-query latency, Reuters 1x (%d queries)" % results["latency_queries"])
        L.append("")
        L.append("| system | method | p50 ms | p90 ms | p99 ms | mean ms | qanat / system (p50) |")
        L.append("|---|---|---:|---:|---:|---:|---:|")
        lat = one["latency"]
        qp = med(lat["qanat"], "p50") if "qanat" in lat else None
        for name, runs in lat.items():
            p50 = med(runs, "p50")
            L.append("| %s | %s | %.2f | %.2f | %.2f | %.2f | %s |" % (
                name, runs[0]["method"], p50 * 1e3, med(runs, "p90") * 1e3,
                med(runs, "p99") * 1e3, med(runs, "mean") * 1e3, ratio(qp, p50)))
        L.append("")
    if len(results["sizes"]) > 1:
        L.append("### Scale (Reuters copies)")
        L.append("")
        L.append("| size | stories | system | index wall s | index CPU s | peak RSS MiB | "
                 "index MiB | batch s | p50 ms | p99 ms |")
        L.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for size, res in results["sizes"].items():
            for name in results["args"]["scale_systems"]:
                ix, b, lt = res["index"].get(name), res["batch"].get(name), res["latency"].get(name)
                if not ix and not lt:
                    continue
                L.append("| %sx | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    size, res["stories"], name,
                    "%.2f" % med(ix, "wall") if ix else "-",
                    "%.2f" % med(ix, "cpu") if ix else "-",
                    mib(med_rss(ix)) if ix else "-",
                    "%.1f" % (med(ix, "bytes") / 2**20) if ix else "-",
                    "%.3f" % med(b, "wall") if b else "-",
                    "%.2f" % (med(lt, "p50") * 1e3) if lt else "-",
                    "%.2f" % (med(lt, "p99") * 1e3) if lt else "-"))
        L.append("")
    failures = [(size, f) for size, res in results["sizes"].items() for f in res.get("failures", [])]
    if failures:
        L.append("### Failures")
        L.append("")
        L.append("Runs or queries that did not complete; they are left out of the figures above.")
        L.append("")
        for size, f in failures:
            if "query_number" in f:
                L.append("- %sx, %s, latency repetition %s: the process ended (status %s) on "
                         "query %d (`%s`); a new one went on. stderr: `%s`" % (
                             size, f["system"], f.get("rep", "?"), f["returncode"],
                             f["query_number"], f["query"], f["stderr"][-300:] or "(empty)"))
            else:
                L.append("- %sx, %s, %s: %s" % (size, f["system"], f["what"], f["error"][-400:]))
        L.append("")
    L.append("### Commands")
    L.append("")
    L.append("| system | indexing | queries | latency |")
    L.append("|---|---|---|---|")
    def rel(c):
        return c.replace(sys.executable, "python3").replace(ROOT + "/", "").replace(ROOT, ".")

    for name, c in results["commands"].items():
        L.append("| %s | %s | %s | %s |" % (
            name, "`%s`" % rel(c["index"]) if "index" in c else "(qanat's index)",
            "`%s`" % rel(c["batch"]) if "batch" in c else "-",
            "`%s`" % rel(c["latency"]) if "latency" in c else
            ("one process per query, as in the batch" if "batch" in c else "-")))
    L.append("")
    return "\n".join(L)


def plot(results):
    """bench/out/scale.svg from results.json, when it has more than one size."""
    if len(results["sizes"]) < 2:
        return
    subprocess.run([sys.executable, os.path.join(BENCH, "plot_scale.py"), os.path.join(OUT, "results.json"),
                    os.path.join(OUT, "scale.svg")], check=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1x only, 1 repetition")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of each measurement")
    ap.add_argument("--sizes", default="1,2,5,10", help="Reuters copies, comma-separated")
    ap.add_argument("--systems", default=",".join(ALL_SYSTEMS),
                    help="systems measured at 1x (%s)" % ",".join(ALL_SYSTEMS))
    ap.add_argument("--scale-systems", default=",".join(SCALE_SYSTEMS),
                    help="systems measured at the larger sizes")
    ap.add_argument("--latency-queries", type=int, default=1000,
                    help="queries for the latency figures (the query file cycled)")
    ap.add_argument("--no-build", action="store_true", help="use build-bench/ as it is")
    ap.add_argument("--report", action="store_true",
                    help="only write report.md and scale.svg again from bench/out/results.json")
    args = ap.parse_args()
    if args.report:
        with open(os.path.join(OUT, "results.json")) as f:
            results = json.load(f)
        report = render(results)
        with open(os.path.join(OUT, "report.md"), "w") as f:
            f.write(report)
        plot(results)
        print(report)
        return
    args.cmdline = " ".join(shlex.quote(a) for a in sys.argv[1:])
    if args.quick:
        args.reps, args.sizes = 1, "1"
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.systems = [s for s in args.systems.split(",") if s]
    args.scale_systems = [s for s in args.scale_systems.split(",") if s]
    for s in args.systems + args.scale_systems:
        if s not in SYSTEM_CLASSES:
            ap.error("unknown system %s" % s)
    for chosen in (args.systems, args.scale_systems):
        if "qanat-no-facets" in chosen and "qanat" not in chosen:
            ap.error("qanat-no-facets searches qanat's index: select qanat too")
    run(args)


if __name__ == "__main__":
    main()
