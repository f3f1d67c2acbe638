"""Scrapy settings built from trilha's :class:`trilha.config.Config` (a pure function).

Lean on purpose (shared/research/dependencies.md §1, §7): the remote-control server
and the telnet console are off (the first runs code sent to it), ``CONCURRENT_ITEMS``
is 1 (Scrapy starts that many tasks per response; the callbacks return short lists),
per-request downloader stats are off, and the components a link checker
does not use (offsite, cookies, proxy, cache, Scrapy's own retry/redirect, which the
spider and :mod:`crawler.middlewares.retry` do themselves, hop by hop) are disabled.
robots.txt is not obeyed by default: a link checker fetches single URLs a person put
in a list, as lychee and markdown-link-check do (LinkChecker obeys it); see
``docs/verdicts.md``.
"""

from __future__ import annotations

import importlib
from typing import Any

from trilha.config import POLITE_HOSTS, Config


#: Scrapy's own components a link checker uses (Scrapy 2.19 defaults minus offsite, auth,
#: retry, redirect, meta refresh, cookies, proxy, per-request stats and cache: the spider and
#: crawler.middlewares do retries and redirects themselves, hop by hop; the spider puts
#: ``download_timeout`` in every request's meta and crawler.middlewares.headers sets the
#: User-Agent and default headers, so DownloadTimeout, DefaultHeaders and UserAgent are off).
LEAN_DOWNLOADER_MIDDLEWARES: dict[str, int] = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": 100,        # only if robots = true
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,
}
#: no HttpError (every request of the spider carries ``handle_httpstatus_all``)
LEAN_SPIDER_MIDDLEWARES: dict[str, int] = {
    "scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25,
}
#: no telnet console, no remote control (off by setting too), no memory usage, log stats,
#: feed export, spider state or close-spider conditions.
LEAN_EXTENSIONS: dict[str, int] = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.throttle.AutoThrottle": 0,                 # only if autothrottle is on
}


def download_slots(config: Config) -> dict[str, dict[str, Any]]:
    """Per-host concurrency and delay: polite defaults, then the config's host table."""
    slots: dict[str, dict[str, Any]] = {}
    for host, spec in POLITE_HOSTS.items():
        slots[host] = {"concurrency": spec["concurrency"], "delay": spec["delay"], "jitter": 0.0}
    for host, override in config.hosts.items():
        slot = dict(slots.get(host, {"concurrency": config.per_host_concurrency, "delay": config.delay}))
        if override.concurrency is not None:
            slot["concurrency"] = override.concurrency
        if override.delay is not None:
            slot["delay"] = override.delay
        slot["jitter"] = 0.0
        slots[host] = slot
    return slots


#: Scrapy 2.19's asyncio-native HTTP handler (aiohttp): with ``TWISTED_REACTOR_ENABLED=False``
#: Scrapy runs on a plain asyncio loop, with no Twisted reactor and no Deferred/Future bridge.
AIOHTTP_HANDLER = "scrapy.core.downloader.handlers._aiohttp.AiohttpDownloadHandler"


def http_engine_settings(engine: str) -> dict[str, Any]:
    """Settings of the HTTP stack: ``asyncio`` (default) or ``twisted``.

    ``asyncio``: a bare Scrapy spider here spends about 2 ms of CPU per response with it
    against about 4.5 ms on Twisted's HTTP/1.1 client over the asyncio reactor (20,000
    loopback responses, docs/benchmarks.md).  Scrapy calls the handler "experimental";
    its failures are Scrapy's own exceptions (``CannotResolveHostError``,
    ``DownloadTimeoutError``…), named by :mod:`crawler.spiders.failures` like Twisted's,
    and the whole crawler test suite runs on both engines.
    """
    if engine == "twisted":
        return {"TWISTED_REACTOR_ENABLED": True}
    return {"TWISTED_REACTOR_ENABLED": False,
            "DOWNLOAD_HANDLERS": {"http": AIOHTTP_HANDLER, "https": AIOHTTP_HANDLER}}


def preload_http_engine(engine: str) -> None:
    """Import the HTTP handler before the loop runs.

    Scrapy's Twisted TLS modules build deprecated aliases with ``inspect.stack()`` at import,
    whose cost grows with the stack depth (about 0.3 s here against about 1 s from inside
    the running reactor).
    """
    if engine == "twisted":
        import scrapy.core.downloader.handlers.http11  # noqa: F401
    else:
        importlib.import_module(AIOHTTP_HANDLER.rpartition(".")[0])


