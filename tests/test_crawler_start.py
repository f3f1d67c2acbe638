"""LinkSpider.start: the targets' requests reach the scheduler in bursts, never all at once.

The real CLI in a subprocess against the fixture web, at concurrency 1 (a burst is then
``START_BURST`` requests, one in flight at a time): every link still gets exactly one
check, in the list's order (start requests keep Scrapy's FIFO start queue, not the LIFO
queue of follow-up requests), and the crawl's stats show that ``start()`` waited for the
scheduler to run dry between bursts.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from crawler.spiders.links import START_BURST
from tests.conftest import cli_env, run_cli
from trilha.store import crawls
from trilha.store.engine import open_store
from trilha.store.schema import CheckRow, CrawlRow

LINKS = 5 * START_BURST + 3


def test_start_requests_come_in_bursts_and_every_link_is_checked_once(fixture_server, store_url) -> None:  # type: ignore[no-untyped-def]
    urls = [f"https://example.org/_/ok?n={n}" for n in range(LINKS)]
    args = ["crawl", "--db", store_url, "--allow-private", "--remap", fixture_server.remap, "--format", "json",
            "--concurrency", "1", "--workers", "1"]
    for url in urls:
        args += ["--url", url]
    proc = run_cli(args, env=cli_env(TRILHA_PER_HOST_CONCURRENCY="1"))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {row["url"]: row["verdict"] for row in data["links"]} == {url: "ok" for url in urls}
    store = open_store(store_url, migrate=False)
    assert len(crawls.crawl_checks(store, data["crawl_id"])) == LINKS
    with store.session() as session:
        stats = session.scalars(select(CrawlRow.stats).where(CrawlRow.id == data["crawl_id"])).one()
        checked_in_order = session.scalars(select(CheckRow.url).where(CheckRow.crawl_id == data["crawl_id"])
                                           .order_by(CheckRow.id)).all()
    assert stats["trilha/start_waits"] == LINKS // START_BURST
    assert checked_in_order == urls
