"""Scale-out: several crawler workers share one crawl through a Redis queue (scrapy-redis).

Wiring (done by the crawler when the config has a ``redis_url``)::

    ADDONS = {"crawler.addons.DistributedAddon": 100}
    REDIS_URL = "redis://127.0.0.1:6379/0"     # or env TRILHA_REDIS_URL
    TRILHA_CRAWL_KEY = "<crawl id>"            # the same in every worker of one crawl
                                               # (falls back to TRILHA_CRAWL_ID, then env)

What :meth:`DistributedAddon.update_settings` sets (Scrapy add-on API, ``scrapy/addons.py``;
scrapy-redis 0.9.1 setting names, ``scrapy_redis/scheduler.py`` and ``defaults.py``):

* ``SCHEDULER`` = :class:`RedisScheduler` (scrapy-redis's Scheduler without the deprecated
  ``spider=`` arguments to the stats collector) and ``DUPEFILTER_CLASS`` = scrapy-redis's
  ``RFPDupeFilter``: the queue and the "seen" set live in Redis, so a request that any worker
  enqueued is fetched by exactly one worker, once.
* ``SCHEDULER_QUEUE_KEY`` / ``SCHEDULER_DUPEFILTER_KEY`` = ``trilha:<spider>:<crawl key>:…``:
  one queue per crawl, never shared across crawls.
* ``SCHEDULER_PERSIST`` = True: the worker that finishes first must not flush the queue
  under the others.  The keys get a TTL (``TRILHA_REDIS_KEY_TTL``, default one day) when a
  worker closes, so Redis does not fill up.
* ``SCHEDULER_SERIALIZER`` = ``crawler.redis_json``: JSON, not pickle (the default), so the
  queue cannot carry code.
* ``CONCURRENT_REQUESTS`` capped at ``TRILHA_WORKER_CONCURRENCY`` (default 16): a worker only
  pulls from Redis while it has free download slots; with Scrapy's larger defaults the first
  worker pulls the whole queue and the others idle (measured, shared/research/dependencies.md).
* ``MAX_IDLE_TIME_BEFORE_CLOSE`` (seconds) so a ``RedisSpider`` exits when the queue stays
  empty; a plain spider closes when the shared queue is empty and nothing is in flight.

The correctness settings are set at least at the priority they already have, so project
settings cannot quietly turn the shared scheduler back into a local one.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from scrapy.settings import SETTINGS_PRIORITIES
from scrapy_redis.scheduler import Scheduler

from trilha.errors import ConfigError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

DEFAULT_WORKER_CONCURRENCY = 16
DEFAULT_MAX_IDLE_S = 10
DEFAULT_KEY_TTL_S = 24 * 3600


def redis_keys(crawl_key: str) -> dict[str, str]:
    """The scrapy-redis key templates for one crawl (``%(spider)s`` is filled in by scrapy-redis)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in crawl_key) or "default"
    return {
        "SCHEDULER_QUEUE_KEY": f"trilha:%(spider)s:{safe}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"trilha:%(spider)s:{safe}:dupefilter",
    }


def distributed_settings(
    redis_url: str,
    crawl_key: str,
    *,
    concurrency: int = DEFAULT_WORKER_CONCURRENCY,
    max_idle_s: int = DEFAULT_MAX_IDLE_S,
) -> dict[str, Any]:
    """The settings the add-on applies (pure; tested without Redis)."""
    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"not a Redis URL: {redis_url!r} (expected redis://host:port/db)")
    return {
        "SCHEDULER": "crawler.addons.RedisScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_SERIALIZER": "crawler.redis_json",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_FLUSH_ON_START": False,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
        "MAX_IDLE_TIME_BEFORE_CLOSE": max_idle_s,
        "REDIS_URL": redis_url,
        **redis_keys(crawl_key),
        "_TRILHA_WORKER_CONCURRENCY": concurrency,
    }


class DistributedAddon:
    """Scrapy add-on: share the crawl's request queue and dupefilter through Redis."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        redis_url = settings.get("REDIS_URL") or os.environ.get("TRILHA_REDIS_URL") or ""
        if not redis_url:
            raise ConfigError("the distributed crawl needs a Redis URL (REDIS_URL or env TRILHA_REDIS_URL)")
        crawl_key = str(
            settings.get("TRILHA_CRAWL_KEY")
            or settings.get("TRILHA_CRAWL_ID")
            or os.environ.get("TRILHA_CRAWL_KEY")
            or "default"
        )
        concurrency = settings.getint("TRILHA_WORKER_CONCURRENCY", DEFAULT_WORKER_CONCURRENCY)
        max_idle = settings.getint("MAX_IDLE_TIME_BEFORE_CLOSE", 0) or DEFAULT_MAX_IDLE_S
        wanted = distributed_settings(redis_url, crawl_key, concurrency=concurrency, max_idle_s=max_idle)
        cap = wanted.pop("_TRILHA_WORKER_CONCURRENCY")
        floor = SETTINGS_PRIORITIES["addon"]
        for name, value in wanted.items():
            settings.set(name, value, priority=max(floor, settings.getpriority(name) or 0))
        for name in ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN"):
            if settings.getint(name) > cap:
                settings.set(name, cap, priority=max(floor, settings.getpriority(name) or 0))
        logger.info("distributed crawl: queue %s on %s", wanted["SCHEDULER_QUEUE_KEY"], redis_url)


class RedisScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's Scheduler, minus the ``spider=`` argument Scrapy 2.19 deprecates in stats calls.

    On close the crawl's keys are kept (``SCHEDULER_PERSIST``: other workers may still be
    running) but get a TTL (``TRILHA_REDIS_KEY_TTL`` seconds, default one day).
    """

    key_ttl_s: int = DEFAULT_KEY_TTL_S

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        instance: RedisScheduler = super().from_crawler(crawler)
        instance.key_ttl_s = crawler.settings.getint("TRILHA_REDIS_KEY_TTL", DEFAULT_KEY_TTL_S)
        return instance

    def close(self, reason: str) -> None:
        super().close(reason)
        if self.persist and self.key_ttl_s > 0:
            for key in (self.queue.key, self.df.key):
                self.server.expire(key, self.key_ttl_s)

    def enqueue_request(self, request: Any) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Any:
        request = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
