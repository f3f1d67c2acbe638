"""The scale-out add-on: settings, the JSON queue serializer, and two real Scrapy workers sharing Redis.

Formats followed: scrapy-redis 0.9.1 stores ``serializer.dumps(request.to_dict(spider=…))`` and
rebuilds with ``request_from_dict(serializer.loads(…))`` (``scrapy_redis/queue.py``); the
Scheduler reads ``SCHEDULER_SERIALIZER`` as a module name (``scrapy_redis/scheduler.py``);
Scrapy add-ons get ``update_settings(settings)`` (``scrapy/addons.py``).
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import textwrap
import threading
import uuid
from collections import Counter
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.settings import Settings
from scrapy.utils.request import request_from_dict

from crawler import redis_json
from crawler.addons import (
    CLAIM_MIDDLEWARE,
    DistributedAddon,
    claim_id,
    claim_key,
    distributed_settings,
    lease_prefix,
    redis_keys,
)
from tests.services import require_redis
from trilha.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


# --- the JSON serializer ------------------------------------------------------------------

def test_request_round_trips_through_json_with_bytes_headers_body_and_meta() -> None:
    request = Request(
        "http://example.test/a?b=1#frag",
        method="POST",
        headers={"If-None-Match": '"abc"', "X-Bin": b"\xff\x00"},
        body=b"\x00\x01binary\xff",
        meta={"resource_id": 7, "hops": ["http://x", "http://y"], "raw": b"\x80", "nested": {"$b": 1}},
        priority=5,
        dont_filter=True,
    )
    data = redis_json.dumps(request.to_dict())
    assert isinstance(data, bytes)
    json.loads(data)  # it is real JSON, not pickle
    back = request_from_dict(redis_json.loads(data))
    assert back.url == request.url
    assert back.method == "POST"
    assert back.body == request.body
    assert back.headers.getlist(b"X-Bin") == [b"\xff\x00"]
    assert back.headers.get(b"If-None-Match") == b'"abc"'
    assert back.meta == request.meta
    assert back.priority == 5 and back.dont_filter is True


def test_serializer_refuses_objects_json_cannot_carry() -> None:
    with pytest.raises(TypeError, match="set"):
        redis_json.dumps({"meta": {"seen": {1, 2}}})


def test_serializer_never_unpickles() -> None:
    import pickle

    with pytest.raises(ValueError):
        redis_json.loads(pickle.dumps({"url": "http://x"}))


# --- the settings --------------------------------------------------------------------------

def test_distributed_settings_share_one_queue_per_crawl_and_use_json() -> None:
    settings = distributed_settings("redis://127.0.0.1:6379/0", "crawl 42/x", mode="queue")
    assert settings["SCHEDULER"] == "crawler.addons.RedisScheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings["SCHEDULER_SERIALIZER"] == "crawler.redis_json"
    assert settings["SCHEDULER_PERSIST"] is True
    assert settings["MAX_IDLE_TIME_BEFORE_CLOSE"] > 0
    assert settings["SCHEDULER_QUEUE_KEY"] == "trilha:%(spider)s:crawl_42_x:requests"
    assert redis_keys("a")["SCHEDULER_QUEUE_KEY"] != redis_keys("b")["SCHEDULER_QUEUE_KEY"]


def test_distributed_settings_reject_a_url_that_is_not_redis_or_an_unknown_mode() -> None:
    with pytest.raises(ConfigError, match="not a Redis URL"):
        distributed_settings("postgresql://x", "k")
    with pytest.raises(ConfigError, match="TRILHA_REDIS_MODE"):
        distributed_settings("redis://x", "k", mode="pickle")


def test_claim_mode_is_the_default_and_keeps_scrapys_scheduler() -> None:
    settings = Settings()
    settings.set("REDIS_URL", "redis://127.0.0.1:6379/15", priority="project")
    settings.set("SPIDER_MIDDLEWARES", {"x.Y": 10}, priority="project")
    DistributedAddon().update_settings(settings)
    assert settings["TRILHA_REDIS_MODE"] == "claim"
    assert settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert settings.getdict("SPIDER_MIDDLEWARES") == {"x.Y": 10, CLAIM_MIDDLEWARE: 50}
    # start requests must pass the claim middleware, not go straight to the engine
    assert settings.getbool("TRILHA_YIELD_START") is True
    assert claim_key("trilha-links", "7") == "trilha:trilha-links:7:claimed"
    assert lease_prefix("trilha-links", "7") == "trilha:trilha-links:7:alive:"


def test_the_crawl_closer_looks_for_the_link_spiders_leases() -> None:
    from crawler import run
    from crawler.spiders.links import LinkSpider

    assert run._LINK_SPIDER == LinkSpider.name       # run.py names it without importing Scrapy


def test_closing_a_shared_crawl_does_not_load_scrapy() -> None:
    """The parent of the workers closes a shared crawl: asking Redis for the leases
    (crawler.leases) must not import Scrapy or scrapy-redis into it."""
    import subprocess
    import sys

    code = """
