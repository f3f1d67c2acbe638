"""Benchmark the graph build and the named queries at scale (run by hand, not in CI).

    .venv/bin/python bench/graph.py [--resources 100000] [--rdflib-timeout 60]

A synthetic list: 100,000 resources (videos, papers, notebooks, pages) in 250 headings
(50 top-level, 4 sub-headings each), 400 keyword concepts, people from Kaggle URLs and
annotations, 2 crawls with a check for every resource and metadata (durations, dates,
citations between papers).  Measures (1) building the triples straight into Oxigraph,
(2) the same graph into rdflib's memory store, (3) every named query on both engines,
side by side; rdflib gets a per-query time limit (the query runs in a forked process
that is killed at the limit).  Figures are quoted in docs/graph.md.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rdflib import Graph  # noqa: E402

from graph.build import BuildReport, iter_triples  # noqa: E402
from graph.io import to_oxigraph  # noqa: E402
from graph.prerequisites import parse_curated  # noqa: E402
from graph.terms import to_rdflib  # noqa: E402
from graph.queries import bind_params, named_queries  # noqa: E402
from graph.sparql import bind_values, check_query, run_query  # noqa: E402
from trilha.model import (  # noqa: E402
    CheckResult,
    ConceptItem,
    ConceptKind,
    Mention,
    ResourceKind,
    ResourceMeta,
    Section,
    Verdict,
)
from trilha.store.snapshot import CrawlChecks, CrawlInfo, Snapshot  # noqa: E402

KINDS = [(ResourceKind.VIDEO, "youtube"), (ResourceKind.PAPER, "arxiv"), (ResourceKind.NOTEBOOK, "kaggle"),
         (ResourceKind.PAGE, None), (ResourceKind.DOCS, None)]


def synthetic(n: int, seed: int = 7, crawls: int = 2) -> tuple[Snapshot, str]:
    rnd = random.Random(seed)
    sections = []
    for t in range(50):
        sections.append(Section(title=f"Topic {t}", level=1, line=len(sections) + 1, order=len(sections),
                                path=(f"Topic {t}",), anchor=f"topic-{t}"))
        for s in range(4):
            sections.append(Section(title=f"Sub {t}.{s}", level=2, line=len(sections) + 1, order=len(sections),
                                    path=(f"Topic {t}", f"Sub {t}.{s}"), anchor=f"sub-{t}-{s}"))
    concepts = tuple(
        ConceptItem(text=f"concept{c}", kind=ConceptKind.KEYWORD, line=c, order=c,
                    section_path=sections[c % len(sections)].path, section_order=c % len(sections))
        for c in range(400))
    mentions, checks1, checks2 = [], [], []
    papers: list[str] = []
    for i in range(n):
        kind, site = KINDS[i % len(KINDS)]
        sec = sections[(i * len(sections)) // n]
        if kind is ResourceKind.VIDEO:
            url, sid = f"https://www.youtube.com/watch?v=v{i:09d}", f"youtube:v{i:09d}"
        elif kind is ResourceKind.PAPER:
            aid = f"{1000 + i // 10000}.{i % 100000:05d}"
            url, sid = f"https://arxiv.org/abs/{aid}", f"arxiv:{aid}"
        elif kind is ResourceKind.NOTEBOOK:
            url, sid = f"https://www.kaggle.com/user{i % 300}/nb-{i}", f"kaggle:user{i % 300}/nb-{i}"
        else:
            url, sid = f"https://site{i % 500}.example/page/{i}", None
        text = f"Resource {i} about concept{rnd.randrange(400)}"
        ann = (f"@user{i % 300}",) if kind is ResourceKind.NOTEBOOK else ()
        mentions.append(Mention(order=i, written=url, url=url, canonical=url, fragment=None, text=text, line=i + 300,
                                section_path=sec.path, section_order=sec.order, item_text=f"- [{text}]({url})",
                                annotations=ann, kind=kind, site=site, site_id=sid))
        meta = None
        if kind is ResourceKind.VIDEO:
            meta = ResourceMeta(title=f"Video {i}", duration_s=rnd.randrange(60, 7200), channel=f"Channel {i % 200}",
                                published="2021-05-01", site_id=sid)
        elif kind is ResourceKind.PAPER:
            # sparse, local citations (a paper cites one of the 5 papers listed just before it, 1 in 3)
            refs = [rnd.choice(papers[-5:]).split(":")[1]] if papers and rnd.random() < 0.33 else []
            meta = ResourceMeta(title=f"Paper {i}", published=f"{2010 + i % 14}-01-15",
                                authors=(f"Author {i % 5000}",), site_id=sid, extra={"references_arxiv": refs})
            papers.append(sid)
        v1 = Verdict.OK
        v2 = Verdict.DEAD if i % 97 == 0 else (Verdict.BLOCKED if i % 89 == 0 else Verdict.OK)
        checks1.append(CheckResult(canonical=url, url=url, verdict=v1, http_status=200,
                                   checked_at=datetime(2026, 1, 1, tzinfo=UTC), meta=meta))
        checks2.append(CheckResult(canonical=url, url=url, verdict=v2, http_status=404 if v2 is Verdict.DEAD else 200,
                                   checked_at=datetime(2026, 2, 1, tzinfo=UTC), meta=meta))
    both = (
        CrawlChecks(crawl=CrawlInfo(id=1, started_at=datetime(2026, 1, 1, tzinfo=UTC)), checks=tuple(checks1)),
        CrawlChecks(crawl=CrawlInfo(id=2, started_at=datetime(2026, 2, 1, tzinfo=UTC)), checks=tuple(checks2)),
    )[2 - crawls:]
    curated = "prerequisites:\n" + "".join(
        f"  - {{for: Topic {t + 1}, requires: Topic {t}, reason: synthetic}}\n" for t in range(49))
    snap = Snapshot(source="bench/synthetic.md", title="Synthetic", sections=tuple(sections),
                    mentions=tuple(mentions), concepts=concepts, crawls=both)
    return snap, curated


def _rdflib_worker(graph: Graph, text: str, conn) -> None:  # type: ignore[no-untyped-def]
    t = time.process_time()
    rows = len(list(graph.query(text)))
    conn.send((time.process_time() - t, rows))


def rdflib_time(graph: Graph, text: str, limit: float) -> tuple[float | None, int | None]:
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_rdflib_worker, args=(graph, text, child))
    proc.start()
    if parent.poll(limit):
        elapsed, rows = parent.recv()
        proc.join()
        return elapsed, rows
    proc.kill()
    proc.join()
    return None, None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=100_000)
    ap.add_argument("--rdflib-timeout", type=float, default=60.0)
    ap.add_argument("--skip-rdflib", action="store_true")
    ap.add_argument("--crawls", type=int, choices=(0, 1, 2), default=2, help="crawls in the graph (--history)")
    args = ap.parse_args()

    t = time.perf_counter()
    snap, curated_text = synthetic(args.resources, crawls=args.crawls)
    print(f"synthetic snapshot: {args.resources} resources, {args.crawls} crawls "
          f"({time.perf_counter() - t:.1f} s to generate)")
    curated = parse_curated(curated_text, "synthetic.yaml")

    t, c = time.perf_counter(), time.process_time()
    report = BuildReport()
    store = to_oxigraph(iter_triples(snap, curated, report))
    build_s, build_cpu = time.perf_counter() - t, time.process_time() - c
    n = len(store)
    print(f"build into Oxigraph: {n:,} triples in {build_s:.1f} s wall, {build_cpu:.1f} s CPU (target < 30 s)")

    graph = None
    if not args.skip_rdflib:
        t, c = time.perf_counter(), time.process_time()
        graph = Graph()
        graph.addN((s, p, to_rdflib(o), graph) for s, p, o in iter_triples(snap, curated))
        print(f"build into rdflib Memory: {len(graph):,} triples in {time.perf_counter() - t:.1f} s wall, "
              f"{time.process_time() - c:.1f} s CPU")

    print("\nquery times are CPU seconds of the querying process (the machine may be shared)")
    print(f"\n| named query | rows | Oxigraph | rdflib Memory (limit {args.rdflib_timeout:g} s wall) |")
    print("|---|---:|---:|---:|")
    for name, q in named_queries().items():
        params = bind_params(q, {"concept": "Topic 10"} if "concept" in q.params else {})
        c = time.process_time()
        result = run_query(store, q.text, params=params, timeout=600, max_rows=1_000_000)
        ox_ms = (time.process_time() - c) * 1000
        rd = "skipped"
        if graph is not None:
            elapsed, rows = rdflib_time(graph, check_query(bind_values(q.text, params)), args.rdflib_timeout)
            rd = f"{elapsed * 1000:,.0f} ms" if elapsed is not None else f"> {args.rdflib_timeout:g} s (killed)"
        print(f"| {name} | {len(result.rows):,} | {ox_ms:,.0f} ms | {rd} |")


if __name__ == "__main__":
    main()
