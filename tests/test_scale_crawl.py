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

import contextlib
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, cli_env
from tests.services import postgres_database, require_redis
from trilha.store import crawls
from trilha.store.engine import open_store

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


# --- closing a shared crawl; a worker that died holding claims -------------------------------

def _checked(pg_url: str, crawl_id: int) -> set[str]:
    return {c for (c,) in _rows(pg_url, 'SELECT r.canonical FROM "check" c JOIN resource r ON r.id = c.resource_id '
                                        f"WHERE c.crawl_id = {crawl_id}")}


def _fetched(fixture_server, token: str) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """Path of each fetched resource of this test → the workers (User-Agent names) that fetched it."""
    by: dict[str, set[str]] = defaultdict(set)
    for entry in fixture_server.requests:
        if token in entry.path:
            ua = entry.headers.get("user-agent", entry.headers.get("User-Agent", ""))
            by[entry.path.split("k=", 1)[1].split("&")[0]].add(ua.split(" ")[0].split("/")[-1])
    return by


def _crawl_args(fixture_server, urls: list[str], *extra: str) -> list[str]:  # type: ignore[no-untyped-def]
    args = ["crawl", "--allow-private", "--remap", fixture_server.remap, *extra, "--format", "json"]
    for url in urls:
        args += ["--url", url]
    return args


@contextlib.contextmanager
def _ghost_worker(pg_url: str, redis_url: str, urls: list[str]) -> Iterator[str]:
    """Crawl 1, started here (so its Redis key is known), with a "ghost" worker run holding a
    live lease and the claims of ``urls[:2]``; yields the lease key (delete it: the ghost is gone)."""
    import redis

    from crawler.leases import LEASE_ALIVE, claim_key, lease_prefix
    from crawler.urls import canonical_url

    server = redis.Redis.from_url(redis_url)
    store = open_store(pg_url)
    try:
        key = crawls.crawl_key(store, crawls.start_crawl(store, list_id=None, settings={}))
    finally:
        store.close()
    assert key.startswith("1-")
    ghost = f"ghost-{uuid.uuid4().hex[:8]}"
    lease, claims = lease_prefix("trilha-links", key) + ghost, claim_key("trilha-links", key)
    fields = [f"job:{canonical_url(u)}" for u in urls[:2]]
    server.set(lease, LEASE_ALIVE, ex=120)
    server.hset(claims, mapping=dict.fromkeys(fields, ghost))
    try:
        yield lease
    finally:
        server.delete(lease)
        server.hdel(claims, *fields)
        server.close()


