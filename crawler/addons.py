"""Scale-out: several crawler workers share one crawl through Redis (scrapy-redis).

Wiring (done by the crawler when the config has a ``redis_url``)::

    ADDONS = {"crawler.addons.DistributedAddon": 100}
    REDIS_URL = "redis://127.0.0.1:6379/0"     # or env TRILHA_REDIS_URL

Every worker runs the same spider over the same targets, in the same crawl of the store
(the first worker starts it; the others join with ``trilha crawl --resume``).  The add-on
shares the work in one of two modes (``TRILHA_REDIS_MODE``):

``claim`` (default; what trilha's LinkSpider needs)
    :class:`ClaimStartMiddleware` wraps the spider's ``start()``: before a start request
    (or a start item) leaves a worker, the worker claims it in a Redis hash keyed by the
    crawl (claim → the worker run's token, set by one atomic script); a claim another live
    worker holds drops it, so each resource is checked by exactly one worker, once.  Each
    worker run holds a lease (a key with a TTL, ``TRILHA_REDIS_LEASE_S``, default 15 s,
    renewed every third of it while its spider runs; when the spider closes it becomes
    ``done`` if the spider finished, else it is deleted); the claims of a worker whose
    lease is gone (killed, crashed, interrupted) may be taken over by any worker, which is
    how ``trilha crawl --resume`` finishes a crawl a dead worker left.  The middleware claims only
    while the downloader has free slots (Scrapy's "lazy start" pattern), so a busy worker
    claims less and the work spreads like a shared queue (each worker keeps at most
    ``CONCURRENT_REQUESTS`` claimed requests waiting for a download slot).  Follow-up requests (redirect
    hops, HEAD→GET, adapter API calls) stay in the worker that owns the resource: the
    spider keeps live Python objects in ``request.meta``, which no queue could carry safely.
``queue``
    scrapy-redis's own Scheduler and ``RFPDupeFilter``: every request goes through one
    Redis queue, JSON-encoded (:mod:`crawler.redis_json`; scrapy-redis's default is
    pickle, which would let anyone who can write to Redis run code in every worker).
    For spiders whose requests carry only plain data and do not set ``dont_filter``.

Common to both: ``REDIS_URL``; a key per crawl (``TRILHA_CRAWL_KEY``, which trilha's
crawler sets to the store's name for the crawl, its id and start time; else the spider's
``crawl_id``, else ``TRILHA_CRAWL_ID``); the keys persist while other workers may still
run and then expire (``TRILHA_REDIS_KEY_TTL``, default one day); ``CONCURRENT_REQUESTS``
capped at ``TRILHA_WORKER_CONCURRENCY`` (default 16) so one worker cannot take all the
work (measured in shared/research/dependencies.md: at Scrapy's defaults the first
scrapy-redis worker pulled the whole queue and the other idled).

Setting names follow scrapy-redis 0.9.1 (``scrapy_redis/scheduler.py``, ``defaults.py``,
``connection.py``); the add-on API is Scrapy's (``scrapy/addons.py``: ``update_settings``).
The correctness settings are set at least at the priority they already have, so project
settings cannot quietly turn the shared scheduler back into a local one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.scheduler import Scheduler

from crawler.leases import (  # noqa: F401 - the add-on's names, kept importable from here
    LEASE_ALIVE,
    LEASE_DONE,
    OWN_LEASES,
    claim_key,
    lease_prefix,
    live_workers,
    safe_key,
)
from trilha.errors import ConfigError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

DEFAULT_WORKER_CONCURRENCY = 16
DEFAULT_MAX_IDLE_S = 10
DEFAULT_KEY_TTL_S = 24 * 3600
DEFAULT_LEASE_S = 15
MODES = ("claim", "queue")
BACKOUT_POLL_S = 0.005
CLAIM_MIDDLEWARE = "crawler.addons.ClaimStartMiddleware"
CLAIMED = "trilha_claimed"


def redis_keys(crawl_key: str) -> dict[str, str]:
    """The scrapy-redis key templates for one crawl (``%(spider)s`` is filled in by scrapy-redis)."""
    safe = safe_key(crawl_key)
    return {
        "SCHEDULER_QUEUE_KEY": f"trilha:%(spider)s:{safe}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"trilha:%(spider)s:{safe}:dupefilter",
    }


#: Claim ARGV[1] for the worker run ARGV[2]: granted when nobody holds it, this run holds
#: it, or its holder's lease (ARGV[3] .. holder) is gone.  Redis runs a script without
#: interleaving other commands, so two workers never both win (one round trip, like SADD).
#: redis-py's ``register_script``: github.com/redis/redis-py/blob/v4.4.0/docs/lua_scripting.rst;
#: a missing hash field is ``false`` in Lua.
CLAIM_SCRIPT = """
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if holder == false or holder == ARGV[2] or redis.call('EXISTS', ARGV[3] .. holder) == 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
"""


def distributed_settings(
    redis_url: str,
    crawl_key: str,
    *,
    mode: str = "claim",
    max_idle_s: int = DEFAULT_MAX_IDLE_S,
) -> dict[str, Any]:
    """The scalar settings the add-on applies (pure; tested without Redis)."""
    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"not a Redis URL: {redis_url!r} (expected redis://host:port/db)")
    if mode not in MODES:
        raise ConfigError(f"TRILHA_REDIS_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    # every start request goes through the spider middlewares (the claims), not straight to
    # the engine (crawler.spiders.links.LinkSpider.start)
    common: dict[str, Any] = {"REDIS_URL": redis_url, "TRILHA_REDIS_MODE": mode, "TRILHA_YIELD_START": True}
    if mode == "claim":
        return common
    return {
        **common,
        "SCHEDULER": "crawler.addons.RedisScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_SERIALIZER": "crawler.redis_json",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_FLUSH_ON_START": False,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
        "MAX_IDLE_TIME_BEFORE_CLOSE": max_idle_s,
        **redis_keys(crawl_key),
    }


def _crawl_key(settings: BaseSettings) -> str:
    return str(
        settings.get("TRILHA_CRAWL_KEY")
        or settings.get("TRILHA_CRAWL_ID")
        or os.environ.get("TRILHA_CRAWL_KEY")
        or "default"
    )


def _int_setting(settings: BaseSettings, name: str, default: int) -> int:
    """A Scrapy setting, else the environment variable of the same name, else ``default``."""
    if settings.get(name) is not None:
        return settings.getint(name, default)
    try:
        return int(os.environ.get(name, default))
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number of seconds, not {os.environ[name]!r}") from exc


class DistributedAddon:
    """Scrapy add-on: share one crawl between worker processes through Redis."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        redis_url = settings.get("REDIS_URL") or os.environ.get("TRILHA_REDIS_URL") or ""
        if not redis_url:
            raise ConfigError("the distributed crawl needs a Redis URL (REDIS_URL or env TRILHA_REDIS_URL)")
        mode = str(settings.get("TRILHA_REDIS_MODE") or "claim")
        max_idle = settings.getint("MAX_IDLE_TIME_BEFORE_CLOSE", 0) or DEFAULT_MAX_IDLE_S
        wanted = distributed_settings(redis_url, _crawl_key(settings), mode=mode, max_idle_s=max_idle)
        floor = SETTINGS_PRIORITIES["addon"]
        for name, value in wanted.items():
            settings.set(name, value, priority=max(floor, settings.getpriority(name) or 0))
        if mode == "claim":
            settings["SPIDER_MIDDLEWARES"][CLAIM_MIDDLEWARE] = 50
        cap = settings.getint("TRILHA_WORKER_CONCURRENCY", DEFAULT_WORKER_CONCURRENCY)
        for name in ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN"):
            if settings.getint(name) > cap:
                settings.set(name, cap, priority=max(floor, settings.getpriority(name) or 0))
        logger.info("distributed crawl (%s mode) through %s", mode, redis_url)


