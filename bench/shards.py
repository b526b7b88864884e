#!/usr/bin/env python3
"""Query latency and throughput over Xapian's remote backend: 1, 2 and 4
shards, each served by its own xapian-tcpsrv on 127.0.0.1, against the same
collection indexed as one local index.

  bench/shards.py [--copies 3] [--shards 1,2,4] [--queries bench/queries.txt] [--latency 1000]

The collection is Reuters-21578 repeated --copies times with distinct ids
(bench/convert_reuters.py); 3 copies give about 290,000 passages. For each
layout: the batch of queries in one qanat-search process (facets and snippets
on; throughput = queries / wall seconds), and per-query latency measured by
writing one query at a time to a batch process and timing until its answer
line is read (p50, p90, p99 over --latency queries, the query file cycled).
Prints a Markdown table and writes bench/out/shards.json.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port, proc, seconds=30):
    """True once proc (still running) accepts connections on port."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc.poll() is None
        except OSError:
            time.sleep(0.05)
    return False


def serve(path, tcpsrv="xapian-tcpsrv"):
    """Starts xapian-tcpsrv on path at a free port of 127.0.0.1 and returns
    (process, port) once it listens. Call again for the next shard only after
    this returns: a port chosen while a server is still starting could be its
    port. A server that exits (its port was taken meanwhile) is retried on
    another port."""
    for _ in range(5):
        port = free_port()
        p = subprocess.Popen([tcpsrv, "--quiet", "--interface", "127.0.0.1", "--port", str(port), path],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)  # it signals its whole process group on exit
        if listening(port, p):
            return p, port
        stop(p)
    raise RuntimeError("xapian-tcpsrv did not start on " + path)


def stop(p):
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    p.wait()


def batch_seconds(qs, dbs, queries):
    t = time.monotonic()
    r = subprocess.run([qs, *dbs, "--batch", queries, "--format", "jsonl"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode not in (0, 1):
        raise RuntimeError(r.stderr)
    return time.monotonic() - t


def latencies(qs, dbs, lines, n):
    p = subprocess.Popen([qs, *dbs, "--batch", "-", "--format", "jsonl"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True, bufsize=1)
    out = []
    for i in range(n):
        q = lines[i % len(lines)]
        t = time.monotonic()
        p.stdin.write(q + "\n")
        p.stdin.flush()
        p.stdout.readline()
        out.append((time.monotonic() - t) * 1000)
    p.stdin.close()
    p.wait()
    return out


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(HERE, "build"))
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--shards", default="1,2,4")
    ap.add_argument("--queries", default=os.path.join(HERE, "bench/queries.txt"))
    ap.add_argument("--latency", type=int, default=1000)
    ap.add_argument("--work", default=os.path.join(HERE, "bench/data/shards"))
    a = ap.parse_args()
    qi = os.path.join(a.build, "indexer/qanat-index")
    qs = os.path.join(a.build, "searcher/qanat-search")
    data = os.path.join(HERE, f"bench/data/reuters-x{a.copies}")
    jsonl = os.path.join(data, "reuters.jsonl")
    if not os.path.exists(jsonl):
        subprocess.run([sys.executable, os.path.join(HERE, "bench/convert_reuters.py"), "--out", data,
                        "--copies", str(a.copies), "--no-txt"], check=True)
    os.makedirs(a.work, exist_ok=True)
    one = os.path.join(a.work, f"one-x{a.copies}")
    if not os.path.exists(one):
        subprocess.run([qi, "--quiet", "--db", one, jsonl], check=True)
    total = json.loads(subprocess.run([qs, "--db", one, "--format", "json", "--limit", "0", "--all-blocks",
                                       "NOT", "zzzzqqq"], capture_output=True, text=True).stdout)["total"]
    lines = [l.strip() for l in open(a.queries) if l.strip()]
    rows = []
    local = {"layout": "1 index, local", "dbs": ["--db", one]}
    layouts = [local]
    servers = []
    try:
        for n in [int(x) for x in a.shards.split(",")]:
            path = os.path.join(a.work, f"shards{n}-x{a.copies}")
            if n == 1:
                parts = [one]
            else:
                if not os.path.exists(path):
                    subprocess.run([qi, "--quiet", "--db", path, "--shards", str(n), jsonl], check=True)
                parts = [os.path.join(path, f"shard-{i}") for i in range(n)]
            dbs = []
            for part in parts:
                p, port = serve(part)
                servers.append(p)
                dbs += ["--db", f"tcp://127.0.0.1:{port}"]
            layouts.append({"layout": f"{n} shard{'s' if n > 1 else ''}, xapian-tcpsrv", "dbs": dbs})
        for l in layouts:
            secs = statistics.median(batch_seconds(qs, l["dbs"], a.queries) for _ in range(3))
            lat = latencies(qs, l["dbs"], lines, a.latency)
            rows.append({"layout": l["layout"], "batch_s": round(secs, 3), "qps": round(len(lines) / secs, 1),
                         "p50_ms": round(pct(lat, 0.5), 2), "p90_ms": round(pct(lat, 0.9), 2),
                         "p99_ms": round(pct(lat, 0.99), 2)})
            print(rows[-1], flush=True)
    finally:
        for p in servers:
            stop(p)
    result = {"copies": a.copies, "passages": total["passages"], "articles": total["articles"],
              "queries": len(lines), "latency_queries": a.latency, "rows": rows,
              "command": "bench/shards.py " + " ".join(sys.argv[1:])}
    os.makedirs(os.path.join(HERE, "bench/out"), exist_ok=True)
    with open(os.path.join(HERE, "bench/out/shards.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(f"\n{total['passages']} passages, {total['articles']} articles; {len(lines)} queries in the batch "
          f"(facets and snippets on); latency over {a.latency} queries\n")
    print("| layout | batch s | queries/s | p50 ms | p90 ms | p99 ms |\n|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['layout']} | {r['batch_s']} | {r['qps']} | {r['p50_ms']} | {r['p90_ms']} | {r['p99_ms']} |")


if __name__ == "__main__":
    main()
