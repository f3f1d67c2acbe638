"""``LinkSpider``: one check per target, driven by the site adapters.

Thin on purpose: adapters (``crawler/adapters``) say what to request and what a page
means, :mod:`crawler.classify` decides a verdict when they have no opinion, the
middlewares do remap, the address guard, retries, conditional headers and the early
stop, and the store pipeline writes the items (:class:`trilha.model.CheckResult`).

Redirects are followed here, hop by hop (Scrapy's RedirectMiddleware is off), so every
hop is a new request through the remap and the address guard, the chain is recorded
with identity URLs, and a loop is seen (a URL twice, or more than ``MAX_HOPS``).
"""

from __future__ import annotations

import importlib
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.adapters import registry
from crawler.adapters.base import Adapter, ApiCall, Assessment, Exchange, Fetched
from crawler.classify import NETWORK_FAILURES, classify_failure, decide
from crawler.middlewares import CONDITIONAL, IDENTITY, MAX_BYTES, VALIDATORS
from crawler.spiders.after import AfterVerdict
from crawler.spiders.calls import batch_key, optional_adapter, safe
from crawler.spiders.enrich import merge_meta
from crawler.spiders.failures import failure_code
from crawler.spiders.fragments import missing_fragments
from crawler.spiders.targets import Target
from trilha.model import CheckResult, Hop, Verdict

#: a 304 keeps the previous verdict only when that verdict described the page itself
CARRIED_ON_304 = frozenset({Verdict.OK, Verdict.MOVED, Verdict.REDIRECTED, Verdict.SOFT_404})

logger = logging.getLogger(__name__)

MAX_HOPS = 10
MAX_CALLS = 8                     # adapter follow-up calls per resource
HEAD_FALLBACK = frozenset({403, 405, 501})


#: requests per burst of ``start()``, in multiples of the concurrency (LinkSpider.start)
START_BURST = 8


@dataclass(slots=True)
class Job:
    target: Target
    adapter: Adapter
    started: float = field(default_factory=time.monotonic)
    exchanges: list[Exchange] = field(default_factory=list)
    conditional: bool = False


@dataclass(slots=True)
class BatchJob:
    adapter: Any
    keys: list[str]
    jobs: dict[str, list[Job]]


