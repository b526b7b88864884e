#!/usr/bin/env python3
"""Runs a command and samples its resident size (VmRSS in /proc/PID/status).

    python3 bench/rss_trace.py [--every SECONDS] [--tail SECONDS] COMMAND [ARGS...]

Prints about twenty samples spread over the run, every sample of the last
--tail seconds if asked, then the peak, when it came, the wall time and the
command's exit status (which is also this script's). Used for the indexer's
memory figures in bench/RESULTS.md, where the whole curve matters, not only
the peak that /usr/bin/time -f %M gives.
"""
import argparse
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--every", type=float, default=0.1, help="seconds between samples (default 0.1)")
    ap.add_argument("--tail", type=float, default=0.0, help="also print every sample of the last SECONDS")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    if not args.command:
        ap.error("no command given")
    p = subprocess.Popen(args.command)
    t0 = time.time()
    samples = []
    while p.poll() is None:
        try:
            with open("/proc/%d/status" % p.pid) as f:
                for line in f:
                    if line.startswith("VmRSS"):
                        samples.append((time.time() - t0, int(line.split()[1]) // 1024))
        except OSError:
            pass
        time.sleep(args.every)
    wall = time.time() - t0
    if samples:
        for i in range(0, len(samples), max(1, len(samples) // 20)):
            print("%7.1f s %6d MiB" % samples[i])
        if args.tail:
            end = samples[-1][0]
            print("-- last %g s" % args.tail)
            for s in samples:
                if s[0] >= end - args.tail:
                    print("%7.1f s %6d MiB" % s)
        peak = max(samples, key=lambda s: s[1])
        print("peak %d MiB at %.1f s, wall %.1f s, rc %d" % (peak[1], peak[0], wall, p.returncode))
    else:
        print("no samples, wall %.1f s, rc %d" % (wall, p.returncode))
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())
