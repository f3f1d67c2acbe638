"""One CSV row per link (RFC 4180 via the csv module; header first)."""

from __future__ import annotations

import csv
import io

from reports.model import Report
from reports.render.json import link_dict

COLUMNS = [
    "line", "section", "written", "url", "canonical", "text", "title", "site", "health", "verdict",
    "http_status", "reason", "since", "first_failed", "last_ok", "last_checked",
    "consecutive_failures", "streak", "suggested_action", "suggested_url", "duplicate_of_line", "note",
]


def render(report: Report) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in report.rows:
        d = link_dict(row)
        d["section"] = " › ".join(row.section)
        d["suggested_action"] = row.suggestion.action if row.suggestion else ""
        d["suggested_url"] = (row.suggestion.url or "") if row.suggestion else ""
        writer.writerow({k: "" if d.get(k) is None else d.get(k) for k in COLUMNS})
    return buf.getvalue()
