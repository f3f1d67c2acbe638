"""The report as JSON (``report.json``, ``trilha report --format json``).

Shape: ``{"list": {...}, "generated_at", "rules", "summary", "latest_crawl",
"previous_crawl", "links": [...], "changes": [...], "sections": [...], "sites": [...],
"crawls": [...], "duplicates": [...]}``; timestamps ISO 8601 UTC; health and verdict
values are the ``trilha.model`` enum values.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from reports.model import CrawlPoint, LinkRow, Report


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def link_dict(r: LinkRow) -> dict[str, Any]:
    return {
        "line": r.line, "section": list(r.section), "written": r.written, "url": r.url,
        "canonical": r.canonical, "text": r.text, "title": r.title, "site": r.site,
        "health": r.health.value, "verdict": r.verdict or None, "http_status": r.http_status,
        "reason": r.reason or None, "note": r.note, "since": _iso(r.since),
        "first_failed": _iso(r.first_failed), "last_ok": _iso(r.last_ok), "last_checked": _iso(r.last_checked),
        "consecutive_failures": r.consecutive_failures, "streak": r.streak, "long_lasting": r.long_lasting,
        "suggestion": None if r.suggestion is None else {
            "action": r.suggestion.action, "url": r.suggestion.url, "note": r.suggestion.note},
        "duplicate_of_line": r.duplicate_of,
    }


def _crawl(c: CrawlPoint | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"id": c.crawl_id, "started_at": _iso(c.started_at), "offline": c.offline, "counts": c.counts}


def to_dict(report: Report) -> dict[str, Any]:
    return {
        "list": {"source": report.list_source, "title": report.list_title},
        "generated_at": _iso(report.generated_at),
        "rules": report.rules,
        "fail_on": sorted(report.fail_on),
        "summary": report.summary,
        "latest_crawl": _crawl(report.latest_crawl),
        "previous_crawl": _crawl(report.previous_crawl),
        "links": [link_dict(r) for r in report.rows],
        "changes": [{"kind": c.kind, "line": c.line, "written": c.written, "before": c.before.value,
                     "after": c.after.value, "note": c.note} for c in report.changes],
        "sections": [{"path": list(s.path), "line": s.line, "counts": s.counts,
                      "problems": [p.line for p in s.problems]} for s in report.sections],
        "sites": [{"site": s.site, "total": s.total, "counts": s.counts} for s in report.sites],
        "total_crawls": report.total_crawls,
        "crawls": [_crawl(c) for c in report.crawls],
        "duplicates": [{"canonical": d.canonical, "lines": list(d.lines), "written": list(d.written)}
                       for d in report.duplicates],
    }


def render(report: Report) -> str:
    return json.dumps(to_dict(report), ensure_ascii=False, indent=2) + "\n"
