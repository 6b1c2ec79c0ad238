#!/usr/bin/env python3
"""The review app's queue API under load, beside a static file from the same server.

Builds an installation of POSTS posts (default 1,000,000; a third of them
flagged, some with a phone, across 47 channels) with the real binary, starts
`vigil serve` on a free loopback port, signs in as an analyst and drives it
with wrk (Debian's package) from CONNECTIONS concurrent clients (default 16):

  static     GET /app.css                      (the baseline: same server, no store)
  queue      GET /api/queue                    (flagged, undecided, by score)
  queue+page GET /api/queue?after=CURSOR       (page 2 by keyset cursor)
  channel    GET /api/queue?channel=channel-7
  category   GET /api/queue?category=sale_offer
  media      GET /api/queue?media_match=1
  post       GET /api/posts/REF                (one post with its media and decisions)
  network    GET /api/network?limit=2000       (the seller network of 2,000 flagged posts)

For each it prints requests/s and the p50/p99 latency wrk measured, then the
server's resident memory (VmRSS and its peak VmHWM) at that size.

Usage: bench/serve_bench.py path/to/vigil [POSTS] [CONNECTIONS] [SECONDS]
Needs wrk and a built front end (scripts/build-web).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

TEXTS = [
    ("For sale: girl, {age} years old. Price {price} dollars. Contact +964 750 {p3} {p4}", True),
    ("Meeting moved to Thursday, bring the documents #{i}", False),
    ("للبيع سبية عمرها {age} سنة السعر {price} دولار", True),
    ("Sheep for sale, two years old, {price} dollars #{i}", False),
    ("The market opens at nine #{i}", False),
    ("Lost keys near the square #{i}", False),
]


def make_export(path, n):
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            text, _ = TEXTS[i % len(TEXTS)]
            rec = {"id": str(i), "channel": "channel-%d" % (i % 47), "author": "author-%d" % (i % 400),
                   "time": 1409554800 + i * 30,
                   "text": text.format(age=13 + i % 10, price=1000 + (i * 7) % 2000,
                                       p3="%03d" % (i % 1000), p4="%04d" % (i % 10000), i=i)}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode not in (0, 3):
        sys.exit("failed (%d): %s\n%s" % (r.returncode, " ".join(cmd), r.stderr))
    return r.stdout


def wrk(url, cookie, connections, seconds):
    out = run(["wrk", "-t", "2", "-c", str(connections), "-d", "%ds" % seconds, "--latency",
               "-H", "Cookie: vigil_session=" + cookie, url])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(p):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % p, out, re.M)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, ms(50), ms(99), int(non2xx.group(1)) if non2xx else 0


def main():
    vigil = os.path.abspath(sys.argv[1])
    posts = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    connections = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    seconds = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    if not shutil.which("wrk"):
        sys.exit("serve_bench: wrk is not installed (apt-get install wrk)")
    env = dict(os.environ, VIGIL_PASSPHRASE="bench passphrase, not for real use", NO_COLOR="1")
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "vigil.db")
        export = os.path.join(d, "posts.jsonl")
        make_export(export, posts)
        t0 = time.monotonic()
        run([vigil, "scan", export, "--db", db, "-q"], env=env)
        scan_s = time.monotonic() - t0
        run([vigil, "keys", "init", "--db", db], env=env)
        run([vigil, "user", "add", "bench", "--role", "analyst", "--password-stdin", "--db", db],
            env=env, input="bench password, not secret\n")
        server = subprocess.Popen([vigil, "serve", "--listen", "127.0.0.1:0", "--db", db],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        try:
            url = server.stdout.readline().strip()
            req = urllib.request.Request(url + "/api/login", method="POST",
                                         data=b'{"user":"bench","password":"bench password, not secret"}',
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req) as r:
                cookie = re.search(r"vigil_session=([^;]+)", r.headers["Set-Cookie"]).group(1)

            def get(path):
                q = urllib.request.Request(url + path, headers={"Cookie": "vigil_session=" + cookie})
                with urllib.request.urlopen(q) as r:
                    return json.loads(r.read())
            first = get("/api/queue")
            cases = [("static /app.css", "/app.css"), ("queue", "/api/queue"),
                     ("queue page 2", "/api/queue?after=" + urllib.request.quote(first["next"])),
                     ("queue channel", "/api/queue?channel=channel-7"),
                     ("queue category", "/api/queue?category=sale_offer"),
                     ("queue media_match", "/api/queue?media_match=1"),
                     ("post", "/api/posts/" + first["items"][0]["ref"]),
                     ("network 2k posts", "/api/network?limit=2000")]
            print("serve_bench: %d posts (scanned in %.0f s), %d connections, %d s each, wrk -t2"
                  % (posts, scan_s, connections, seconds))
            print("%-20s %12s %10s %10s %8s" % ("route", "requests/s", "p50 ms", "p99 ms", "non-2xx"))
            for name, path in cases:
                rps, p50, p99, bad = wrk(url + path, cookie, connections, seconds)
                print("%-20s %12.0f %10.2f %10.2f %8d" % (name, rps, p50, p99, bad))
            with open("/proc/%d/status" % server.pid) as f:
                status = f.read()
            rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
            hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
            print("server memory: %.0f MiB resident, %.0f MiB peak; database %.0f MiB"
                  % (rss, hwm, os.path.getsize(db) / 2**20))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
