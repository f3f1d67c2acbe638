"""Two ``trilha crawl`` workers share one crawl: PostgreSQL store + Redis claims (crawler.addons).

Worker A starts the crawl; worker B joins it with ``--resume`` once it is running.  Both
have ``TRILHA_REDIS_URL`` set, so the crawler wires :class:`crawler.addons.DistributedAddon`
and every resource is claimed in Redis by exactly one of them.  The fixture web on
127.0.0.1 answers slowly (``/_/slow``) so that B joins while A is busy, and records each
request with its User-Agent, which names the worker.

Asserted: one crawl; exactly one check per resource in it; every resource fetched by one
worker only; both workers did part of the work.  Skipped loudly without PostgreSQL or
Redis; a failure when ``CI`` is set.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import ROOT, cli_env
from tests.services import postgres_database, require_redis

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

N = 24


def _rows(pg_url: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://", 1), connect_timeout=5) as conn:
        try:
            return list(conn.execute(sql).fetchall())
        except psycopg.errors.UndefinedTable:
            return []


def test_two_crawl_workers_share_one_crawl_through_redis(fixture_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    redis_url = require_redis()
    token = uuid.uuid4().hex[:8]
    urls = [f"https://slow.example/_/slow?s=1&k={token}-{i}" for i in range(N)]
    args = ["crawl", "--allow-private", "--remap", fixture_server.remap, "--concurrency", "2", "--format", "json"]
    for url in urls:
        args += ["--url", url]
    with postgres_database() as pg_url:
        def start(name: str, *extra: str) -> subprocess.Popen[str]:
            env = cli_env(TRILHA_DB=pg_url, TRILHA_REDIS_URL=redis_url,
                          TRILHA_USER_AGENT=f"trilha-test/{name} (+https://example.invalid/trilha)")
            return subprocess.Popen([sys.executable, "-m", "trilha", *args, *extra], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        workers = [start("A")]
        try:
            deadline = time.monotonic() + 120
            while not _rows(pg_url, "SELECT id FROM crawl WHERE status = 'running'"):
                assert workers[0].poll() is None, workers[0].communicate()
                assert time.monotonic() < deadline, "worker A never started its crawl"
                time.sleep(0.1)
            workers.append(start("B", "--resume"))
            outputs = [w.communicate(timeout=300) for w in workers]
        finally:
            for w in workers:
                if w.poll() is None:
                    w.kill()
                    w.wait()
        for w, (out, err) in zip(workers, outputs):
            assert w.returncode == 0, err
            assert "Traceback" not in err, err

        crawls = _rows(pg_url, "SELECT id, status FROM crawl")
        assert len(crawls) == 1 and crawls[0][1] == "finished", crawls
        checks = _rows(pg_url, 'SELECT r.canonical, c.verdict FROM "check" c JOIN resource r ON r.id = c.resource_id '
                               f"WHERE c.crawl_id = {crawls[0][0]}")
        per_resource: dict[str, list[str]] = defaultdict(list)
        for canonical, verdict in checks:
            per_resource[canonical].append(verdict)
        assert len(per_resource) == N, sorted(per_resource)
        assert all(len(v) == 1 for v in per_resource.values()), {k: v for k, v in per_resource.items() if len(v) > 1}
        assert {v[0] for v in per_resource.values()} == {"ok"}

    fetched_by: dict[str, set[str]] = defaultdict(set)
    for entry in fixture_server.requests:
        if token in entry.path:
            ua = entry.headers.get("user-agent", entry.headers.get("User-Agent", ""))
            fetched_by[entry.path].add(ua.split(" ")[0])
    assert len(fetched_by) == N
    assert all(len(workers_) == 1 for workers_ in fetched_by.values()), fetched_by
    share = defaultdict(int)
    for (worker,) in fetched_by.values():
        share[worker] += 1
    assert set(share) == {"trilha-test/A", "trilha-test/B"}, dict(share)