import sys, tempfile
from crawler.run import _closing_status
from trilha.store import crawls
from trilha.store.engine import open_store
store = open_store(f"sqlite:///{tempfile.mkdtemp()}/s.sqlite3")
crawl_id = crawls.start_crawl(store, list_id=None, settings={})
# Redis refuses (port 1): the leases are asked for, then the store decides
print(_closing_status(store, crawl_id, [], "redis://127.0.0.1:1/0", interrupted=False))
print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'scrapy_redis', 'twisted'}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.split() == ["finished", "[]"]


def test_lease_and_key_ttl_come_from_settings_else_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.addons import _int_setting

    monkeypatch.setenv("TRILHA_REDIS_LEASE_S", "3")
    assert _int_setting(Settings(), "TRILHA_REDIS_LEASE_S", 15) == 3
    assert _int_setting(Settings({"TRILHA_REDIS_LEASE_S": 7}), "TRILHA_REDIS_LEASE_S", 15) == 7
    monkeypatch.delenv("TRILHA_REDIS_LEASE_S")
    assert _int_setting(Settings(), "TRILHA_REDIS_LEASE_S", 15) == 15
    monkeypatch.setenv("TRILHA_REDIS_LEASE_S", "soon")
    with pytest.raises(ConfigError, match="TRILHA_REDIS_LEASE_S must be a whole number"):
        _int_setting(Settings(), "TRILHA_REDIS_LEASE_S", 15)


def test_claim_ids_name_the_resource_the_batch_or_the_request() -> None:
    from dataclasses import dataclass

    @dataclass
    class T:
        canonical: str

    @dataclass
    class J:
        target: T

    @dataclass
    class B:
        keys: list[str]

    assert claim_id(Request("http://h/x?utm=1", meta={"trilha_job": J(T("http://h/x"))})) == "job:http://h/x"
    assert claim_id(Request("http://api/q", meta={"trilha_batch": B(["1", "2"])})) == "batch:1|2"
    assert claim_id(Request("http://api/s2", meta={"trilha_enrich": ["1"]})) is None
    assert claim_id(Request("http://h/p", method="HEAD")) == "req:HEAD http://h/p "
    assert claim_id(T("http://h/skipped")) == "item:http://h/skipped"
    assert claim_id({"plain": "item"}) is None


def test_addon_overrides_project_scheduler_and_caps_concurrency() -> None:
    settings = Settings()
    settings.set("REDIS_URL", "redis://127.0.0.1:6379/15", priority="project")
    settings.set("TRILHA_CRAWL_KEY", "c1", priority="project")
    settings.set("SCHEDULER", "scrapy.core.scheduler.Scheduler", priority="project")
    settings.set("TRILHA_REDIS_MODE", "queue", priority="project")
    settings.set("CONCURRENT_REQUESTS", 64, priority="project")
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 4, priority="project")
    DistributedAddon().update_settings(settings)
    assert settings["SCHEDULER"] == "crawler.addons.RedisScheduler"
    assert settings.getbool("TRILHA_YIELD_START") is True
    assert settings.getint("CONCURRENT_REQUESTS") == 16
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 4  # already below the cap
    assert settings["SCHEDULER_DUPEFILTER_KEY"] == "trilha:%(spider)s:c1:dupefilter"


