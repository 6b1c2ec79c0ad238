#!/usr/bin/env python3
"""Peak memory of `vigil scan` as a Telegram export grows (should stay flat).

Generates text-only Telegram exports of 50k, 200k and 800k posts, scans each
into a fresh database with the real binary and prints the child's peak RSS
beside the export size. The 50k run is the baseline of the same run.

Usage: bench/scan_memory.py path/to/vigil
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

TEXTS = [
    "Meeting moved to Thursday, bring the documents.",
    "For sale: girl, 15 years old. Price 2000 dollars. Contact @demo_x",
    "للبيع خراف عمرها سنتين السعر ٣٠٠ دولار",
    "Missing: my sister, 17 years old. Please call +964 750 555 0199",
]


def make_export(path, n):
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"name":"Memory Channel","type":"public_channel","id":5,"messages":[\n')
        for i in range(1, n + 1):
            m = {"id": i, "type": "message", "date": "2014-09-01T10:00:00",
                 "date_unixtime": str(1409554800 + i), "from": "Author %d" % (i % 40),
                 "from_id": "user%d" % (i % 40), "text": "%s #%d" % (TEXTS[i % 4], i)}
            f.write(("," if i > 1 else "") + json.dumps(m, ensure_ascii=False) + "\n")
        f.write("]}\n")


def peak_rss_kib(cmd):
    """Runs cmd in a fresh process; returns (seconds, its peak RSS in KiB)."""
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execv(cmd[0], cmd)
    start = time.monotonic()
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("scan failed: %s" % " ".join(cmd))
    return time.monotonic() - start, usage.ru_maxrss


def main():
    vigil = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as d:
        rows = []
        for n in (50_000, 200_000, 800_000):
            export = os.path.join(d, "result_%d.json" % n)
            make_export(export, n)
            secs, rss = peak_rss_kib([vigil, "scan", export, "--db", os.path.join(d, "m%d.db" % n), "-q"])
            rows.append((n, os.path.getsize(export) / 2**20, rss / 1024, n / secs))
            os.remove(export)
        base = rows[0][2]
        print("%10s %12s %14s %10s %12s" % ("posts", "export MiB", "peak RSS MiB", "vs 50k", "posts/s"))
        for n, mib, rss, rate in rows:
            print("%10d %12.1f %14.1f %9.2fx %12.0f" % (n, mib, rss, rss / base, rate))


if __name__ == "__main__":
    main()
