"""Several crawler processes on one machine sharing one crawl (the ``workers`` setting).

Scrapy runs one event loop in one process, so a crawl of many links is bound by one core
(docs/benchmarks.md).  With ``workers = N`` the parent process reads and stores the list
once, opens the crawl, then starts N processes (``multiprocessing``'s *spawn* context:
nothing of the parent's open database connections or loop is inherited), each running
:func:`crawler.run.crawl_part` over its own share of the targets into the same store
(SQLite in WAL mode with a busy timeout, or PostgreSQL).  The parent draws the progress
from the workers' events and decides "offline" for the crawl as a whole.

Shares are whole *hosts* (all targets of one site adapter, e.g. every arXiv link, count
as one host): a host's per-host concurrency and delay hold exactly as with one process
(the total ``concurrency`` is divided between the workers: :func:`worker_config`),
and batched APIs (arXiv's 100 ids per request) stay batched.  Hosts are dealt out
largest first to the least loaded worker (greedy), so shares stay even.  Each target is
in exactly one share: one check per resource per crawl, as with one process.  Wayback
lookups for dead links are made by the worker that found them (each within the
archive's per-host limits, so up to N lookups may run at once).

Several *machines* share a crawl through Redis instead (docs/scaling.md); this is the
single-machine form and needs nothing but the store.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from crawler.spiders.targets import Target
from trilha.config import Config
from trilha.model import CheckResult, Verdict

#: below this many targets per worker a worker's start-up (about 1.5 s) is not worth it
MIN_TARGETS_PER_WORKER = 20
#: ``workers = 0`` (auto): one process below this many targets, else one per core (at most 4)
AUTO_MIN_TARGETS, AUTO_MAX_WORKERS = 2000, 4
#: progress events are sent in batches of this many checks, or after this many seconds
EVENT_BATCH, EVENT_SECONDS = 100, 0.25


def share_key(target: Target) -> str:
    """What a share is made of: the target's site adapter, else its host."""
    if target.site:
        return f"site:{target.site}"
    try:
        return (urlsplit(target.url).hostname or "").lower()
    except ValueError:
        return ""


