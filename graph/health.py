"""Crawls and checks in RDF: PROV-O activities and EARL assertions.

EARL 1.0 (https://www.w3.org/TR/EARL10-Schema/): an ``earl:Assertion`` has a subject
(the resource), ``earl:assertedBy`` (trilha) and an ``earl:result`` whose ``earl:outcome``
is passed / failed / cantTell / inapplicable; trilha adds the fine-grained
``trl:verdict``.  Each crawl is a ``prov:Activity`` (PROV-O) that generated its checks.

When a check's verdict differs from the verdict the previous crawl in the graph (by
start time) gave the same resource, its result also gets ``trl:changedFrom`` with that
earlier verdict: "what changed since the previous crawl" is then a lookup of a few
results instead of a join of two crawls' checks (2 × 100,000 at scale).
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import URIRef

from graph.iris import Minter
from graph.terms import DCTERMS, EARL, PROV, RDF, SCHEMA, TRL, XSD, Lit, dt_literal, url_term
from trilha.model import ALIVE_VERDICTS, INCONCLUSIVE_VERDICTS, Verdict
from trilha.store.snapshot import CrawlChecks

Triple = tuple[URIRef, URIRef, URIRef | Lit]


def outcome(verdict: Verdict) -> URIRef:
    """EARL outcome of a verdict: alive → passed, inconclusive → cantTell, skipped → inapplicable."""
    if verdict in ALIVE_VERDICTS:
        return EARL.passed
    if verdict is Verdict.SKIPPED:
        return EARL.inapplicable
    if verdict in INCONCLUSIVE_VERDICTS:
        return EARL.cantTell
    return EARL.failed


def crawl_triples(
    crawls: tuple[CrawlChecks, ...], resources: dict[str, URIRef], scheme: URIRef, mint: Minter
) -> Iterator[Triple]:
    """Each crawl a ``prov:Activity``; each check of a known resource an ``earl:Assertion``
    (IRIs minted by ``mint``, under the graph's base)."""
    agent = mint.agent
    yield agent, RDF.type, PROV.SoftwareAgent
    yield agent, SCHEMA.name, Lit.of("trilha")
    latest_archive: dict[URIRef, str] = {}
    previous: dict[URIRef, str] = {}
    for cc in sorted(crawls, key=lambda cc: (cc.crawl.started_at, cc.crawl.id)):
        current: dict[URIRef, str] = {}
        c = cc.crawl
        a = mint.crawl_iri(c.id)
        yield a, RDF.type, PROV.Activity
        yield a, PROV.startedAtTime, dt_literal(c.started_at)
        if c.finished_at is not None:
            yield a, PROV.endedAtTime, dt_literal(c.finished_at)
        yield a, TRL.crawlStatus, Lit.of(c.status)
        yield a, PROV.wasAssociatedWith, agent
        yield a, PROV.used, scheme
        for check in cc.checks:
            r = resources.get(check.canonical)
            if r is None:
                continue
            x, res = mint.check_iri(c.id, r), mint.result_iri(c.id, r)
            yield x, RDF.type, EARL.Assertion
            yield x, EARL.subject, r
            yield x, EARL.assertedBy, agent
            yield x, EARL.result, res
            yield x, PROV.wasGeneratedBy, a
            yield res, RDF.type, EARL.TestResult
            yield res, EARL.outcome, outcome(check.verdict)
            verdict = str(check.verdict)
            yield res, TRL.verdict, Lit(verdict)
            current[r] = verdict
            before = previous.get(r)
            if before is not None and before != verdict:
                yield res, TRL.changedFrom, Lit(before)
            if check.checked_at is not None:
                yield res, DCTERMS.date, dt_literal(check.checked_at)
            if check.http_status is not None:
                yield res, TRL.httpStatus, Lit.of(check.http_status)
            if check.final_url:
                yield res, TRL.finalUrl, Lit.of(check.final_url, datatype=XSD.anyURI)
            if check.suggested_url:
                yield res, TRL.suggestedUrl, Lit.of(check.suggested_url, datatype=XSD.anyURI)
            if check.reason:
                yield res, TRL.checkReason, Lit.of(check.reason)
            if check.archived_url:
                latest_archive[r] = check.archived_url
        previous = current
    for r, url in latest_archive.items():
        yield r, SCHEMA.archivedAt, url_term(url)