def claim_id(output: Any) -> str | None:
    """What a start output claims: one resource (its canonical URL), a batch, or a request.

    ``None`` means "not claimed": every worker sends it (the spider's shared enrichment
    lookups, whose answers each worker needs for its own resources).
    """
    if isinstance(output, Request):
        meta = output.meta
        if "trilha_enrich" in meta or meta.get("trilha_unclaimed"):
            return None
        job = meta.get("trilha_job")
        target = getattr(job, "target", None)
        if target is not None and getattr(target, "canonical", None):
            return f"job:{target.canonical}"
        batch = meta.get("trilha_batch")
        if batch is not None and getattr(batch, "keys", None):
            return "batch:" + "|".join(map(str, batch.keys))
        return f"req:{output.method} {output.url} {output.body.hex()}"
    canonical = getattr(output, "canonical", None)
    if isinstance(canonical, str) and canonical:
        return f"item:{canonical}"
    return None


class ClaimStartMiddleware:
    """Spider middleware: a start request or item leaves only the worker that claimed it in Redis."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.server = get_redis_from_settings(crawler.settings)
        self.ttl = _int_setting(crawler.settings, "TRILHA_REDIS_KEY_TTL", DEFAULT_KEY_TTL_S)
        self.lease_s = max(_int_setting(crawler.settings, "TRILHA_REDIS_LEASE_S", DEFAULT_LEASE_S), 1)
        #: this worker run: its claims carry the token, its lease is ``<lease prefix><token>``
        self.token = uuid.uuid4().hex
        self.lease_key = ""
        self._renewal: asyncio.TimerHandle | None = None
        self._claim = self.server.register_script(CLAIM_SCRIPT)
        #: claimed requests not yet handed to the downloader: a small local buffer, so a
        #: freed download slot is refilled at once instead of at the next poll
        self.prefetch = max(crawler.settings.getint("CONCURRENT_REQUESTS", DEFAULT_WORKER_CONCURRENCY), 1)
        self.waiting = 0
        crawler.signals.connect(self._reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(self._release_lease, signal=signals.spider_closed)

    def _reached_downloader(self, request: Request, spider: Any = None) -> None:
        if request.meta.pop(CLAIMED, False):
            self.waiting -= 1

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClaimStartMiddleware:
        return cls(crawler)

    def _crawl(self) -> tuple[str, str]:
        """(spider name, crawl key): ``TRILHA_CRAWL_KEY`` (trilha's crawler sets it to the
        store's name for the crawl, :func:`trilha.store.crawls.crawl_key`, which the crawl's
        closing reads the leases under too), else the spider's ``crawl_id``, else
        ``TRILHA_CRAWL_ID`` or the environment's ``TRILHA_CRAWL_KEY``."""
        spider = self.crawler.spider
        settings = self.crawler.settings
        crawl = settings.get("TRILHA_CRAWL_KEY") or getattr(spider, "crawl_id", None) or _crawl_key(settings)
        return getattr(spider, "name", "spider"), str(crawl)

    def _renew_lease(self) -> None:
        """Hold the lease while the spider runs: the claims stay this worker's until it closes."""
        try:
            self.server.set(self.lease_key, LEASE_ALIVE, ex=self.lease_s)
        except Exception:                       # Redis away for a moment: the next renewal tries again
            logger.exception("could not renew the worker lease %s", self.lease_key)
        self._renewal = asyncio.get_running_loop().call_later(self.lease_s / 3, self._renew_lease)

    def _release_lease(self, spider: Any = None, reason: str = "") -> None:
        """After the spider closed (its checks are written).

        Finished: every claim of this run has its check, so the lease stays as ``done``
        (as long as the claims) and nobody takes those claims over.  Interrupted: the
        lease goes, and the claims of resources still without a check are free for
        ``--resume`` (another worker may also redo one this run did check: more work,
        still one check per resource in the store).

        Scrapy sends ``spider_closed`` after the item pipelines' ``close_spider`` (the
        store pipeline's last flush; scrapy/core/engine.py ``close_spider_async``: scraper
        closed, then the signal), so a lease seen ``done`` or gone means that run's checks
        are in the store: crawler.run._shared_status reads the leases before the checks.
        """
        if self._renewal is not None:
            self._renewal.cancel()
            self._renewal = None
        if not self.lease_key:
            return
        if reason == "finished":
            self.server.set(self.lease_key, LEASE_DONE, ex=self.ttl if self.ttl > 0 else None)
        else:
            self.server.delete(self.lease_key)

    async def _until_capacity(self) -> None:
        """Claim only when this worker can download now (Scrapy's "lazy start" pattern).

        Scrapy's engine otherwise consumes ``start()`` eagerly into the local scheduler, and
        the first worker would claim everything before the others start.
        """
        engine = self.crawler.engine
        while engine is not None and engine.running and engine.needs_backout() and self.waiting >= self.prefetch:
            await asyncio.sleep(BACKOUT_POLL_S)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        crawl = self._crawl()           # one store lookup for both keys
        key, prefix = claim_key(*crawl), lease_prefix(*crawl)
        self.lease_key = prefix + self.token
        OWN_LEASES.add(self.lease_key)
        self._renew_lease()
        stats = self.crawler.stats
        won = lost = 0
        try:
            async for output in start:
                claim = claim_id(output)
                if claim is not None:
                    await self._until_capacity()
                if claim is None:
                    yield output
                elif self._claim(keys=[key], args=[claim, self.token, prefix]):
                    won += 1
                    if isinstance(output, Request):
                        output.meta[CLAIMED] = True
                        self.waiting += 1
                    yield output
                else:
                    lost += 1
        finally:
            if self.ttl > 0:
                self.server.expire(key, self.ttl)
            if stats is not None:
                stats.set_value("trilha/claims/won", won)
                stats.set_value("trilha/claims/lost", lost)
            logger.info("claimed %d start outputs in %s; %d were claimed by other workers", won, key, lost)


class RedisScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's Scheduler, minus the ``spider=`` argument Scrapy 2.19 deprecates in stats calls.

    On close the crawl's keys are kept (``SCHEDULER_PERSIST``: other workers may still be
    running) but get a TTL (``TRILHA_REDIS_KEY_TTL`` seconds, default one day).
    """

    key_ttl_s: int = DEFAULT_KEY_TTL_S

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        instance: RedisScheduler = super().from_crawler(crawler)
        instance.key_ttl_s = _int_setting(crawler.settings, "TRILHA_REDIS_KEY_TTL", DEFAULT_KEY_TTL_S)
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
