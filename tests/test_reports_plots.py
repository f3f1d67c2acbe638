"""Inline SVG plots: well-formed XML, one bar group per crawl, labels escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from reports.model import CrawlPoint, SiteSummary
from reports.plots import COLORS, health_over_crawls, per_site_bars

SVG = "{http://www.w3.org/2000/svg}"


def test_stacked_bars_per_crawl() -> None:
    points = [
        CrawlPoint(crawl_id=1, started_at=datetime(2025, 1, 1, tzinfo=UTC), offline=False, counts={"ok": 3, "dead": 1}),
        CrawlPoint(crawl_id=2, started_at=datetime(2025, 1, 2, tzinfo=UTC), offline=True, counts={"ok": 4}),
        CrawlPoint(crawl_id=3, started_at=datetime(2025, 1, 3, tzinfo=UTC), offline=False, counts={"dead": 4}),
    ]
    root = ET.fromstring(health_over_crawls(points))
    groups = root.findall(f"{SVG}g")
    assert len(groups) == 3
    bars = [[(r.get("data-health"), r.get("data-count"), r.get("fill")) for r in g.findall(f"{SVG}rect")] for g in groups]
    assert bars[0] == [("dead", "1", COLORS["dead"]), ("ok", "3", COLORS["ok"])]
    assert bars[1] == [("ok", "4", "#dddddd")]                    # offline: grey
    labels = [t.text for t in root.findall(f"{SVG}text") if t.get("font-size") == "10"]
    assert labels == ["01-01", "01-02*", "01-03"]


def test_site_bars_escape_names() -> None:
    sites = [SiteSummary(site="<script>alert(1)</script>", total=2, counts={"ok": 1, "moved": 1})]
    svg = per_site_bars(sites)
    assert "<script>" not in svg
    root = ET.fromstring(svg)
    assert root.findall(f"{SVG}text")[0].text == "<script>alert(1)</script>"   # text, parsed back
    assert len(root.findall(f"{SVG}rect")) == 2 + 2               # two bar pieces + two legend boxes
