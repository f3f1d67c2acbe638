"""Benchmark the scale-out path (run by hand, not in CI): one crawl shared by worker processes.

    .venv/bin/python bench/scale.py                  # 5,000 links; 1 worker, then 2 workers
    .venv/bin/python bench/scale.py --links 20000 --workers 1,2 --batch-size 200

Every run uses the PostgreSQL store (``TRILHA_TEST_PG_URL``, a fresh database per run)
and, for more than one worker, Redis (``TRILHA_TEST_REDIS_URL``): worker 1 starts the
crawl, the others join it with ``trilha crawl --resume`` and every resource is claimed in
Redis by exactly one worker (``crawler.addons.DistributedAddon``, claim mode).  This is
the setup of docs/scaling.md; ``bench/crawl.py`` measures the single-machine crawler.
Each ``trilha crawl`` runs in one process (``TRILHA_WORKERS=1``): "workers" here are the
processes sharing the crawl through Redis, not ``--workers``.

The server is nginx-light from Debian (a throwaway config in a temp dir, one fixed small
page for every path, ``access_log off``), listening on 10 loopback addresses
127.0.0.2 … 127.0.0.11, which are 10 distinct hosts to Scrapy.  Politeness is lifted for
those 10 hosts only (a ``trilha.toml`` ``[hosts."127.0.0.K"]`` table: no delay, the
per-host concurrency of the run), plus ``--allow-private`` for loopback.

Printed per run: wall seconds from the first worker's start to the last worker's exit,
links/s, peak RSS and CPU seconds of each worker (``os.wait4`` rusage), a check that
the crawl holds exactly one check per link, and its status (``finished``: the last worker
closed it).  Compare the CPU seconds with the wall time:
on a machine shared with other jobs a second worker gets no second core.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from loopweb import HOSTS as HOST_COUNT
from loopweb import address, serve

ROOT = Path(__file__).resolve().parent.parent
HOSTS = [address(n) for n in range(HOST_COUNT)]
def write_inputs(tmp: Path, links: int, port: int, concurrency: int) -> Path:
    lines = ["# Scale bench", ""]
    for i in range(links):
        if i % 100 == 0:
            lines += ["", f"## Section {i // 100}", ""]
        lines.append(f"- [Page {i}](http://{HOSTS[i % len(HOSTS)]}:{port}/page/{i})")
    listing = tmp / "bench.md"
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = ["allow_private = true", "delay = 0.0", "autothrottle = false", "retries = 0",
              f"concurrency = {concurrency}", f"per_host_concurrency = {concurrency}", "wayback = false", ""]
    for host in HOSTS:
        config += [f'[hosts."{host}"]', f"concurrency = {concurrency}", "delay = 0.0", ""]
    (tmp / "trilha.toml").write_text("\n".join(config), encoding="utf-8")
    return listing


def pg_database(admin_url: str) -> tuple[str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"trilha_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        try:
            return list(conn.execute(sql).fetchall())
        except psycopg.errors.UndefinedTable:
            return []


def run(listing: Path, workers: int, db_url: str, redis_url: str, tmp: Path, batch_size: int | None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRILHA_")}
    env.update(TRILHA_DB=db_url, PYTHONDONTWRITEBYTECODE="1", TRILHA_WORKERS="1")
    if batch_size:
        env["TRILHA_BATCH_SIZE"] = str(batch_size)
    if workers > 1:
        env["TRILHA_REDIS_URL"] = redis_url
    cmd = [sys.executable, "-m", "trilha", "-q", "crawl", str(listing), "--format", "json"]
    started = time.monotonic()
    procs = [subprocess.Popen(cmd, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)]
    while workers > 1 and not query(db_url, "SELECT id FROM crawl WHERE status = 'running'"):
        if procs[0].poll() is not None:
            raise SystemExit(f"worker 1 ended before its crawl started: {procs[0].stderr.read().decode()[-2000:]}")
        time.sleep(0.05)
    procs += [subprocess.Popen([*cmd, "--resume"], cwd=tmp, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE) for _ in range(workers - 1)]
    peaks, cpus = [], []
    for proc in procs:
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode != 0:
            raise SystemExit(f"a worker failed ({proc.returncode}): {err[-2000:]}")
        peaks.append(usage.ru_maxrss / 1024)
        cpus.append(usage.ru_utime + usage.ru_stime)
    wall = time.monotonic() - started
    crawls = query(db_url, "SELECT id, status FROM crawl")
    checks = query(db_url, 'SELECT count(*), count(DISTINCT resource_id) FROM "check"')[0]
    links = sum(1 for line in listing.read_text().splitlines() if line.startswith("- ["))
    exact = "yes" if len(crawls) == 1 and checks[0] == checks[1] == links else f"NO ({crawls}, {checks})"
    exact += f", crawl {crawls[0][1] if len(crawls) == 1 else '?'}"
    print(f"{workers} worker(s): {links} links in {wall:.1f} s = {links / wall:.0f} links/s; "
          f"peak RSS per worker {', '.join(f'{p:.0f}' for p in peaks)} MB; "
          f"CPU s per worker {', '.join(f'{c:.1f}' for c in cpus)}; one check per link: {exact}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=5000)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts to run")
    parser.add_argument("--concurrency", type=int, default=16, help="per worker (the add-on caps it at 16)")
    parser.add_argument("--batch-size", type=int, default=None, help="checks per store transaction (TRILHA_BATCH_SIZE)")
    args = parser.parse_args()
    pg_admin = os.environ.get("TRILHA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("TRILHA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    with tempfile.TemporaryDirectory(prefix="trilha-scale-") as tmpdir, serve(Path(tmpdir), workers=1) as port:
        tmp = Path(tmpdir)
        listing = write_inputs(tmp, args.links, port, args.concurrency)
        for workers in (int(w) for w in args.workers.split(",")):
            name, db_url = pg_database(pg_admin)
            try:
                run(listing, workers, db_url, redis_url, tmp, args.batch_size)
            finally:
                drop_database(pg_admin, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
