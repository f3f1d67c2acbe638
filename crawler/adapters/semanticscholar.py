"""Semantic Scholar enrichment for papers by arXiv ID (year, venue, citations, references).

Request: ``POST https://api.semanticscholar.org/graph/v1/paper/batch?fields=…`` with the JSON
body ``{"ids": ["ARXIV:1706.03762", …]}`` (``fields`` is a query parameter, not in the body;
Semantic Scholar Academic Graph API docs [S50][S52]).  The answer is a JSON array with the
same length and order as ``ids`` and ``null`` for unknown papers; limits: 500 IDs, 10 MB and
9,999 citations per answer, sub-fields with a dot (``references.externalIds``) (the API docs'
"paper/batch" page, as mirrored in Ricardo-ChenTY/SealedHistory ``docs/S2/graph_v1_paper_batch.md``;
``batch_size = 100`` keeps an answer with reference lists well under 10 MB) (real cassette
``tests/fixtures/real/semanticscholar__paper_batch_with_unknown_id__vcr.yaml`` [S51]).
Single lookups (``GET /graph/v1/paper/ARXIV:<id>``) answer 404
``{"error":"Paper with id … not found"}`` (``semanticscholar__paper_not_found_404__vcr.yaml``).

This is ENRICHMENT, never a liveness check: every Assessment has ``verdict=None`` (a paper
missing from Semantic Scholar is not dead; 429 just skips the enrichment — the unauthenticated
pool is shared and needs exponential backoff [S50]).  ``meta.extra["references_arxiv"]`` lists
the arXiv IDs the paper cites (from ``references.externalIds.ArXiv``), so the graph can draw
citation edges between papers of the same list.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from crawler.adapters.arxiv import HOSTS as ARXIV_HOSTS
from crawler.adapters.arxiv import id_from_url, parse_id
from crawler.adapters.base import ApiCall, Assessment, Exchange, Fetched
from crawler.adapters.util import base_meta, clean_text, host_of, parse_json, to_int
from trilha.model import ResourceKind, ResourceMeta

API = "https://api.semanticscholar.org/graph/v1/paper"
FIELDS = "title,year,venue,publicationDate,citationCount,referenceCount,externalIds,references.externalIds"


def _unique(keys: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(keys))


def paper_meta(arxiv_id: str, data: dict[str, Any]) -> ResourceMeta:
    refs = data.get("references") if isinstance(data.get("references"), list) else []
    cited: list[str] = []
    for ref in refs:
        ext = ref.get("externalIds") if isinstance(ref, dict) else None
        raw = ext.get("ArXiv") if isinstance(ext, dict) else None
        parsed = parse_id(raw) if isinstance(raw, str) else None
        if parsed and parsed[0] not in cited:
            cited.append(parsed[0])
    ext = data.get("externalIds") if isinstance(data.get("externalIds"), dict) else {}
    year = to_int(data.get("year"))
    return base_meta(
        f"arxiv:{arxiv_id}",
        ResourceKind.PAPER,
        title=clean_text(data.get("title")),
        published=clean_text(data.get("publicationDate")) or (str(year) if year else None),
        extra={
            k: v
            for k, v in {
                "s2_paper_id": clean_text(data.get("paperId")),
                "year": year,
                "venue": clean_text(data.get("venue")),
                "citation_count": to_int(data.get("citationCount")),
                "reference_count": to_int(data.get("referenceCount")),
                "doi": clean_text(ext.get("DOI")),
                "references_arxiv": cited,
            }.items()
            if v not in (None, "")
        },
    )


def _own_arxiv(item: Any) -> str | None:
    ext = item.get("externalIds") if isinstance(item, dict) else None
    raw = ext.get("ArXiv") if isinstance(ext, dict) else None
    parsed = parse_id(raw) if isinstance(raw, str) else None
    return parsed[0] if parsed else None


def _skip(arxiv_id: str, reason: str) -> Assessment:
    return Assessment(verdict=None, reason=reason, meta=base_meta(f"arxiv:{arxiv_id}", ResourceKind.PAPER))


def _why(fetched: Fetched) -> str:
    if fetched.status is None:
        return f"Semantic Scholar unreachable ({fetched.failure}): enrichment skipped"
    if fetched.status == 429:
        return "Semantic Scholar 429 (shared rate limit): enrichment skipped"
    data = parse_json(fetched)
    message = clean_text(data.get("error") or data.get("message")) if isinstance(data, dict) else None
    return f"Semantic Scholar {fetched.status}" + (f": {message}" if message else "")


class SemanticScholarAdapter:
    name = "semanticscholar"
    batch_size = 100

    def matches(self, url: str) -> bool:
        return host_of(url) in ARXIV_HOSTS and id_from_url(url) is not None

    def batch_key(self, url: str) -> str | None:
        parsed = id_from_url(url)
        return parsed[0] if parsed else None

    def batch_request(self, keys: Sequence[str]) -> ApiCall:
        body = json.dumps({"ids": [f"ARXIV:{k}" for k in _unique(keys)]}).encode()
        return ApiCall(
            url=f"{API}/batch?fields={quote(FIELDS, safe='')}",
            method="POST",
            body=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            purpose="batch",
            conditional=False,
        )

    def parse_batch(self, keys: Sequence[str], fetched: Fetched) -> dict[str, Assessment | ApiCall]:
        """Items are taken by position (the documented alignment) but checked against their
        own ``externalIds.ArXiv`` when present: an item naming another paper is looked up
        by that ID instead, so a misaligned answer never mislabels a paper."""
        unique = _unique(keys)
        data = parse_json(fetched) if fetched.status == 200 else None
        if not isinstance(data, list):
            reason = _why(fetched) if fetched.status != 200 else "Semantic Scholar answered no JSON array"
            return {k: _skip(k, reason) for k in unique}
        by_id: dict[str, dict[str, Any]] = {}
        for item in data:
            own = _own_arxiv(item)
            if own:
                by_id.setdefault(own, item)
        results: dict[str, Assessment | ApiCall] = {}
        for index, key in enumerate(unique):
            item = by_id.get(key)
            if (
                item is None
                and len(data) == len(unique)
                and isinstance(data[index], dict)
                and _own_arxiv(data[index]) in (None, key)
            ):
                item = data[index]
            if item is not None:
                results[key] = Assessment(verdict=None, meta=paper_meta(key, item))
            else:
                results[key] = _skip(key, "not in Semantic Scholar")
        return results

    def first_request(self, url: str) -> ApiCall:
        key = self.batch_key(url) or ""
        return ApiCall(
            url=f"{API}/ARXIV:{quote(key, safe='/.')}?fields={quote(FIELDS, safe='')}",
            purpose="api",
            headers={"Accept": "application/json"},
            conditional=False,
        )

    def assess(self, url: str, exchanges: Sequence[Exchange]) -> Assessment | ApiCall:
        key = self.batch_key(url) or ""
        fetched = exchanges[-1].fetched
        data = parse_json(fetched) if fetched.status == 200 else None
        if isinstance(data, dict) and data.get("paperId"):
            return Assessment(verdict=None, meta=paper_meta(key, data))
        return _skip(key, _why(fetched) if fetched.status != 200 else "Semantic Scholar answered no paper")


ADAPTER = SemanticScholarAdapter()
