"""``run_crawl``: the one place that starts Scrapy (in-process, ``AsyncCrawlerProcess``).

It opens or resumes a crawl in the store, gives the spider its targets with the
validators and previous results of earlier crawls, runs it to the end, decides whether
the machine was offline (:mod:`crawler.offline`) and closes the crawl.  Twisted's reactor
cannot be restarted, so one process runs one crawl (tests run the CLI in a subprocess).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from crawler import offline
from crawler.remap import parse_remaps
from crawler.spiders.targets import Target
from trilha import gcpolicy
from trilha.config import Config
from trilha.errors import CrawlError
from trilha.model import CheckResult, Verdict
from trilha.store import crawls
from trilha.store.engine import Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class CrawlOutcome:
    crawl_id: int
    status: str                      # finished | interrupted | running (other workers still checking)
    offline: bool = False
    offline_reason: str = ""
    resumed: bool = False
    checked: int = 0                 # checks written by this run
    skipped_done: int = 0            # targets already checked (resume)
    stats: dict[str, Any] = field(default_factory=dict)


def _open(store: Store, list_id: int | None, config: Config, resume: bool) -> tuple[int, bool, set[str]]:
    if resume:
        candidate = crawls.resume_candidate(store, list_id=list_id)
        if candidate is not None:
            crawls.reopen_crawl(store, candidate)
            return candidate, True, crawls.checked_canonicals(store, candidate)
    settings = {"remap": list(config.remap), "allow_private": config.allow_private, "timeout": config.timeout,
                "include": list(config.include), "exclude": list(config.exclude)}
    return crawls.start_crawl(store, list_id=list_id, settings=settings), False, set()


_STREAMING_LOGGER = "scrapy.core.downloader.handlers._base_streaming"


class _LibraryNoise(logging.Filter):
    """Drops Scrapy's and Twisted's records below ``level`` (Scrapy resets its loggers' levels)."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".", 1)[0] in ("scrapy", "twisted", "asyncio", "py"):
            if record.name == _STREAMING_LOGGER and "is experimental" in str(record.msg):
                return False    # trilha chose the handler knowingly (crawler.settings.http_engine_settings)
            return record.levelno >= self.level
        return True


def _quiet_scrapy_logs(root_level: int) -> None:
    """Scrapy's INFO/DEBUG lines (and item reprs) only with ``-vv``."""
    level = logging.DEBUG if root_level and root_level <= logging.DEBUG else logging.WARNING
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _LibraryNoise) for f in handler.filters):
            handler.addFilter(_LibraryNoise(level))


@dataclass(slots=True, kw_only=True)
class PartReport:
    """What one Scrapy run over (part of) a crawl's targets observed."""

    reason: str                                  # Scrapy's finish_reason ("finished": ran to the end)
    stats: dict[str, Any] = field(default_factory=dict)
    host_failures: dict[str, str] = field(default_factory=dict)
    hosts_answered: set[str] = field(default_factory=set)
    network_failed: list[CheckResult] = field(default_factory=list)


