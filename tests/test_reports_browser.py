"""The HTML report in real Chromium (Playwright + Debian chromium, via tests/browser.py).

Opened from a file URL with every non-local request aborted: the page must need
nothing from the network, show hostile crawled titles as text (no dialog, no injected
element), sort and filter its tables, and draw its plots.  Screenshot:
test-output/report-html.png.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reports.build import build_report
from reports.render import write_all
from trilha.store import open_store
from trilha.store.history import load_history

from tests.browser import block_network, fail_on_dialog, launch_chromium, require_chromium, screenshot_path
from tests.reports_support import HOSTILE_TITLE, HOSTILE_TITLE_2, build_scenario

pytestmark = pytest.mark.browser


@pytest.fixture()
def html_report(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'b.db'}")
    list_id = build_scenario(store)
    report = build_report(load_history(store, list_id), now=datetime(2025, 1, 8, tzinfo=UTC))
    store.close()
    return write_all(report, tmp_path / "out")["html"]


def test_html_report_in_chromium(html_report) -> None:
    require_chromium()
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        blocked = block_network(page)
        dialogs = fail_on_dialog(page)
        page.goto(html_report.as_uri())
        page.wait_for_load_state("load")
        # hostile titles are text, nothing got injected
        titles = page.locator("#links-table td.title").all_text_contents()
        assert HOSTILE_TITLE in titles and HOSTILE_TITLE_2 in titles
        assert page.locator("img").count() == 0
        assert page.locator("script").count() == 1
        assert dialogs == [] and blocked == []
        # plots: one stacked bar group per crawl, site bars
        assert page.locator("svg.plot").count() == 2
        assert page.locator("svg.plot").first.locator("g").count() == 6
        # filter by text and by health
        assert page.locator("#shown").text_content() == "8 of 10 links"     # "not ok" by default
        page.select_option("#health-filter", "")
        assert page.locator("#shown").text_content() == "10 of 10 links"
        page.fill("#filter", "g.example")
        assert page.locator("#links-table tbody tr:visible").count() == 1
        page.fill("#filter", "")
        page.select_option("#health-filter", "dead")
        assert page.locator("#shown").text_content() == "4 of 10 links"
        page.select_option("#health-filter", "problems")
        assert page.locator("#links-table tbody tr:visible").count() == 8
        page.select_option("#health-filter", "")
        # sort by line: descending after two clicks
        header = page.locator("#links-table thead th", has_text="line")
        header.click()
        header.click()
        lines = [int(x) for x in page.locator("#links-table tbody tr td:first-child").all_text_contents()]
        assert lines == sorted(lines, reverse=True) and lines[0] == 18
        page.screenshot(path=str(screenshot_path("report-html.png")), full_page=True)
        assert dialogs == [] and blocked == []
