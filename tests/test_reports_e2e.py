"""History through REAL crawls of the fixture web, then the report and ``trilha fix``.

Five crawls of a small list run the real crawler (``crawler.run.run_crawl``, Scrapy,
one subprocess per crawl because Twisted's reactor cannot restart) against
``tests/fixtureserver`` with a private sites directory whose answers change between
runs; the third crawl goes to a closed port (every host refused) with a failing network
probe, so the crawler marks it offline; the test also sets the flag itself
(``finish_crawl(offline=True)``, idempotent) so these assertions about the REPORT do not
depend on the crawler's offline detection.  It must not count.  Every "200" route has no
ETag/Last-Modified, so no answer is a 304 copied from an earlier check.

======================  =====  =====  =========  =====  =====
link                    1      2      3 offline  4      5
======================  =====  =====  =========  =====  =====
dead.example/page       200    404    refused    404    404    (+ Wayback snapshot)
recovers.example/page   200    200    refused    404    200
flaky.example/page      200    503    refused    200    503
moved.example/old       200    200    refused    301    301    → moved.example/new
blocked.example/page    403    403    refused    403    403
hostile.example/_/…     200    200    refused    200    200    (title: a <script> tag)
======================  =====  =====  =========  =====  =====
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from reports.build import build_report
from trilha.cli import cli
from trilha.model import Health
from trilha.store import open_store
from trilha.store.crawls import finish_crawl
from trilha.store.history import load_history

from tests.fixtureserver import FixtureServer

ROOT = Path(__file__).resolve().parent.parent
LIST = """# E2E list

## Links