def test_the_last_worker_closes_the_crawl_and_resume_takes_over_a_dead_workers_claims(fixture_server) -> None:  # type: ignore[no-untyped-def]
    """A "ghost" worker run holds a lease and the claims of two resources of a running crawl
    (started here, so its Redis key is known).  Worker A joins it with ``--resume``, checks
    the other four and leaves the crawl running, saying why; B
    (``--resume``) must not take a live worker's claims either; once the ghost's lease is
    gone (as when a killed worker's lease expires), C (``--resume``) checks the two and
    closes the crawl: finished, one check per resource."""
    import redis

    from crawler.urls import canonical_url

    redis_url = require_redis()
    server = redis.Redis.from_url(redis_url)
    token = uuid.uuid4().hex[:8]
    urls = [f"https://slow.example/_/slow?s=0&k={token}-{i}" for i in range(6)]
    args = _crawl_args(fixture_server, urls)
    with postgres_database() as pg_url, _ghost_worker(pg_url, redis_url, urls) as lease:
        def worker(name: str, *extra: str) -> subprocess.CompletedProcess[str]:
            env = cli_env(TRILHA_DB=pg_url, TRILHA_REDIS_URL=redis_url,
                          TRILHA_USER_AGENT=f"trilha-test/{name} (+https://example.invalid/trilha)")
            done = subprocess.run([sys.executable, "-m", "trilha", *args, *extra], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
            return done

        a = worker("A", "--resume")
        assert "2 resources still being checked by other workers; the last worker to finish closes the crawl" \
            in a.stderr, a.stderr
        assert "is still running in other workers" in a.stderr and "interrupted" not in a.stderr, a.stderr
        assert _rows(pg_url, "SELECT id, status FROM crawl") == [(1, "running")]
        assert _checked(pg_url, 1) == {canonical_url(u) for u in urls[2:]}

        b = worker("B", "--resume")                        # the ghost still holds its lease
        assert "2 resources still being checked by other workers" in b.stderr, b.stderr
        assert _rows(pg_url, "SELECT id, status FROM crawl") == [(1, "running")]

        server.delete(lease)                               # the ghost is gone
        c = worker("C", "--resume")
        assert "still being checked" not in c.stderr, c.stderr
        assert _rows(pg_url, "SELECT id, status FROM crawl") == [(1, "finished")]
        assert _checked(pg_url, 1) == {canonical_url(u) for u in urls}
        assert _rows(pg_url, 'SELECT count(*) FROM "check"') == [(6,)]
    fetched = _fetched(fixture_server, token)
    assert {k: sorted(v) for k, v in fetched.items()} == {
        **{f"{token}-{i}": ["C"] for i in range(2)}, **{f"{token}-{i}": ["A"] for i in range(2, 6)}}


def test_a_killed_worker_leaves_the_crawl_to_resume_once_its_lease_expires(fixture_server) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL a worker in the middle of its crawl (short lease, 2 s): its claimed resources
    have no check and nobody is checking them.  ``--resume`` after the lease expired checks
    exactly those and finishes the crawl, one check per resource."""
    redis_url = require_redis()
    token = uuid.uuid4().hex[:8]
    n = 12
    urls = [f"https://slow.example/_/slow?s=1&k={token}-{i}" for i in range(n)]
    args = ["crawl", "--allow-private", "--remap", fixture_server.remap, "--concurrency", "4", "--format", "json"]
    for url in urls:
        args += ["--url", url]
    with postgres_database() as pg_url:
        env = cli_env(TRILHA_DB=pg_url, TRILHA_REDIS_URL=redis_url, TRILHA_REDIS_LEASE_S="2",
                      TRILHA_USER_AGENT="trilha-test/A (+https://example.invalid/trilha)")
        a = subprocess.Popen([sys.executable, "-m", "trilha", *args], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while len(_checked(pg_url, 1)) < 2:
                assert a.poll() is None, "worker A ended before it was killed"
                assert time.monotonic() < deadline, "worker A never wrote a check"
                time.sleep(0.05)
        finally:
            a.kill()
            a.wait()
        before = _checked(pg_url, 1)
        assert 2 <= len(before) < n
        assert _rows(pg_url, "SELECT status FROM crawl") == [("running",)]
        time.sleep(2.5)                                    # A's lease (2 s) expires; its claims are free
        env["TRILHA_USER_AGENT"] = "trilha-test/R (+https://example.invalid/trilha)"
        resumed = subprocess.run([sys.executable, "-m", "trilha", *args, "--resume"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0 and "Traceback" not in resumed.stderr, resumed.stderr
        assert _rows(pg_url, "SELECT id, status FROM crawl") == [(1, "finished")]
        assert len(_checked(pg_url, 1)) == n
        assert _rows(pg_url, 'SELECT count(*), count(DISTINCT resource_id) FROM "check"') == [(n, n)]
    fetched = _fetched(fixture_server, token)
    by_resumer = {k for k, v in fetched.items() if "R" in v}
    assert by_resumer == {f"{token}-{i}" for i in range(n)} - {c.split("k=", 1)[1].split("&")[0] for c in before}


# --- closing races: two workers finishing together, Ctrl-C on one worker ---------------------

def test_a_worker_finishing_between_the_two_reads_cannot_leave_the_crawl_interrupted(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Worker A's spider finished; worker B holds a live lease and two unchecked resources.
    B writes its last checks and marks its lease ``done`` right after A's first read, whichever
    of the two reads (stored checks, Redis leases) A makes first (real PostgreSQL and Redis).
    Reading the checks first, A saw two missing checks and then no live lease: ``interrupted``
    although the crawl is complete.  The leases read first, A sees B live, then every check."""
    import redis

    from crawler import leases
    from crawler.leases import LEASE_ALIVE, LEASE_DONE, lease_prefix
    from crawler.run import _shared_status
    from crawler.spiders.targets import Target
    from trilha.model import CheckResult, Verdict

    redis_url = require_redis()
    server = redis.Redis.from_url(redis_url)
    token = uuid.uuid4().hex[:8]
    targets = [Target(url=f"https://race.example/{token}/{i}", canonical=f"https://race.example/{token}/{i}")
               for i in range(4)]
    ok = [CheckResult(canonical=t.canonical, url=t.url, verdict=Verdict.OK, http_status=200) for t in targets]
    with postgres_database() as pg_url:
        store = open_store(pg_url)
        try:
            crawl_id = crawls.start_crawl(store, list_id=None, settings={})
            crawls.save_checks(store, crawl_id, ok[:2])                  # A's share
            lease_b = lease_prefix("trilha-links", crawls.crawl_key(store, crawl_id)) + f"b-{token}"
            server.set(lease_b, LEASE_ALIVE, ex=60)
            reads: list[str] = []

            def b_finishes_after_the_first_read(name: str, real):  # type: ignore[no-untyped-def]
                def read(*args):  # type: ignore[no-untyped-def]
                    value = real(*args)
                    reads.append(name)
                    if len(reads) == 1:                                  # B flushes, then its lease is done
                        crawls.save_checks(store, crawl_id, ok[2:])
                        server.set(lease_b, LEASE_DONE, ex=60)
                    return value
                return read

            monkeypatch.setattr(leases, "live_workers", b_finishes_after_the_first_read("leases", leases.live_workers))
            monkeypatch.setattr(crawls, "checked_canonicals",
                                b_finishes_after_the_first_read("checks", crawls.checked_canonicals))
            assert _shared_status(store, crawl_id, targets, redis_url) == "finished"
            assert reads == ["leases", "checks"]
        finally:
            server.delete(lease_b)
            store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_finishing_never_downgrades_a_finished_crawl_and_adds_up_the_workers_stats(backend: str, tmp_path: Path) -> None:
    """Two workers' ``finish_crawl`` calls in the bad order (``finished`` lands first, the
    other's ``interrupted`` second) leave the crawl ``finished``; a worker leaving the crawl
    ``running`` changes no status but its stats count; the row's stats are the sum of the
    workers' counts, not the last writer's; ``offline`` is kept once a worker found it."""
    import contextlib

    with contextlib.ExitStack() as stack:
        url = (f"sqlite:///{tmp_path / 'store.sqlite3'}" if backend == "sqlite"
               else stack.enter_context(postgres_database()))
        store = open_store(url)
        stack.callback(store.close)
        crawl_id = crawls.start_crawl(store, list_id=None, settings={})

        def row() -> tuple:
            from trilha.store.schema import CrawlRow

            with store.session() as session:
                r = session.get(CrawlRow, crawl_id)
                return r.status, r.finished_at is not None, r.offline, dict(r.stats)

        a = {"item_scraped_count": 4, "workers": 1, "memusage/max": 90, "finish_reason": "finished",
             "offline_reason": ""}
        b = {"item_scraped_count": 3, "workers": 1, "memusage/max": 70, "finish_reason": "shutdown",
             "offline_reason": "no network: probe failed"}
        c = {"item_scraped_count": 2, "workers": 1, "memusage/max": 120, "finish_reason": "finished",
             "offline_reason": ""}
        assert crawls.finish_crawl(store, crawl_id, status="running", stats=c) == "running"
        assert row() == ("running", False, False, c)
        assert crawls.finish_crawl(store, crawl_id, status="finished", stats=a) == "finished"
        assert crawls.finish_crawl(store, crawl_id, status="interrupted", stats=b, offline=True) == "finished"
        assert crawls.finish_crawl(store, crawl_id, status="failed") == "finished"
        status, finished_at, offline, stats = row()
        assert (status, finished_at, offline) == ("finished", True, True)
        assert stats == {"item_scraped_count": 9, "workers": 3, "memusage/max": 120, "finish_reason": "finished",
                         "offline_reason": "no network: probe failed"}
        assert crawls.finish_crawl(store, crawl_id + 1, status="finished") is None       # no such crawl
        crawls.reopen_crawl(store, crawl_id)          # a --resume that chose it just before: no effect
        assert row()[:2] == ("finished", True)
        other = crawls.start_crawl(store, list_id=None, settings={})
        crawls.finish_crawl(store, other, status="interrupted", stats={"finish_reason": "shutdown"})
        crawls.reopen_crawl(store, other)             # an interrupted crawl is reopened

        def other_row() -> tuple:
            from trilha.store.schema import CrawlRow

            with store.session() as session:
                r = session.get(CrawlRow, other)
                return r.status, r.stats["finish_reason"]

        assert other_row() == ("running", "shutdown")
        crawls.finish_crawl(store, other, status="finished", stats={"finish_reason": "finished"})
        assert other_row() == ("finished", "finished")   # the reason of the run that finished it


def test_ctrl_c_on_one_worker_leaves_the_shared_crawl_running_for_the_others(fixture_server) -> None:  # type: ignore[no-untyped-def]
    """A (simulated) live worker holds a lease and the claims of two resources; worker A joins
    the crawl and gets SIGINT (Ctrl-C) once some checks are stored.  A stops as Scrapy does,
    but the crawl is the other worker's to close: it stays ``running`` and A says so instead of
    "run again with --resume".  Once that worker is gone, ``--resume`` finishes the crawl with
    one check per resource (A's lease went at its Ctrl-C, so its unchecked claims are free)."""
    import signal

    import redis

    from crawler.urls import canonical_url

    redis_url = require_redis()
    server = redis.Redis.from_url(redis_url)
    token = uuid.uuid4().hex[:8]
    n = 10
    urls = [f"https://slow.example/_/slow?s=1&k={token}-{i}" for i in range(n)]
    args = _crawl_args(fixture_server, urls, "--concurrency", "2", "--resume")
    with postgres_database() as pg_url, _ghost_worker(pg_url, redis_url, urls) as lease:
        env = cli_env(TRILHA_DB=pg_url, TRILHA_REDIS_URL=redis_url,
                      TRILHA_USER_AGENT="trilha-test/A (+https://example.invalid/trilha)")
        a = subprocess.Popen([sys.executable, "-m", "trilha", *args], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 120
            while len(_checked(pg_url, 1)) < 2:
                assert a.poll() is None, a.communicate()
                assert time.monotonic() < deadline, "worker A never wrote a check"
                time.sleep(0.05)
            a.send_signal(signal.SIGINT)
            _, err = a.communicate(timeout=60)
        finally:
            if a.poll() is None:
                a.kill()
                a.wait()
        assert a.returncode == 0 and "Traceback" not in err, err
        assert len(_checked(pg_url, 1)) < n - 2, "A checked everything before its Ctrl-C: nothing was tested"
        assert "this worker was interrupted; the crawl stays running for the 1 other worker(s) still holding leases" in err, err
        assert "crawl 1 is still running in other workers" in err and "--resume" not in err, err
        assert _rows(pg_url, "SELECT id, status FROM crawl") == [(1, "running")]
        assert _rows(pg_url, "SELECT stats->>'workers' FROM crawl") == [("1",)]   # A's stats count

        server.delete(lease)                               # the other worker is gone
        env["TRILHA_USER_AGENT"] = "trilha-test/R (+https://example.invalid/trilha)"
        resumed = subprocess.run([sys.executable, "-m", "trilha", *args], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0 and "Traceback" not in resumed.stderr, resumed.stderr
        assert _rows(pg_url, "SELECT id, status FROM crawl") == [(1, "finished")]
        assert _checked(pg_url, 1) == {canonical_url(u) for u in urls}
        assert _rows(pg_url, 'SELECT count(*), count(DISTINCT resource_id) FROM "check"') == [(n, n)]
        assert _rows(pg_url, "SELECT stats->>'workers' FROM crawl") == [("2",)]


def test_a_failing_worker_leaves_a_shared_crawl_running_for_the_others(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A worker whose run fails (here its Scrapy run raises) must not mark a shared crawl
    ``failed`` while another worker holds a live lease: the crawl stays ``running`` for it.
    With no live worker left, the crawl is ``failed``."""
    import redis

    import crawler.run
    from crawler import leases
    from crawler.leases import LEASE_ALIVE, lease_prefix
    from crawler.run import run_crawl
    from crawler.spiders.targets import Target
    from trilha.config import Config
    from trilha.errors import CrawlError
    from trilha.store.schema import CrawlRow

    redis_url = require_redis()
    server = redis.Redis.from_url(redis_url)
    token = uuid.uuid4().hex[:8]
    targets = [Target(url=f"https://fail.example/{token}/{i}", canonical=f"https://fail.example/{token}/{i}")
               for i in range(3)]

    def scrapy_fails(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the spider broke")

    monkeypatch.setattr(crawler.run, "crawl_part", scrapy_fails)
    with postgres_database() as pg_url:
        store = open_store(pg_url)
        try:
            crawl_id = crawls.start_crawl(store, list_id=None, settings={})
            lease = lease_prefix("trilha-links", crawls.crawl_key(store, crawl_id)) + f"other-{token}"
            server.set(lease, LEASE_ALIVE, ex=60)
            config = Config(redis_url=redis_url, workers=1)

            def status() -> str:
                with store.session() as session:
                    return session.get(CrawlRow, crawl_id).status

            with pytest.raises(CrawlError, match="the spider broke"):
                run_crawl(store, targets, config, resume=True)
            assert status() == "running"                        # the other worker's to close
            server.delete(lease)
            own = lease_prefix("trilha-links", crawls.crawl_key(store, crawl_id)) + f"own-{token}"
            server.set(own, LEASE_ALIVE, ex=60)       # this process's lease, its spider never closed
            monkeypatch.setattr(leases, "OWN_LEASES", {own})
            with pytest.raises(CrawlError):
                run_crawl(store, targets, config, resume=True)
            assert status() == "failed"               # its own lease is no other worker
            server.delete(own)
        finally:
            server.delete(lease)
            server.close()
            store.close()


@pytest.mark.parametrize("complete", [True, False], ids=["complete", "incomplete"])
def test_redis_down_when_a_shared_crawl_closes(monkeypatch, tmp_path: Path, complete: bool) -> None:  # type: ignore[no-untyped-def]
    """Redis gone between the crawl and its closing: no traceback and no crawl left
    ``running``; the store alone decides (``finished`` when every target has its check,
    else ``interrupted`` for ``--resume``)."""
    import redis

    import crawler.run
    from crawler import leases
    from crawler.run import PartReport, run_crawl
    from crawler.spiders.targets import Target
    from trilha.config import Config
    from trilha.model import CheckResult, Verdict
    from trilha.store.schema import CrawlRow

    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    targets = [Target(url=f"https://down.example/{i}", canonical=f"https://down.example/{i}") for i in range(3)]

    def crawled(store_, todo, _config, crawl_id, _progress=None):  # type: ignore[no-untyped-def]
        done = todo if complete else todo[:1]
        crawls.save_checks(store_, crawl_id, [CheckResult(canonical=t.canonical, url=t.url, verdict=Verdict.OK,
                                                          http_status=200) for t in done])
        return PartReport(reason="finished", stats={"item_scraped_count": len(done)})

    def redis_is_down(*_args):  # type: ignore[no-untyped-def]
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(crawler.run, "crawl_part", crawled)
    monkeypatch.setattr(leases, "live_workers", redis_is_down)
    try:
        outcome = run_crawl(store, targets, Config(redis_url="redis://127.0.0.1:1/0", workers=1))
        with store.session() as session:
            status = session.get(CrawlRow, outcome.crawl_id).status
        assert outcome.status == status == ("finished" if complete else "interrupted")
    finally:
        store.close()
