"""One CSV row per link (RFC 4180 via the csv module; header first).

Text that comes from the list or the web (section, anchor text, crawled title, reason,
note) starting with ``= + - @`` gets a leading ``'`` so a spreadsheet shows it instead of
evaluating it (OWASP, "CSV Injection")."""

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


#: columns holding text from the list or the web: neutralised against spreadsheet formulas
TEXT_COLUMNS = ("section", "text", "title", "reason", "note")


def neutral(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP "CSV injection": prefix ``'``)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def render(report: Report) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in report.rows:
        d = link_dict(row)
        d["section"] = " › ".join(row.section)
        d["suggested_action"] = row.suggestion.action if row.suggestion else ""
        d["suggested_url"] = (row.suggestion.url or "") if row.suggestion else ""
        for k in TEXT_COLUMNS:
            if isinstance(d.get(k), str):
                d[k] = neutral(d[k])
        writer.writerow({k: "" if d.get(k) is None else d.get(k) for k in COLUMNS})
    return buf.getvalue()
