"""Several crawler processes sharing one crawl (crawler.workers): the pure parts.

The end-to-end run with ``--workers 2`` is in tests/test_crawler_e2e.py (same expected
verdicts and metadata for every link of the bundled list, one check per resource).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from crawler.run import PartReport, merge_reports
from crawler.spiders.targets import Target
from crawler.workers import (
    WorkerPool,
    estimated_links,
    partition,
    prestart_count,
    share_key,
    worker_config,
    worker_count,
)
from trilha.config import Config
from trilha.model import CheckResult, Verdict

from tests.conftest import run_cli


def _t(url: str, site: str | None = None) -> Target:
    return Target(url=url, canonical=url, site=site)


def test_shares_are_whole_hosts_and_even() -> None:
    targets = ([_t(f"https://a.example/{i}") for i in range(50)] + [_t(f"https://b.example/{i}") for i in range(30)]
               + [_t(f"https://c.example/{i}") for i in range(25)]
               + [_t(f"https://arxiv.org/abs/{i}", "arxiv") for i in range(5)])
    shares = partition(targets, 2)
    assert len(shares) == 2
    assert sorted(t.url for s in shares for t in s) == sorted(t.url for t in targets)   # each exactly once
    hosts = [{share_key(t) for t in share} for share in shares]
    assert not hosts[0] & hosts[1]                                   # no host in two shares
    assert sorted(len(s) for s in shares) == [55, 55]               # greedy: a + arxiv | b + c
    assert {share_key(t) for t in targets if "arxiv" in t.url} == {"site:arxiv"}


def test_order_is_kept_inside_a_share_and_small_inputs() -> None:
    targets = [_t(f"https://a.example/{i}") for i in range(5)]
    assert partition(targets, 3) == [targets]                        # one host: one share
    assert partition([], 2) == []
    assert partition(targets, 1) == [targets]


def test_worker_count() -> None:
    two = Config(workers=2)
    assert worker_count(Config(workers=1), 10_000, "sqlite:////tmp/x.sqlite3") == 1
    auto = min(os.cpu_count() or 1, 4)
    assert worker_count(Config(), 10_000, "sqlite:////tmp/x.sqlite3") == auto      # default 0: per core
    assert worker_count(Config(), 1_999, "sqlite:////tmp/x.sqlite3") == 1          # a small crawl: one
    assert worker_count(two, 10_000, "sqlite:////tmp/x.sqlite3") == 2
    assert worker_count(two, 30, "sqlite:////tmp/x.sqlite3") == 1                  # too small to split
    assert worker_count(two, 10_000, "sqlite://") == 1                             # in memory: one process
    assert worker_count(two, 10_000, "sqlite:///:memory:") == 1
    assert worker_count(two, 10_000, "postgresql+psycopg://u@127.0.0.1/db") == 2
    assert worker_count(Config(workers=4, concurrency=2), 10_000, "sqlite:////tmp/x.sqlite3") == 2   # 1 request each


def test_total_concurrency_is_divided_between_workers() -> None:
    config = Config(concurrency=16, per_host_concurrency=2)
    assert worker_config(config, 1) is config
    assert (worker_config(config, 2).concurrency, worker_config(config, 2).per_host_concurrency) == (8, 2)
    assert [worker_config(config, 3, i).concurrency for i in range(3)] == [6, 5, 5]   # adds up to 16
    assert [worker_config(Config(concurrency=1), 2, i).concurrency for i in range(2)] == [1, 1]   # at least 1


def test_merged_report_finishes_only_if_every_worker_did() -> None:
    failed = CheckResult(canonical="x", url="x", verdict=Verdict.DEAD, error="dns")
    a = PartReport(reason="finished", stats={"item_scraped_count": 3, "finish_reason": "finished"},
                   host_failures={"x.example": "dns"}, hosts_answered={"a.example"}, network_failed=[failed])
    b = PartReport(reason="finished", stats={"item_scraped_count": 4}, hosts_answered={"b.example"})
    merged = merge_reports([a, b])
    assert merged.reason == "finished" and merged.stats["item_scraped_count"] == 7
    assert merged.hosts_answered == {"a.example", "b.example"} and merged.network_failed == [failed]
    broken = merge_reports([a, PartReport(reason="worker 1 exited with code -9")])
    assert broken.reason == "worker 1 exited with code -9"
    assert Counter(r.reason for r in (merged, broken)) == Counter({"finished": 1, "worker 1 exited with code -9": 1})


def test_prestart_count_follows_the_guessed_links() -> None:
    db, auto = "sqlite:////tmp/x.sqlite3", min(os.cpu_count() or 1, 4)
    assert prestart_count(Config(), 1_999, db) == 0                  # auto: one process below 2,000
    assert prestart_count(Config(), 2_000, db) == (auto if auto > 1 else 0)
    assert prestart_count(Config(workers=3), 100, db) == 3
    assert prestart_count(Config(workers=2), 30, db) == 0           # too few to share
    assert prestart_count(Config(workers=1), 10_000, db) == 0       # one process asked for
    assert prestart_count(Config(workers=2), 10_000, "sqlite://") == 0   # in memory


def test_estimated_links_counts_absolute_links_of_every_syntax() -> None:
    text = ("# T\n\n- [a](https://a.example/) <https://b.example/> https://c.example/\n"
            '- <a href="http://d.example/">d</a> [ref][r] and prose about lists\n\n[r]: https://e.example/\n')
    assert estimated_links(text.encode()) == 5
    assert estimated_links(("Só texto, nenhum link. " * 5000).encode()) == 0   # big file, no links


def test_a_pool_given_no_work_lets_its_workers_go() -> None:
    """Workers started ahead and never needed leave cleanly (exit 0) when the pool closes."""
    pool = WorkerPool(2, "asyncio")
    assert all(p.is_alive() for p in pool.procs)
    pool.close()
    assert [p.exitcode for p in pool.procs] == [0, 0]
    pool.close()                                                     # idempotent


def _list_over_hosts(path: Path, hosts: int, links: int = 40) -> list[str]:
    """A list of ``links`` links over ``hosts`` fixture hosts."""
    urls = [f"https://h{i % hosts}.example/_/ok?n={i}" for i in range(links)]
    lines = ["# Lista", "", *(f"- [Link {i}]({u})" for i, u in enumerate(urls))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return urls


@pytest.mark.parametrize(("hosts", "shared_by"), [(2, 2), (1, 1)], ids=["two-hosts", "one-host"])
def test_workers_started_while_the_list_is_read(fixture_server, tmp_path: Path,  # type: ignore[no-untyped-def]
                                               hosts: int, shared_by: int) -> None:
    """``--workers 2`` and enough links: the 2 workers start before the list is read and
    are the ones that crawl (no second pool); with one host the crawl runs in one process
    and the early workers are let go."""
    listing = tmp_path / "big.md"
    urls = _list_over_hosts(listing, hosts)
    db = tmp_path / "store.sqlite3"
    done = run_cli(["-v", "crawl", str(listing), "--db", f"sqlite:///{db}", "--allow-private",
                    "--remap", fixture_server.remap, "--workers", "2", "--format", "json"])
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("started 2 crawler workers while the list is read") == 1
    assert ("crawling with the 2 workers started ahead" in done.stderr) == (shared_by == 2)
    out = json.loads(done.stdout)
    assert out["status"] == "finished" and out["counts"] == {"ok": len(urls)}
    with sqlite3.connect(db) as conn:
        per_resource = conn.execute('SELECT COUNT(*), COUNT(DISTINCT resource_id) FROM "check"').fetchone()
        stats = json.loads(conn.execute("SELECT stats FROM crawl").fetchone()[0])
    assert per_resource == (len(urls), len(urls))                  # one check per link
    assert stats["workers"] == shared_by


def test_an_error_in_the_parent_stops_its_workers(fixture_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """If the parent fails while its workers crawl (here: the progress callback raises, as
    writing progress to a closed pipe once did), the workers are stopped and reaped and the
    error goes on: no worker keeps crawling, and none waits for ever on a parent that no
    longer reads its events (the deadlock this replaced)."""
    import multiprocessing
    import time

    from crawler.spiders.targets import targets_from_urls
    from crawler.workers import run_workers
    from trilha.config import load_config
    from trilha.store import crawls
    from trilha.store.engine import open_store

    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    config = load_config({"remap": (fixture_server.remap,), "allow_private": True, "concurrency": 4}, env={})
    urls = [f"https://h{i % 2}.example/_/slow?s=1&n={i}" for i in range(40)]
    targets = targets_from_urls(urls, config)
    crawl_id = crawls.start_crawl(store, list_id=None, settings={})
    shares = partition(targets, 2)
    assert len(shares) == 2

    def fail(*_: object) -> None:
        raise BrokenPipeError("stderr is gone")

    started = time.monotonic()
    with pytest.raises(BrokenPipeError):
        run_workers(store.url, crawl_id, shares, config, fail)
    assert time.monotonic() - started < 60                     # 40 one-second pages at 4 at a time: ~10 s
    assert multiprocessing.active_children() == []              # every worker reaped
    assert len(crawls.crawl_checks(store, crawl_id)) < len(urls)  # stopped early, what it had is stored


def test_a_pool_that_cannot_start_every_worker_lets_the_started_ones_go(monkeypatch: pytest.MonkeyPatch) -> None:
    """If starting the second worker fails, the first one is let go and reaped (it would
    otherwise wait on its inbox until the parent's exit, which waits for it)."""
    import multiprocessing
    from multiprocessing.process import BaseProcess

    real_start = BaseProcess.start
    started: list[object] = []

    def start_once(self: BaseProcess) -> None:
        if started:
            raise OSError("fork: Resource temporarily unavailable")
        started.append(self)
        real_start(self)

    monkeypatch.setattr(BaseProcess, "start", start_once)
    with pytest.raises(OSError, match="Resource temporarily unavailable"):
        WorkerPool(2, "asyncio")
    monkeypatch.undo()
    assert multiprocessing.active_children() == []
    assert started and started[0].exitcode == 0                    # type: ignore[attr-defined]