class LinkSpider(AfterVerdict, scrapy.Spider):
    name = "trilha-links"

    def __init__(
        self,
        *,
        targets: Sequence[Target] = (),
        validators: Mapping[str, tuple[str | None, str | None]] | None = None,
        previous: Mapping[str, CheckResult] | None = None,
        archived: Mapping[str, str | None] | None = None,
        wayback: bool = True,
        enrich: bool = True,
        store: Any = None,
        crawl_id: int = 0,
        progress: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.store, self.crawl_id, self.progress = store, crawl_id, progress
        self.archive_lookups: dict[str, tuple[str | None, str | None]] = {}
        self.archived = dict(archived or {})           # canonical -> snapshot already looked up
        self.wayback = optional_adapter("wayback") if wayback else None
        self.enricher = optional_adapter("semanticscholar") if enrich else None
        self.enrich_key: dict[str, str] = {}            # canonical -> enrichment key (arXiv id)
        self.enriched: dict[str, Any] = {}              # key -> ResourceMeta | None, once answered
        self.held: dict[str, list[tuple[CheckResult, bool]]] = defaultdict(list)
        self.targets = list(targets)
        self.validators = dict(validators or {})
        self.previous = dict(previous or {})
        self.host_failures: dict[str, str] = {}      # host -> network failure code
        self.hosts_answered: set[str] = set()        # hosts that gave any HTTP answer
        self.network_failed: list[CheckResult] = []  # results that may turn "offline"
        self.github_budget_out = False                # GitHub said x-ratelimit-remaining: 0
        self._maxsize: int | None = None              # DOWNLOAD_MAXSIZE, read once
        self._timeout: float | None = None            # DOWNLOAD_TIMEOUT, read once
        self._adapters: dict[str, Adapter] = {}       # adapter name -> as configured for this crawl
        self._accept: dict[str, Any] | None = None    # TRILHA_HOST_ACCEPT, read once

    # ------------------------------------------------------------------ start

    async def start(self) -> AsyncIterator[Any]:
        """The targets' first requests go straight to the scheduler, in bursts.

        Scrapy reads ``start()`` one item per engine cycle while its downloader has room, so
        a list crawled through ``start()`` costs an extra engine cycle per link (about a
        quarter more CPU per link on loopback, docs/benchmarks.md).  Instead the requests are
        handed to ``engine.crawl()`` (Scrapy's call for injecting requests) in bursts of
        :data:`START_BURST` times the concurrency; after a burst ``start()`` waits for the
        scheduler to run dry (Scrapy's "lazy start" recipe, docs topics/spiders
        ``start-requests-lazy``, per burst instead of per request), so only a burst of
        requests is ever held in memory.  Items (skipped targets) are yielded as usual.
        A crawl shared through Redis yields every request instead, through the spider
        middlewares: the claim middleware must see each one (``TRILHA_YIELD_START``, set
        by crawler.addons).
        """
        crawler = getattr(self, "crawler", None)
        engine = getattr(crawler, "engine", None)
        if engine is None or self.settings.getbool("TRILHA_YIELD_START"):
            async for item in self._start_items():
                yield item
            return
        burst = START_BURST * max(self.settings.getint("CONCURRENT_REQUESTS"), 1)
        made = 0
        async for item in self._start_items():
            if not isinstance(item, scrapy.Request):
                yield item
                continue
            if made >= burst:
                await crawler.signals.wait_for(scrapy.signals.scheduler_empty)
                crawler.stats.inc_value("trilha/start_waits")
                made = 0
            item.meta.setdefault("is_start_request", True)   # as Scrapy's StartSpiderMiddleware: the
            engine.crawl(item)                                  # scheduler's FIFO start queue keeps list order
            made += 1

    async def _start_items(self) -> AsyncIterator[Any]:
        batches: dict[str, BatchJob] = {}
        for target in self.targets:
            if target.skip:
                yield self._skipped(target)
                continue
            adapter = self._configured(registry.pick(target.url))
            job = Job(target=target, adapter=adapter)
            self._want_enrichment(target)
            key = batch_key(adapter, target.url)
            if key is not None:
                batch = batches.setdefault(adapter.name, BatchJob(adapter, [], defaultdict(list)))
                if key not in batch.jobs:
                    batch.keys.append(key)
                batch.jobs[key].append(job)
                continue
            for item in self._call(job, self._first_call(adapter, target.url), first=True):
                yield item
        for batch in batches.values():
            size = max(int(getattr(batch.adapter, "batch_size", 100)), 1)
            for i in range(0, len(batch.keys), size):
                keys = batch.keys[i : i + size]
                part = BatchJob(batch.adapter, keys, {k: batch.jobs[k] for k in keys})
                call = batch.adapter.batch_request(keys)
                yield self._request(call, {"trilha_batch": part})
        for request in self._enrichment_requests():
            yield request

    # --------------------------------------------------------------- requests

    def _first_call(self, adapter: Adapter, url: str) -> ApiCall:
        """The adapter's first request, with the engine's own policies on top.

        * nothing to read (an image, an archive) and only the generic adapter: HEAD;
        * GitHub's unauthenticated API budget spent: the adapter's page check instead.
        """
        if adapter.name == "github" and self.github_budget_out and hasattr(adapter, "page_request"):
            call = safe(lambda: adapter.page_request(url), None)
            if call is not None:
                return call
        if adapter.name == "generic" and urlsplit(url).path.lower().endswith(registry.HEAD_ONLY_EXT):
            return registry.FALLBACK.first_request(url)
        return safe(lambda: adapter.first_request(url), None) or registry.FALLBACK.first_request(url)

    def _request(self, call: ApiCall, meta: dict[str, Any], *, url: str | None = None,
                 hops: tuple[tuple[str, int], ...] = (), method: str | None = None) -> scrapy.Request:
        meta = {
            **meta,
            IDENTITY: url or call.url,
            # API answers are read whole (up to the hard cap); pages stop early (EarlyStopMiddleware)
            MAX_BYTES: call.max_bytes or (None if call.purpose == "page" else self._hard_max()),
            "trilha_call": call,
            "trilha_hops": hops,
            "handle_httpstatus_all": True,
            "download_timeout": self._download_timeout(),
        }
        host = (urlsplit(url or call.url).hostname or "").lower()
        if call.purpose == "api" and host == "api.github.com":
            meta["dont_retry"] = True                      # never burn the 60/h budget on retries
        body = call.body if (method or call.method) != "HEAD" else None
        return scrapy.Request(url or call.url, method=method or call.method, headers=dict(call.headers) or None,
                              body=body, meta=meta, dont_filter=True, callback=self.on_response,
                              errback=self.on_error)

    def _configured(self, adapter: Adapter) -> Adapter:
        """The adapter as this crawl's config wants it (an adapter may offer ``configured``)."""
        if adapter.name not in self._adapters:
            configure = getattr(adapter, "configured", None)
            options = {"video_durations": self.settings.getbool("TRILHA_VIDEO_DURATIONS")} \
                if hasattr(self, "settings") else {}
            self._adapters[adapter.name] = configure(options) if configure else adapter
        return self._adapters[adapter.name]

    def _download_timeout(self) -> float:
        if self._timeout is None:
            self._timeout = self.settings.getfloat("DOWNLOAD_TIMEOUT") if hasattr(self, "settings") else 180.0
        return self._timeout

    def _hard_max(self) -> int:
        if self._maxsize is None:
            self._maxsize = self.settings.getint("DOWNLOAD_MAXSIZE")
        return self._maxsize

    def _call(self, job: Job, call: ApiCall, *, first: bool = False) -> Iterator[Any]:
        meta: dict[str, Any] = {"trilha_job": job}
        if first and call.conditional and job.target.canonical in self.validators:
            meta[VALIDATORS] = self.validators[job.target.canonical]
        try:
            yield self._request(call, meta)
        except ValueError as exc:          # a URL Scrapy cannot even build a request for
            yield from self._advance(job, call, Fetched(url=call.url, status=None, failure=f"malformed: {exc}"))

    # --------------------------------------------------------------- answers

    # Callbacks return lists, not generators: Scrapy inspects the source of every generator
    # callback for a ``return value`` (scrapy.utils.misc.warn_on_generator_with_return_value),
    # uncached for bound methods — measured at ~20 ms per response on this machine.

    def on_response(self, response: Response) -> list[Any]:
        return list(self._on_response(response))

    def on_error(self, failure: Failure) -> list[Any]:
        return list(self._on_error(failure))

    def _on_response(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        call: ApiCall = meta["trilha_call"]
        hops: tuple[tuple[str, int], ...] = meta.get("trilha_hops", ())
        job: Job | None = meta.get("trilha_job")
        if job is not None and meta.get(CONDITIONAL):
            job.conditional = True
        self.hosts_answered.add((urlsplit(response.url).hostname or "").lower())
        status = response.status
        location = response.headers.get("Location")
        if 300 <= status < 400 and status != 304 and location and call.allow_redirects:
            target = urljoin(response.url, location.decode("latin-1").strip())
            chain = (*hops, (response.url, status))
            seen = {u for u, _ in chain}
            if target.split("#")[0] in seen or len(chain) > MAX_HOPS:
                yield from self._deliver(meta, call, Fetched(url=target, status=None, failure="loop", redirects=chain))
                return
            if urlsplit(target).scheme in ("http", "https"):
                method = "GET" if status == 303 or (status in (301, 302) and call.method == "POST") else call.method
                yield self._request(call, {k: meta[k] for k in ("trilha_job", "trilha_batch") if k in meta},
                                    url=target, hops=chain, method=method)
                return
        if (call.method == "HEAD" and status in HEAD_FALLBACK and not meta.get("trilha_head_fallback")):
            again = self._request(replace(call, method="GET", max_bytes=call.max_bytes or 64 * 1024),
                                  {k: meta[k] for k in ("trilha_job", "trilha_batch") if k in meta})
            again.meta["trilha_head_fallback"] = True
            yield again
            return
        headers = {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
                   for k, v in response.headers.items()}
        fetched = Fetched(url=response.url, status=status, headers=headers, body=response.body,
                          truncated="download_stopped" in response.flags, redirects=hops)
        if job is not None and job.adapter.name == "github" and not self.github_budget_out:
            exhausted = getattr(importlib.import_module(type(job.adapter).__module__), "api_budget_exhausted", None)
            if exhausted is not None and safe(lambda: exhausted(fetched), False):
                logger.warning("GitHub API budget spent: page checks from now on")
                self.github_budget_out = True
        yield from self._deliver(meta, call, fetched)

    def _on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        call: ApiCall = meta["trilha_call"]
        code = failure_code(failure.value)
        identity = meta.get(IDENTITY, request.url)
        if code in NETWORK_FAILURES or code == "dns":
            self.host_failures.setdefault((urlsplit(identity).hostname or "").lower(), code)
        fetched = Fetched(url=identity, status=None, failure=code, redirects=meta.get("trilha_hops", ()))
        yield from self._deliver(meta, call, fetched)

    def _deliver(self, meta: Mapping[str, Any], call: ApiCall, fetched: Fetched) -> Iterator[Any]:
        if "trilha_pending" in meta:
            yield self._after_wayback(meta["trilha_pending"], fetched)
            return
        if "trilha_enrich" in meta:
            yield from self._after_enrichment(meta["trilha_enrich"], fetched)
            return
        batch: BatchJob | None = meta.get("trilha_batch")
        if batch is not None:
            yield from self._after_batch(batch, fetched)
            return
        yield from self._advance(meta["trilha_job"], call, fetched)

    def _after_batch(self, batch: BatchJob, fetched: Fetched) -> Iterator[Any]:
        answers = safe(lambda: batch.adapter.parse_batch(batch.keys, fetched), {}) or {}
        for key in batch.keys:
            for job in batch.jobs[key]:
                answer = answers.get(key)
                if isinstance(answer, ApiCall):
                    yield from self._call(job, answer)
                else:
                    yield from self._emit(job, answer, fetched)

    def _advance(self, job: Job, call: ApiCall, fetched: Fetched) -> Iterator[Any]:
        job.exchanges.append(Exchange(call=call, fetched=fetched))
        answer = safe(lambda: job.adapter.assess(job.target.url, tuple(job.exchanges)), None)
        if isinstance(answer, ApiCall) and len(job.exchanges) < MAX_CALLS:
            yield from self._call(job, answer)
            return
        yield from self._emit(job, answer if isinstance(answer, Assessment) else None, fetched)

    # ------------------------------------------------------------------ result

    def _finish(self, job: Job, assessment: Assessment | None, last: Fetched) -> CheckResult:
        target = job.target
        page = next((e.fetched for e in reversed(job.exchanges) if e.call.purpose == "page"), None)
        basis = page or last
        verdict, reason, suggested = decide(target.url, assessment, basis)
        own = bool(job.exchanges)          # False: decided from a batch API answer shared by many resources
        if basis.status is not None and verdict not in (Verdict.OK, Verdict.MOVED, Verdict.REDIRECTED) \
                and basis.status in self._accepted(target.url):
            verdict, reason = Verdict.OK, f"{basis.status} accepted by the config for this host"
        previous = self.previous.get(target.canonical)
        not_modified = basis.status == 304
        if not_modified and previous is not None and (assessment is None or assessment.verdict is None):
            if previous.verdict in CARRIED_ON_304:
                verdict = previous.verdict                   # nothing changed: the last verdict stands
                suggested = suggested or previous.suggested_url
                reason = "not modified since the last crawl"
            else:                                            # last time offline/blocked/failed: a 304 is an answer
                verdict, reason = Verdict.OK, "not modified (304): the server has it"
        fragments = ()
        if page is not None and page.status == 200 and target.fragments:
            fragments = missing_fragments(target.fragments, page.body, truncated=page.truncated)
        call = next((e.call for e in reversed(job.exchanges) if e.call.purpose == "page"), None)
        meta = assessment.meta if assessment else None
        if not_modified and previous is not None:
            meta = merge_meta(previous.meta, meta)
        result = CheckResult(
            canonical=target.canonical,
            url=target.url,
            verdict=verdict,
            http_status=basis.status if own else None,
            final_url=((previous.final_url if not_modified and previous else basis.url) if basis.status else None)
            if own else None,
            suggested_url=suggested,
            redirects=tuple(Hop(url=u, status=s) for u, s in basis.redirects),
            reason=reason,
            error=basis.failure,
            adapter=getattr(job.adapter, "name", None),
            method=call.method if call else None,
            elapsed_ms=int((time.monotonic() - job.started) * 1000),
            etag=basis.headers.get("etag") if basis.status and own else None,
            last_modified=basis.headers.get("last-modified") if basis.status and own else None,
            not_modified=not_modified,
            conditional=job.conditional,
            fragments_missing=fragments,
            checked_at=datetime.now(UTC),
            meta=meta,
        )
        if not_modified and previous is not None:
            result = replace(result, etag=result.etag or previous.etag,
                             last_modified=result.last_modified or previous.last_modified)
        if basis.failure and basis.failure.split(":")[0] in NETWORK_FAILURES:
            self.network_failed.append(result)
        return result

    def _accepted(self, url: str) -> set[int]:
        """Status codes the config accepts as ok for this host (``[hosts."<host>"].accept``)."""
        if self._accept is None:
            self._accept = self.settings.getdict("TRILHA_HOST_ACCEPT") if hasattr(self, "settings") else {}
        accept = self._accept
        if not accept:
            return set()
        host = (urlsplit(url).hostname or "").lower()
        codes = accept.get(host) or accept.get(host.removeprefix("www.")) or ()
        return {int(c) for c in codes}

    def _skipped(self, target: Target) -> CheckResult:
        verdict, _ = classify_failure(target.skip or "excluded")
        return CheckResult(canonical=target.canonical, url=target.url, verdict=verdict,
                           reason=target.reason, checked_at=datetime.now(UTC))