def test_addon_without_a_redis_url_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRILHA_REDIS_URL", raising=False)
    with pytest.raises(ConfigError, match="Redis URL"):
        DistributedAddon().update_settings(Settings())


# --- two real workers ----------------------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    base, count, name, key, redis_url, out, mode = sys.argv[1:8]

    class Pages(scrapy.Spider):
        name = "scalepages"

        async def start(self):
            for i in range(int(count)):
                yield scrapy.Request(f"{base}/page/{i}")

        def parse(self, response):
            with open(out, "a", encoding="utf-8") as fh:
                fh.write(response.url + "\\n")

    process = CrawlerProcess({
        "ADDONS": {"crawler.addons.DistributedAddon": 100},
        "REDIS_URL": redis_url,
        "TRILHA_CRAWL_KEY": key,
        "TRILHA_REDIS_MODE": mode,
        "TRILHA_WORKER_CONCURRENCY": 2,
        "TRILHA_REDIS_KEY_TTL": 60,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "WARNING",
        # set at download time by the fetching worker (a header set on the request would
        # travel through the shared queue with it and name the enqueuing worker instead)
        "USER_AGENT": f"worker-{name}",
    })
    process.crawl(Pages)
    process.start()
    """
)


class _GatedPages(http.server.ThreadingHTTPServer):
    """Answers /page/N; holds every answer until both workers have asked (or 30 s passed)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.served: Counter[str] = Counter()
        self.by_worker: Counter[str] = Counter()
        self.both_seen = threading.Event()


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _GatedPages

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        worker = self.headers.get("User-Agent", "?").removeprefix("worker-")
        with self.server.lock:
            self.server.served[self.path] += 1
            self.server.by_worker[worker] += 1
            if len(self.server.by_worker) >= 2:
                self.server.both_seen.set()
        self.server.both_seen.wait(timeout=30)
        body = b"<html><title>ok</title></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("mode", ["queue", "claim"])
def test_two_workers_share_the_work_through_redis_and_fetch_each_page_once(tmp_path: Path, mode: str) -> None:
    import redis

    redis_url = require_redis()
    key = f"test-{uuid.uuid4().hex[:10]}"
    server = _GatedPages()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    base = f"http://127.0.0.1:{server.server_address[1]}"
    count = 40
    workers: list[subprocess.Popen[str]] = []
    try:
        workers = [
            subprocess.Popen(
                [sys.executable, str(script), base, str(count), name, key, redis_url, str(tmp_path / f"{name}.txt"), mode],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for name in ("A", "B")
        ]
        logs = [w.communicate(timeout=180)[0] for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
                w.wait()
        server.shutdown()
        server.server_close()
        client = redis.Redis.from_url(redis_url)
        leftover = [k.decode() for k in client.keys(f"trilha:scalepages:{key}:*")]
        ttls = [client.ttl(k) for k in leftover]
        for k in leftover:
            client.delete(k)
        client.close()
    for worker, log in zip(workers, logs):
        assert worker.returncode == 0, log
        assert "Traceback" not in log, log
    pages = {f"/page/{i}" for i in range(count)}
    assert set(server.served) == pages
    assert max(server.served.values()) == 1, "a page was fetched twice"
    assert server.by_worker["A"] > 0 and server.by_worker["B"] > 0, server.by_worker
    assert server.by_worker["A"] + server.by_worker["B"] == count
    fetched = (tmp_path / "A.txt").read_text().split() + (tmp_path / "B.txt").read_text().split()
    assert sorted(fetched) == sorted(f"{base}{p}" for p in pages)
    # the keys are kept for workers still running, but expire
    assert leftover, "no Redis key was used"
    assert all(0 < ttl <= 60 for ttl in ttls), dict(zip(leftover, ttls))
