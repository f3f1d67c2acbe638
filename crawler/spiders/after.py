"""What the spider does after a verdict: enrichment merged in, then the Wayback lookup.

A mixin of :class:`crawler.spiders.links.LinkSpider` (it uses the spider's ``_finish``
and ``_request``):

* papers (arXiv) get Semantic Scholar metadata (``crawler/adapters/semanticscholar.py``,
  batched, ≤ 100 IDs per request): a result waits until its batch answered, then the
  metadata is merged (:func:`crawler.spiders.enrich.merge_meta`);
* ``dead``, ``soft-404`` and ``moved`` resources (or an adapter's ``want_archive``) get the
  closest Wayback snapshot (``crawler/adapters/wayback.py``), looked up once per resource
  ever: a stored lookup (``trilha.store.crawls.archived_snapshots``) is reused, and a new
  one is saved by the store pipeline with the check (``archive_lookups``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import scrapy

from crawler.adapters.base import Assessment, Fetched
from crawler.classify import wants_archive
from crawler.spiders.calls import batch_key, safe
from crawler.spiders.enrich import merge_meta
from crawler.spiders.targets import Target
from trilha.model import CheckResult, Verdict


class AfterVerdict:
    """Enrichment and Wayback steps; state lives on the spider (see LinkSpider.__init__)."""

    wayback: Any
    enricher: Any
    archived: dict[str, str | None]
    archive_lookups: dict[str, tuple[str | None, str | None]]
    enrich_key: dict[str, str]
    enriched: dict[str, Any]
    held: dict[str, list[tuple[CheckResult, bool]]]

    def _emit(self, job: Any, assessment: Assessment | None, last: Fetched) -> Iterator[Any]:
        result = self._finish(job, assessment, last)  # type: ignore[attr-defined]
        archive = wants_archive(result.verdict) or bool(assessment and assessment.want_archive)
        key = self.enrich_key.get(result.canonical)
        if key is not None and key not in self.enriched:
            self.held[key].append((result, archive))          # released when the enrichment answers
            return
        if key is not None:
            result = replace(result, meta=merge_meta(result.meta, self.enriched[key]))
        yield from self._archive(result, archive)

    def _archive(self, result: CheckResult, archive: bool) -> Iterator[Any]:
        if not archive or self.wayback is None or result.verdict == Verdict.OFFLINE:
            yield result
            return
        if result.canonical in self.archived:                 # looked up before: never again
            yield replace(result, archived_url=self.archived[result.canonical])
            return
        call = safe(lambda: self.wayback.first_request(result.url), None)
        if call is None:
            yield result
            return
        yield self._request(call, {"trilha_pending": result})  # type: ignore[attr-defined]

    def _after_wayback(self, result: CheckResult, fetched: Fetched) -> CheckResult:
        if fetched.status is None:                           # no answer: try again next crawl
            return result
        parse = getattr(self.wayback, "parse_lookup", None)
        snapshot, timestamp = safe(lambda: parse(fetched), (None, None)) if parse else (None, None)
        self.archive_lookups[result.canonical] = (snapshot, timestamp)
        self.archived[result.canonical] = snapshot
        return replace(result, archived_url=snapshot)

    def _want_enrichment(self, target: Target) -> None:
        if self.enricher is None or not safe(lambda: self.enricher.matches(target.url), False):
            return
        key = batch_key(self.enricher, target.url)
        if key is not None:
            self.enrich_key[target.canonical] = key

    def _enrichment_requests(self) -> Iterator[scrapy.Request]:
        keys = list(dict.fromkeys(self.enrich_key.values()))
        size = max(int(getattr(self.enricher, "batch_size", 100)), 1)
        for i in range(0, len(keys), size):
            chunk = keys[i : i + size]
            call = safe(lambda chunk=chunk: self.enricher.batch_request(chunk), None)
            if call is None:
                for key in chunk:
                    self.enriched[key] = None
                continue
            yield self._request(call, {"trilha_enrich": chunk})  # type: ignore[attr-defined]

    def _after_enrichment(self, keys: list[str], fetched: Fetched) -> Iterator[Any]:
        answers = safe(lambda: self.enricher.parse_batch(keys, fetched), {}) or {}
        for key in keys:
            answer = answers.get(key)
            self.enriched[key] = answer.meta if isinstance(answer, Assessment) else None
            for result, archive in self.held.pop(key, []):
                merged = replace(result, meta=merge_meta(result.meta, self.enriched[key]))
                yield from self._archive(merged, archive)
