#!/usr/bin/env python3
"""The scan spread over workers, end to end, beside a single-process scan.

    scripts/with-services bench/fleet_bench.py build/apps/vigil/vigil [--posts N]

Needs VIGIL_TEST_PG_URL and VIGIL_TEST_REDIS_URL (scripts/with-services
starts both, throwaway, on loopback). Makes one synthetic JSONL export of
N posts (default 20,000; a third carry one of 300 photos, some of them
reposts), then times, in the same run:

  sqlite        vigil scan EXPORT --db FILE               (the baseline)
  postgresql    vigil scan EXPORT --db postgresql://...   (one process, the server store)
  enqueue       vigil scan EXPORT --queue ...             (producer alone: read, copy media, XADD)
  drain/1       one vigil worker --drain on the filled queue   (analysis + PostgreSQL writes)
  fleet/1       producer and 1 worker at once, start to drained (matching pass included)
  fleet/2       producer and 2 workers at once
  fleet/2 no-match  as fleet/2 with --no-match (the final matching pass left out)

and prints posts/s for each, fleet/2 over fleet/1 (the scaling) and fleet
over sqlite. Each fleet run ends with the rows a single scan leaves
(scripts/db-rows line counts are compared; queue-test compares the rows).
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "demo"))
from make_demo_data import pattern, write_jpeg, write_png  # noqa: E402


def make_export(out, posts):
    os.makedirs(os.path.join(out, "media"), exist_ok=True)
    rnd = random.Random(7)
    photos = []
    for i in range(200):
        name = "media/p%03d.png" % i
        write_png(os.path.join(out, name), 64, 64, 5000 + i)
        photos.append(name)
    for i in range(50):  # originals and re-encoded reposts
        rows = pattern(96, 96, 9000 + i)
        brighter = [bytes(min(255, v + 10) for v in row) for row in rows]
        for tag, r, q in (("o", rows, 90), ("b", brighter, 75)):
            name = "media/%s%02d.jpg" % (tag, i)
            write_jpeg(os.path.join(out, name), 96, 96, None, r, quality=q)
            photos.append(name)
    texts = [
        "For sale: girl, {a} years old. Price {p} dollars. Contact @synth_seller_{s}",
        "للبيع سبية عمرها {a} سنة السعر {p} دولار للتواصل +964 750 {n}",
        "Toyota for sale, {a} years old, price {p} dollars, call 0770 {n}",
        "Families ask for news of the missing; call +964 751 {n}",
        "Market news for channel {s}: prices of flour and fuel rose again",
    ]
    path = os.path.join(out, "channel.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for i in range(posts):
            t = rnd.choice(texts).format(
                a=rnd.randint(12, 30), p=rnd.randint(5, 40) * 100, s=rnd.randint(1, 40),
                n="%03d %04d" % (rnd.randint(100, 999), rnd.randint(0, 9999)))
            post = {"channel": {"id": "bench-%d" % (i % 11), "title": "Bench %d" % (i % 11),
                                "type": "public_channel"},
                    "id": i, "time": 1400000000 + 60 * i,
                    "author": {"name": "Seller %d" % (i % 97), "id": i % 97}, "text": t}
            if rnd.random() < 0.33:
                post["media"] = [rnd.choice(photos)]
            f.write(json.dumps(post, ensure_ascii=False) + "\n")
    return path


def new_pg_db(server_url, name):
    subprocess.run(["psql", "-X", "-q", server_url, "-c", f"DROP DATABASE IF EXISTS {name}"],
                   check=True)
    subprocess.run(["psql", "-X", "-q", server_url, "-c", f"CREATE DATABASE {name}"], check=True)
    return server_url.rsplit("/", 1)[0] + "/" + name


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kw)
    if r.returncode not in (0, 3):
        sys.exit(f"fleet_bench: {' '.join(cmd[:3])} ... exited {r.returncode}: {r.stderr[-2000:]}")


def timed(label, fn, posts, results):
    t0 = time.monotonic()
    fn()
    s = time.monotonic() - t0
    results[label] = (s, posts / s)
    print(f"{label:<18} {s:8.2f} s  {posts / s:9.0f} posts/s", flush=True)


def fleet(vigil, export, queue, media_dir, db, workers, extra=(), producer=True):
    procs = []
    if producer:
        procs.append(subprocess.Popen(
            [vigil, "scan", export, "--queue", queue, "--media-dir", media_dir, "-q"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    for w in range(workers):
        procs.append(subprocess.Popen(
            [vigil, "worker", "--queue", queue, "--db", db, "--drain", "--name", f"w{w}", "-q",
             *extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    for p in procs:
        _, err = p.communicate()
        if p.returncode not in (0, 3):
            sys.exit(f"fleet_bench: {p.args[:3]} exited {p.returncode}: {err[-2000:]}")


def row_count(db):
    out = subprocess.run([os.path.join(ROOT, "scripts", "db-rows"), db], check=True,
                         capture_output=True, text=True).stdout
    return out.count("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vigil")
    ap.add_argument("--posts", type=int, default=20000)
    args = ap.parse_args()
    pg, redis = os.environ.get("VIGIL_TEST_PG_URL"), os.environ.get("VIGIL_TEST_REDIS_URL")
    if not pg or not redis:
        sys.exit("fleet_bench: run under scripts/with-services (needs PostgreSQL and Redis)")
    vigil = os.path.abspath(args.vigil)
    tmp = tempfile.mkdtemp(prefix="vigil-fleet-bench.")
    try:
        export = make_export(os.path.join(tmp, "export"), args.posts)
        n = args.posts
        print(f"fleet_bench: {n} posts, {os.cpu_count()} cores; PostgreSQL and Redis on loopback "
              "(fsync off), every run into an empty database", flush=True)
        results = {}
        timed("sqlite", lambda: run([vigil, "scan", export, "--db", f"{tmp}/single.db", "-q"]),
              n, results)
        single_pg = new_pg_db(pg, "bench_single")
        timed("postgresql", lambda: run([vigil, "scan", export, "--db", single_pg, "-q"]), n,
              results)
        stream = f"{redis.rstrip('/')}/bench-{os.getpid()}"
        one = new_pg_db(pg, "bench_drain1")
        timed("enqueue", lambda: run([vigil, "scan", export, "--queue", stream + "-d",
                                      "--max-queue", str(n + 10), "--media-dir",
                                      f"{tmp}/media", "-q"]), n, results)
        timed("drain/1", lambda: fleet(vigil, export, stream + "-d", f"{tmp}/media", one, 1,
                                       producer=False), n, results)
        dbs = {}
        for label, workers, extra in (("fleet/1", 1, ()), ("fleet/2", 2, ()),
                                      ("fleet/2 no-match", 2, ("--no-match",))):
            db = new_pg_db(pg, "bench_" + label.replace("/", "_").replace(" ", "_").replace(
                "-", "_"))
            dbs[label] = db
            q = f"{stream}-{label.replace('/', '').replace(' ', '')}"
            timed(label, lambda: fleet(vigil, export, q, f"{tmp}/media", db, workers, extra), n,
                  results)
        base = results["sqlite"][0]
        print(f"scaling fleet/2 over fleet/1: {results['fleet/1'][0] / results['fleet/2'][0]:.2f}x"
              f"  (a worker alone on a filled queue: {results['drain/1'][1]:.0f} posts/s)")
        print(f"fleet/1 over sqlite: {base / results['fleet/1'][0]:.2f}x; fleet/2 over sqlite: "
              f"{base / results['fleet/2'][0]:.2f}x; postgresql single over sqlite: "
              f"{base / results['postgresql'][0]:.2f}x")
        rows = row_count(f"{tmp}/single.db")
        for label in ("fleet/1", "fleet/2"):
            got = row_count(dbs[label])
            print(f"rows: sqlite {rows}, {label} {got}" + ("" if got == rows else "  MISMATCH"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