def partition(targets: Sequence[Target], n: int) -> list[list[Target]]:
    """Split ``targets`` into at most ``n`` non-empty shares of whole hosts (order kept inside)."""
    if n <= 1 or not targets:
        return [list(targets)] if targets else []
    by_key: dict[str, list[Target]] = {}
    for target in targets:
        by_key.setdefault(share_key(target), []).append(target)
    shares: list[list[Target]] = [[] for _ in range(min(n, len(by_key)))]
    for _key, group in sorted(by_key.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        min(shares, key=len).extend(group)
    return [s for s in shares if s]


def worker_count(config: Config, targets: int, db_url: str) -> int:
    """How many processes this crawl gets: ``config.workers`` (0: one per core, at most 4,
    for a crawl of at least 2,000 targets), fewer for a small crawl, one for an in-memory
    SQLite store (other processes cannot see it)."""
    wanted = config.workers
    if wanted == 0:
        wanted = min(os.cpu_count() or 1, AUTO_MAX_WORKERS) if targets >= AUTO_MIN_TARGETS else 1
    if wanted <= 1:
        return 1
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and (url.database or ":memory:") == ":memory:":
        return 1
    return max(1, min(wanted, targets // MIN_TARGETS_PER_WORKER, config.concurrency))   # ≥ 1 request each


def worker_config(config: Config, workers: int, index: int = 0) -> Config:
    """Worker ``index``'s config: ``concurrency`` (requests in flight in *total*) is divided
    between the workers, the remainder to the first ones, at least 1 each; per-host limits
    stay (each host is in one share), within the worker's part of the total."""
    if workers <= 1:
        return config
    part, extra = divmod(config.concurrency, workers)
    return replace(config, concurrency=max(1, part + (1 if index < extra else 0)))


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    index: int
    db_url: str
    crawl_id: int
    targets: list[Target]
    config: Config


class _ProgressSender:
    """The worker's ``progress`` callback: (verdict, status, reason) triples, sent in batches."""

    def __init__(self, events: Any, index: int) -> None:
        self.events, self.index = events, index
        self.pending: list[tuple[str, int | None, str | None]] = []
        self.since = time.monotonic()

    def __call__(self, result: CheckResult, _counts: Any) -> None:
        if not self.pending:
            self.since = time.monotonic()
        self.pending.append((str(result.verdict), result.http_status, result.reason))
        if len(self.pending) >= EVENT_BATCH or time.monotonic() - self.since >= EVENT_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.events.put(("progress", self.index, self.pending))
            self.pending = []


def _stop_when_orphaned(parent: int) -> None:
    """A daemon thread: if the parent dies (e.g. SIGKILL), stop this worker as Ctrl-C would
    (Scrapy closes the spider, the pipeline flushes), so ``--resume`` is not raced."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="trilha-orphan-watch", daemon=True).start()


def _warm_up(engine: str) -> None:
    """Import Scrapy and the spider before the share arrives (while the parent reads the
    list).  Not the store (SQLAlchemy, ~16 MB): the parent is at its largest while it
    reads, so what a worker needs only later is imported later."""
    import scrapy.crawler  # noqa: F401

    import crawler.spiders.links  # noqa: F401
    from crawler.settings import preload_http_engine

    preload_http_engine(engine)


def _worker_main(index: int, inbox: Any, events: Any, parent: int, log_level: int, engine: str) -> None:
    """Entry point of one worker process (spawned: imports everything afresh, then waits
    for its :class:`WorkerSpec`; ``None`` instead means it is not needed)."""
    _stop_when_orphaned(parent)
    logging.basicConfig(level=log_level or logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        _warm_up(engine)
        spec = inbox.get()
    except KeyboardInterrupt:
        return                              # Ctrl-C (or the parent gone) before any work
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as one line
        events.put(("error", index, f"{type(exc).__name__}: {exc}"))
        return
    if spec is None:
        return
    from crawler.run import crawl_part
    from trilha.store.engine import open_store

    sender = _ProgressSender(events, spec.index)
    try:
        store = open_store(spec.db_url, migrate=False)   # the parent migrated it (no Alembic here: ~12 MB)
        report = crawl_part(store, spec.targets, spec.config, spec.crawl_id, sender)
        sender.flush()
        events.put(("done", spec.index, report))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as one line
        sender.flush()
        events.put(("error", spec.index, f"{type(exc).__name__}: {exc}"))


class WorkerPool:
    """Worker processes started ahead of their work.

    ``trilha crawl`` starts them before it reads a list of many links (:func:`prestart_count`), so
    the workers' start-up (a fresh interpreter importing Scrapy, about a second each)
    overlaps the parent's reading and storing instead of following it.  Each worker waits
    for its share on its own inbox; :meth:`close` tells the ones never given work to leave.
    """

    def __init__(self, size: int, engine: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.events = context.Queue()
        self.inboxes = [context.SimpleQueue() for _ in range(size)]
        level = logging.getLogger().level
        self.procs = [context.Process(target=_worker_main, name=f"trilha-worker-{i}",
                                      args=(i, inbox, self.events, os.getpid(), level, engine))
                      for i, inbox in enumerate(self.inboxes)]
        self.sent = [False] * size      # a spec (or None: not needed) went to this worker
        try:
            for proc in self.procs:
                proc.start()
        except BaseException:
            self.procs = [p for p in self.procs if p.pid is not None]   # the ones that did start
            self.inboxes, self.sent = self.inboxes[: len(self.procs)], self.sent[: len(self.procs)]
            self.close()                # they leave instead of waiting on their inbox for ever
            raise

    @property
    def size(self) -> int:
        return len(self.procs)

    @property
    def given(self) -> bool:
        return any(self.sent)

    def give(self, specs: Sequence[WorkerSpec]) -> None:
        """Send each spec to its worker (``spec.index``); the workers beyond them are let go."""
        senders = [threading.Thread(target=self.inboxes[spec.index].put, args=(spec,), daemon=True,
                                    name=f"trilha-give-{spec.index}") for spec in specs]
        for spec, sender in zip(specs, senders, strict=True):
            sender.start()              # at once: a pipe takes a big share only as fast as its worker reads
            self.sent[spec.index] = True
        self.let_go()

    def let_go(self) -> None:
        """Tell every worker that got no work to leave (without waiting for it)."""
        for i, inbox in enumerate(self.inboxes):
            if not self.sent[i]:
                self.sent[i] = True
                if self.procs[i].is_alive():
                    inbox.put(None)

    def stop(self) -> None:
        """Ask every running worker to stop as Ctrl-C would: Scrapy closes the spider and
        the pipeline writes the checks it holds (``--resume`` does the rest)."""
        for proc in self.procs:
            if proc.is_alive() and proc.pid is not None:
                try:
                    os.kill(proc.pid, signal.SIGINT)
                except ProcessLookupError:
                    pass

    def close(self, patience: float = 30.0) -> None:
        """Let every worker that got no work go, and wait for all of them (idempotent).

        Their events are drained meanwhile: a worker exits only once the events it queued
        are written to the pipe, so a parent that stopped reading them would wait for
        ever.  A worker still running after ``patience`` seconds is terminated.
        """
        self.let_go()
        deadline = time.monotonic() + patience
        while any(p.is_alive() for p in self.procs) and time.monotonic() < deadline:
            try:
                self.events.get(timeout=0.1)
            except queue.Empty:
                pass
            except Exception:  # noqa: BLE001 - a worker killed mid-message: nothing more to read
                time.sleep(0.1)
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
            proc.join(timeout=5)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def estimated_links(data: bytes) -> int:
    """A cheap guess of how many links a list holds, from its bytes, before it is read:
    the occurrences of ``http`` (every absolute link holds one, inline, reference,
    autolink, bare or HTML; relative links are rare in study lists)."""
    return data.count(b"http")


def prestart_count(config: Config, links_guess: int, db_url: str) -> int:
    """How many workers to start before reading a list of about ``links_guess`` links
    (0: none): what :func:`worker_count` will decide once the list is read, from the guess.
    If the list turns out otherwise, the extra workers are let go unused."""
    n = worker_count(config, links_guess, db_url)
    return n if n > 1 else 0


def run_workers(db_url: str, crawl_id: int, shares: Sequence[Sequence[Target]], config: Config,
                progress: Callable[[CheckResult, Any], None] | None = None,
                pool: WorkerPool | None = None) -> list[Any]:
    """Crawl each share in its own process; the workers' :class:`crawler.run.PartReport` s.

    ``pool``: workers started ahead (used if there are enough of them, else let go); its
    owner closes it (the workers exit while the owner reads the results).
    A worker that fails or dies gives a report whose ``reason`` says so (the crawl is then
    *interrupted*, and ``--resume`` checks what it left).  Ctrl-C reaches the workers too
    (same process group): they stop as Scrapy does, and this waits for them.  Any other
    exception here (e.g. from ``progress``) stops the workers the same way before it goes on.
    """
    own = pool is None or pool.size < len(shares) or pool.given
    if own:
        if pool is not None:
            pool.close()
        pool = WorkerPool(len(shares), config.http_engine)
    else:
        logging.getLogger(__name__).info("crawling with the %d workers started ahead", len(shares))
    assert pool is not None
    pool.give([WorkerSpec(i, db_url, crawl_id, list(share), worker_config(config, len(shares), i))
               for i, share in enumerate(shares)])
    events, procs = pool.events, pool.procs[: len(shares)]
    try:
        reports = _collect(events, procs, progress)
    except BaseException:
        pool.stop()                     # e.g. the progress callback failed: no crawl without a parent
        pool.close(patience=max(30.0, config.timeout + 10))   # requests in flight may run to their timeout
        raise
    if own:
        pool.close()
    # else the caller closes the pool it started, later: its workers exit meanwhile
    return [reports[i] for i in range(len(procs))]


def _collect(events: Any, procs: Sequence[Any],
             progress: Callable[[CheckResult, Any], None] | None) -> dict[int, Any]:
    """The workers' reports by index, passing their progress events on as they come."""
    from crawler.run import PartReport

    reports: dict[int, Any] = {}
    counts: Counter[str] = Counter()
    while len(reports) < len(procs):
        try:
            kind, index, payload = events.get(timeout=0.5)
        except queue.Empty:
            for i, proc in enumerate(procs):
                if i not in reports and not proc.is_alive():
                    reports[i] = PartReport(reason=f"worker {i} exited with code {proc.exitcode}")
            continue
        except KeyboardInterrupt:
            continue                    # the workers got the same signal and are stopping
        if not 0 <= index < len(procs):
            continue                    # from a worker started ahead and let go (e.g. its warm-up failed)
        if kind == "progress":
            for verdict, status, reason in payload:
                counts[verdict] += 1
                if progress is not None:
                    progress(CheckResult(canonical="", url="", verdict=Verdict(verdict), http_status=status,
                                         reason=reason), counts)
        elif kind == "done":
            reports[index] = payload
        else:
            logging.getLogger(__name__).error("worker %d failed: %s", index, payload)
            reports[index] = PartReport(reason=f"worker {index} failed: {payload}")
    return reports