def crawl_part(store: Store, todo: Sequence[Target], config: Config, crawl_id: int,
               progress: Callable[[CheckResult, Any], None] | None = None) -> PartReport:
    """Run Scrapy once over ``todo`` for the open crawl ``crawl_id`` (one per process).

    Scrapy is imported here, not at module level: a parent that only hands the crawl to
    worker processes never loads it (about 25 MB less while they run).
    """
    from scrapy.crawler import AsyncCrawlerProcess

    from crawler.settings import preload_http_engine, scrapy_settings
    from crawler.spiders.links import LinkSpider

    canonicals = [t.canonical for t in todo]
    validators = crawls.last_validators(store, canonicals)
    previous = crawls.last_results(store, canonicals)
    metas = crawls.last_metas(store, canonicals)
    previous = {k: replace(v, meta=metas.get(k)) for k, v in previous.items()}
    archived = crawls.archived_snapshots(store, canonicals)
    settings = scrapy_settings(config)
    if config.redis_url:
        # the Redis keys of a shared crawl: the name the closing reads the leases under (_shared_status)
        settings["TRILHA_CRAWL_KEY"] = crawls.crawl_key(store, crawl_id)
    preload_http_engine(config.http_engine)
    settings["LOG_INSTALL_ROOT_HANDLER"] = False
    root_level = logging.getLogger().level
    if not (root_level and root_level <= logging.DEBUG):
        settings["LOG_FORMATTER"] = "crawler.logformatter.QuietLogFormatter"
    _quiet_scrapy_logs(root_level)
    process = AsyncCrawlerProcess(settings)
    logging.getLogger().setLevel(root_level)          # Scrapy's configure_logging lowers it
    crawler = process.create_crawler(LinkSpider)
    process.crawl(crawler, targets=todo, validators=validators, previous=previous, archived=archived,
                  wayback=config.wayback, enrich=config.enrich,
                  store=store, crawl_id=crawl_id, progress=progress)
    with gcpolicy.crawling():
        process.start()
    stats = {k: v for k, v in (crawler.stats.get_stats() if crawler.stats else {}).items()
             if isinstance(v, int | float | str)}
    report = PartReport(reason=str(stats.get("finish_reason", "")), stats=stats)
    spider = crawler.spider
    if isinstance(spider, LinkSpider):
        report.host_failures = dict(spider.host_failures)
        report.hosts_answered = set(spider.hosts_answered)
        report.network_failed = list(spider.network_failed)
    return report


def merge_reports(reports: Sequence[PartReport]) -> PartReport:
    """One report for a crawl run by several workers: counts add up, it finished if all did."""
    unfinished = [r.reason for r in reports if r.reason != "finished"]
    if reports and not unfinished:
        merged = PartReport(reason="finished")
    else:
        merged = PartReport(reason=(unfinished[0] if unfinished else "") or "interrupted")
    for report in reports:
        for key, value in report.stats.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                merged.stats[key] = merged.stats.get(key, 0) + value
            else:
                merged.stats.setdefault(key, value)
        for host, code in report.host_failures.items():
            merged.host_failures.setdefault(host, code)
        merged.hosts_answered |= report.hosts_answered
        merged.network_failed.extend(report.network_failed)
    merged.stats["finish_reason"] = merged.reason
    return merged


def run_crawl(
    store: Store,
    targets: Sequence[Target],
    config: Config,
    *,
    list_id: int | None = None,
    resume: bool = False,
    progress: Callable[[CheckResult, Any], None] | None = None,
    probe_fn: Callable[[], bool] = offline.probe,
    pool: Any = None,
) -> CrawlOutcome:
    """Open (or resume) a crawl, check ``targets`` in this process or in ``config.workers``
    processes (:mod:`crawler.workers`), decide offline, close the crawl.

    ``pool``: a :class:`crawler.workers.WorkerPool` started ahead by the caller (used when
    the crawl is shared between processes; the caller closes it).
    """
    parse_remaps(config.remap)                  # ConfigError before a crawl is opened
    crawl_id, resumed, done = _open(store, list_id, config, resume)
    todo = [t for t in targets if t.canonical not in done]
    try:
        from crawler import workers

        parts = workers.partition(todo, workers.worker_count(config, len(todo), store.url))
        if len(parts) > 1:
            report = merge_reports(workers.run_workers(store.url, crawl_id, parts, config, progress, pool))
        else:
            if pool is not None:
                pool.let_go()                   # one process after all: the early workers leave (joined later)
            report = crawl_part(store, todo, config, crawl_id, progress)
    except Exception as exc:
        crawls.finish_crawl(store, crawl_id, status=_failed_status(store, crawl_id, targets, config))
        raise CrawlError(f"crawl failed: {exc}") from exc
    stats, reason = report.stats, report.reason
    stats["workers"] = max(len(parts), 1)
    decision = offline.OfflineDecision(False, 0, 0, "")
    if report.host_failures:
        decision = offline.decide(report.host_failures, report.hosts_answered, probe_fn=probe_fn)
        if decision.offline and report.network_failed:
            rewritten = [replace(r, verdict=Verdict.OFFLINE, reason=f"offline: {r.reason or r.error}")
                         for r in report.network_failed]
            for i in range(0, len(rewritten), 50):
                crawls.save_checks(store, crawl_id, rewritten[i : i + 50])
    status = "finished" if reason == "finished" else "interrupted"
    stats["offline_reason"] = decision.reason
    if config.redis_url:
        status = _closing_status(store, crawl_id, targets, config.redis_url, interrupted=status != "finished")
    # "running" adds this run's stats and leaves the status to the last worker; a crawl
    # another worker already closed as finished stays finished (and is reported so)
    status = crawls.finish_crawl(store, crawl_id, status=status, stats=stats, offline=decision.offline) or status
    written = int(stats.get("item_scraped_count", 0))
    return CrawlOutcome(crawl_id=crawl_id, status=status, offline=decision.offline,
                        offline_reason=decision.reason, resumed=resumed, checked=written,
                        skipped_done=len(targets) - len(todo), stats=stats)


