"""Several crawler processes sharing one crawl (crawler.workers): the pure parts.

The end-to-end run with ``--workers 2`` is in tests/test_crawler_e2e.py (same expected
verdicts and metadata for every link of the bundled list, one check per resource).
"""

from __future__ import annotations

import os
from collections import Counter

from crawler.run import PartReport, merge_reports
from crawler.spiders.targets import Target
from crawler.workers import partition, share_key, worker_count
from trilha.config import Config
from trilha.model import CheckResult, Verdict


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