def scrapy_settings(config: Config) -> dict[str, Any]:
    """The Scrapy settings dict for one crawl with this config."""
    settings: dict[str, Any] = {
        "BOT_NAME": "trilha",
        "USER_AGENT": config.user_agent,
        "ROBOTSTXT_OBEY": config.robots,
        "REMOTE_CONTROL_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "CONCURRENT_ITEMS": 1,          # callbacks return short lists; one worker task per response
        "DOWNLOADER_STATS": False,      # per-request byte counts (request_httprepr) nobody reads
        "CONCURRENT_REQUESTS": config.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": config.per_host_concurrency,
        "DOWNLOAD_DELAY": config.delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if config.delay > 0 else 0.0,
        "DOWNLOAD_SLOTS": download_slots(config),
        "AUTOTHROTTLE_ENABLED": config.autothrottle and config.delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(config.delay, 0.1),
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(max(config.per_host_concurrency, 1)),
        "DOWNLOAD_TIMEOUT": config.timeout,
        "DOWNLOAD_MAXSIZE": config.max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "DNSCACHE_ENABLED": True,
        "DNS_TIMEOUT": min(config.timeout, 10.0),
        "RETRY_ENABLED": False,
        "REDIRECT_ENABLED": False,
        "METAREFRESH_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "DEPTH_LIMIT": 0,
        "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
        "LOG_LEVEL": "WARNING",
        "STATS_DUMP": False,
        "LOGSTATS_INTERVAL": 0,
        "MEMUSAGE_ENABLED": False,
        # The *_BASE dicts are replaced, not patched with ``None``: Scrapy imports every class
        # named in them (even disabled ones) to normalise the keys; the defaults pull in aiohttp
        # (remote control), tldextract (cookies) and more, about 0.6 s per process.
        "DOWNLOADER_MIDDLEWARES_BASE": LEAN_DOWNLOADER_MIDDLEWARES,
        "SPIDER_MIDDLEWARES_BASE": LEAN_SPIDER_MIDDLEWARES,
        "EXTENSIONS_BASE": LEAN_EXTENSIONS,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,   # the spider follows hops itself
            "crawler.middlewares.sizecap.EarlyStopMiddleware": 90,
            "crawler.middlewares.headers.HostHeadersMiddleware": 410,
            "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
            "crawler.middlewares.headers.ConditionalMiddleware": 560,
            "crawler.middlewares.remap.RemapMiddleware": 960,
            "crawler.middlewares.guard.AddressGuardMiddleware": 970,
        },
        "SPIDER_MIDDLEWARES": {},
        "ITEM_PIPELINES": {"crawler.pipelines.store.StorePipeline": 300},
        "EXTENSIONS": {
            "scrapy.extensions.telnet.TelnetConsole": None,
            "scrapy.extensions.memusage.MemoryUsage": None,
            "scrapy.extensions.logstats.LogStats": None,
            "scrapy.extensions.memdebug.MemoryDebugger": None,
            "scrapy.extensions.closespider.CloseSpider": None,
            "scrapy.extensions.feedexport.FeedExporter": None,
            "scrapy.extensions.spiderstate.SpiderState": None,
            "crawler.extensions.progress.ProgressExtension": 500,
        },
        # trilha's own (read by the middlewares, the spider and the pipeline)
        "TRILHA_REMAP": list(config.remap),
        "TRILHA_ALLOW_PRIVATE": config.allow_private,
        "TRILHA_RETRIES": config.retries,
        "TRILHA_RETRY_BASE_DELAY": config.retry_base_delay,
        "TRILHA_RETRY_MAX_DELAY": config.retry_max_delay,
        "TRILHA_MAX_PAGE_BYTES": config.max_page_bytes,
        "TRILHA_BATCH_SIZE": max(config.batch_size, 1),
        "TRILHA_HOST_HEADERS": {h: dict(o.headers) for h, o in config.hosts.items() if o.headers},
        "TRILHA_HOST_ACCEPT": {h: list(o.accept) for h, o in config.hosts.items() if o.accept},
        "TRILHA_GITHUB_TOKEN": config.github_token,
        "TRILHA_VIDEO_DURATIONS": config.video_durations,
    }
    settings.update(http_engine_settings(config.http_engine))
    if config.redis_url:
        settings["ADDONS"] = {"crawler.addons.DistributedAddon": 100}
        settings["REDIS_URL"] = config.redis_url
    return settings