def _closing_status(store: Store, crawl_id: int, targets: Sequence[Target], redis_url: str, *,
                    interrupted: bool) -> str:
    """:func:`_shared_status`, or, when Redis cannot be asked (down since the crawl ran),
    what the store alone tells: ``finished`` if every target has its check, else
    ``interrupted`` (``--resume`` checks the rest), with one line saying so."""
    try:
        return _shared_status(store, crawl_id, targets, redis_url, interrupted=interrupted)
    except Exception as exc:  # noqa: BLE001 - redis' errors, whatever the client raises: decide from the store
        missing = {t.canonical for t in targets} - crawls.checked_canonicals(store, crawl_id)
        logger.warning("Redis could not tell which workers are still running (%s); %s", _first_line(exc),
                       "every resource has its check" if not missing
                       else f"{len(missing)} resources have no check: `trilha crawl --resume` checks them")
        return "finished" if not missing else "interrupted"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _failed_status(store: Store, crawl_id: int, targets: Sequence[Target], config: Config) -> str:
    """The status a crawl gets when this run failed: ``failed``, except in a crawl shared
    through Redis that other workers still hold (``running``: theirs to close) or that is
    complete anyway (``finished``)."""
    if config.redis_url:
        try:
            status = _shared_status(store, crawl_id, targets, config.redis_url, interrupted=True)
        except Exception:  # noqa: BLE001 - Redis may be what failed: the crawl then failed
            return "failed"
        if status in ("running", "finished"):
            return status
    return "failed"


_LINK_SPIDER = "trilha-links"       # crawler.spiders.links.LinkSpider.name (not imported here: Scrapy)


def _shared_status(store: Store, crawl_id: int, targets: Sequence[Target], redis_url: str, *,
                   interrupted: bool = False) -> str:
    """The status of a crawl shared through Redis once this worker's spider closed.

    ``finished`` when every target has a check in the crawl: the worker that finds that
    closes it.  Otherwise the missing resources are claimed by other worker runs: while
    one of them holds its lease the crawl stays ``running`` (the last of them closes it),
    also when this worker was ``interrupted`` (Ctrl-C on one worker does not stop the
    others' crawl); with none left (killed, crashed, interrupted), it is ``interrupted``
    and ``--resume`` takes their claims over (crawler.addons.ClaimStartMiddleware).

    The leases are read *before* the checks: a worker marks its lease ``done`` only after
    its last checks are written (crawler.addons), so a lease seen gone or done here means
    its checks are in the read that follows.  (Checks first, a worker finishing between
    the two reads looked both unchecked and gone, and a finished crawl became
    ``interrupted``.)  Of two workers finishing together, the one reading later sees the
    other's lease done and every check: one of them always closes the crawl.
    """
    from crawler.leases import live_workers

    live = live_workers(redis_url, _LINK_SPIDER, crawls.crawl_key(store, crawl_id))
    missing = {t.canonical for t in targets} - crawls.checked_canonicals(store, crawl_id)
    if not missing:
        return "finished"
    if live and interrupted:
        logger.warning("this worker was interrupted; the crawl stays running for the %d other worker(s) "
                       "still holding leases (%d resources have no check yet)", live, len(missing))
        return "running"
    if live:
        logger.warning("%d resources still being checked by other workers; the last worker to finish "
                       "closes the crawl", len(missing))
        return "running"
    if not interrupted:
        logger.warning("%d resources have no check and no worker is checking them (a worker stopped); "
                       "`trilha crawl --resume` checks them", len(missing))
    return "interrupted"
