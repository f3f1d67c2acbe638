"""Time ``reports.build.build_report`` on a synthetic year of nightly crawls (run by hand).

    .venv/bin/python bench/bench_reports.py [CRAWLS] [RESOURCES]

Builds the ListHistory in memory (no store), 1 crawl in 50 offline, ~20 % failures.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta

from reports.build import build_report
from reports.render import csv, html, json, junit, markdown
from trilha.model import CheckResult, Verdict
from trilha.store.history import CrawlInfo, ListHistory, MentionInfo, Observation, ResourceHistory


def synthetic(crawls: int, resources: int, seed: int = 1) -> ListHistory:
    rng = random.Random(seed)
    t0 = datetime(2025, 1, 1, 3, tzinfo=UTC)
    cs = tuple(CrawlInfo(id=i, started_at=t0 + timedelta(days=i), finished_at=None, status="finished",
                         offline=i % 50 == 49) for i in range(crawls))
    verdicts = [Verdict.OK] * 8 + [Verdict.DEAD, Verdict.TIMEOUT]
    res, mentions = {}, []
    for r in range(resources):
        url = f"https://s{r % 40}.example/{r}"
        obs = tuple(Observation(crawl_id=c.id, started_at=c.started_at, offline=c.offline,
                                result=CheckResult(canonical=url, url=url, verdict=rng.choice(verdicts),
                                                   http_status=404)) for c in cs)
        res[url] = ResourceHistory(canonical=url, url=url, site=None, kind=None, title=None, snapshot_url=None,
                                   observations=obs)
        mentions.append(MentionInfo(order=r, line=r + 1, written=url, url=url, canonical=url, text="x",
                                    section_path=(f"S{r % 20}",), section_line=1, site=None, kind=None,
                                    syntax="inline", is_internal=False, is_image=False, findings=()))
    return ListHistory(list_id=1, source="bench", title="bench", text=None, sections=(),
                       mentions=tuple(mentions), crawls=cs, resources=res)


def main() -> None:
    crawls = int(sys.argv[1]) if len(sys.argv) > 1 else 365
    resources = int(sys.argv[2]) if len(sys.argv) > 2 else 450
    history = synthetic(crawls, resources)
    t = time.perf_counter()
    report = build_report(history)
    built = time.perf_counter() - t
    t = time.perf_counter()
    for module in (html, markdown, json, csv, junit):
        module.render(report)
    rendered = time.perf_counter() - t
    print(f"{crawls} crawls x {resources} resources ({crawls * resources} checks): "
          f"build {built:.2f} s, render all formats {rendered:.2f} s; summary {report.summary}")


if __name__ == "__main__":
    main()