- [Dead](https://dead.example/page)
- [Recovers](https://recovers.example/page)
- [Flaky](https://flaky.example/page)
- [Moved](https://moved.example/old)
- [Blocked](https://blocked.example/page)
- [Hostile](https://hostile.example/_/hostile-title)
"""
HOSTILE = '<script>alert(1)</script>Evil & "quoted"'   # the fixture web's _/hostile-title <title>
SNAPSHOT = "http://web.archive.org/web/20240101000000/https://dead.example/page"

DRIVER = r"""
import sys
from crawler.reader import read_study_list
from crawler.run import run_crawl
from crawler.spiders.targets import targets_from_mentions
from trilha.config import Config
from trilha.store import open_store
from trilha.store.lists import ingest

db, list_path, remap = sys.argv[1:4]
store = open_store(db)
sl = read_study_list(list_path)
list_id = ingest(store, sl).list_id
config = Config(remap=(remap,), allow_private=True, retries=0, timeout=5.0, delay=0.0, autothrottle=False,
                fragments=False, wayback=True)
out = run_crawl(store, targets_from_mentions(sl.mentions, config), config, list_id=list_id,
                probe_fn=lambda: False)
print(out.crawl_id, out.status, out.offline)
"""


def route(sites: Path, host: str, path: str, spec: dict, *, query: str | None = None) -> None:
    d = sites / host / path.strip("/")
    if query:
        d = d / "__query__" / query
    d.mkdir(parents=True, exist_ok=True)
    (d / "response.json").write_text(json.dumps(spec))
    if spec.get("status") == 200 and not (d / "body.html").exists():
        (d / "body.html").write_text(f"<!doctype html><title>{host}/{path}</title><p>here</p>")


def crawl(db: str, list_path: Path, remap: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", DRIVER, db, str(list_path), remap], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Run the five crawls once for the module; returns (tmp dir, store URL, list path)."""
    tmp_path = tmp_path_factory.mktemp("e2e")
    sites = tmp_path / "sites"
    sites.mkdir()
    list_path = tmp_path / "list.md"
    list_path.write_text(LIST, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'e2e.db'}"
    # 200 without ETag/Last-Modified: no conditional requests, so every crawl gets a fresh answer
    ok, s404, s503 = {"status": 200}, {"status": 404}, {"status": 503}
    moved = {"status": 301, "headers": {"Location": "https://moved.example/new"}}
    route(sites, "blocked.example", "page", {"status": 403})
    route(sites, "archive.org", "wayback/available",
          {"status": 200, "headers": {"Content-Type": "application/json"}, "body": "body.json"},
          query="url=" + quote("https://dead.example/page", safe=""))
    body = {"archived_snapshots": {"closest": {"available": True, "url": SNAPSHOT,
                                               "timestamp": "20240101000000", "status": "200"}}}
    (sites / "archive.org" / "wayback" / "available" / "__query__" /
     ("url=" + quote("https://dead.example/page", safe="")) / "body.json").write_text(json.dumps(body))
    plan = {
        1: {"dead": ok, "recovers": ok, "flaky": ok, "moved": ok},
        2: {"dead": s404, "recovers": ok, "flaky": s503, "moved": ok},
        4: {"dead": s404, "recovers": s404, "flaky": ok, "moved": moved},
        5: {"dead": s404, "recovers": ok, "flaky": s503, "moved": moved},
    }
    with FixtureServer(sites_dir=sites, max_lifetime=500) as server:
        for n in (1, 2, 3, 4, 5):
            if n == 3:
                dead_port = server.remap.replace(str(server.port), "9")   # discard port: refused
                crawl_id = int(crawl(db, list_path, dead_port).split()[0])
                store = open_store(db)
                finish_crawl(store, crawl_id, status="finished", offline=True)
                store.close()
                continue
            for name, spec in plan[n].items():
                host = f"{name}.example"
                route(sites, host, "old" if name == "moved" else "page", spec)
            assert crawl(db, list_path, server.remap).endswith("False")
    return tmp_path, db, list_path


@pytest.mark.timeout(600)
def test_real_crawls_build_the_history(crawled) -> None:
    tmp_path, db, list_path = crawled
    store = open_store(db)
    history = load_history(store, 1)
    store.close()
    assert [c.offline for c in history.crawls] == [False, False, True, False, False]
    starts = [c.started_at for c in history.crawls]
    report = build_report(history)
    row = {r.written.split("//")[1].split(".")[0]: r for r in report.rows}
    assert (row["dead"].health, row["dead"].since, row["dead"].last_ok) == (Health.DEAD, starts[1], starts[0])
    assert row["dead"].consecutive_failures == 3                  # crawls 2, 4, 5 (3 was offline)
    # the crawler looked the snapshot up on the fixture's Wayback Availability API (served as http://)
    assert (row["dead"].suggestion.action, row["dead"].suggestion.url) == (
        "archive", SNAPSHOT.replace("http://", "https://", 1))
    assert (row["recovers"].health, row["recovers"].since) == (Health.OK, starts[4])
    assert (row["flaky"].health, row["flaky"].since) == (Health.FLAKY, starts[1])
    assert (row["moved"].health, row["moved"].since) == (Health.MOVED, starts[3])
    assert row["moved"].suggestion.url == "https://moved.example/new"
    assert (row["blocked"].health, row["blocked"].streak, row["blocked"].since) == (Health.BLOCKED, 4, starts[0])
    assert row["blocked"].long_lasting
    assert {(c.kind, c.written) for c in report.changes} == {("recovered", "https://recovers.example/page")}
    # the CLI on the same store: exit 3 on dead, and fix rewrites exactly the moved and dead lines
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["report", "--db", db, "--out", str(out), "--fail-on", "dead"]).exit_code == 3
    fixed = tmp_path / "fixed.md"
    res = CliRunner().invoke(cli, ["fix", str(list_path), "-o", str(fixed), "--db", db])
    assert res.exit_code == 0, res.output
    before, after = LIST.splitlines(), fixed.read_text(encoding="utf-8").splitlines()
    assert [i + 1 for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == [5, 8]
    assert after[7] == "- [Moved](https://moved.example/new)"
    assert row["hostile"].health is Health.OK and row["hostile"].title == HOSTILE


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_crawled_hostile_title_is_text_in_chromium(crawled) -> None:
    """The title the crawler stored from the hostile page is shown as text in report.html."""
    from tests.browser import block_network, fail_on_dialog, launch_chromium, require_chromium, screenshot_path

    require_chromium()
    tmp_path, db, _ = crawled
    out = tmp_path / "out-browser"
    assert CliRunner().invoke(cli, ["report", "--db", db, "--out", str(out)]).exit_code == 0
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        blocked, dialogs = block_network(page), fail_on_dialog(page)
        page.goto((out / "report.html").as_uri())
        page.select_option("#health-filter", "")
        assert HOSTILE in page.locator("#links-table td.title").all_text_contents()
        assert page.locator("script").count() == 1 and page.locator("img").count() == 0
        page.screenshot(path=str(screenshot_path("report-html-e2e.png")), full_page=True)
        assert dialogs == [] and blocked == []
