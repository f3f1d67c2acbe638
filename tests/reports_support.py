"""Build list histories for the report tests directly in the store (no crawler).

``make_list`` ingests a :class:`StudyList` through the real ``trilha.store.lists.ingest``;
``add_crawl`` records one crawl through the real ``trilha.store.crawls`` functions
(start_crawl, save_checks, finish_crawl) and pins its ``started_at`` so "since" values
are exact.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from trilha.model import CheckResult, Finding, Mention, ResourceMeta, Section, StudyList, Verdict
from trilha.store import Store
from trilha.store.crawls import finish_crawl, save_checks, start_crawl
from trilha.store.lists import ingest
from trilha.store.schema import CrawlRow

T0 = datetime(2025, 1, 1, 3, 0, tzinfo=UTC)
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
LINK = re.compile(r"\[([^\]]*)\]\((\S+?)\)")


def day(n: int) -> datetime:
    """Crawl n starts at 03:00 UTC on 2025-01-(1+n)."""
    return T0 + timedelta(days=n)


def canonical_of(url: str) -> str:
    return url.rstrip("/").lower()


def read_markdown(text: str, source: str, *, repairs: dict[str, str] | None = None) -> StudyList:
    """A tiny reader for tests: ATX headings and inline links, one mention per link."""
    repairs = repairs or {}
    sections: list[Section] = []
    mentions: list[Mention] = []
    stack: list[tuple[int, str]] = []
    in_fence = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        h = HEADING.match(line)
        if h:
            level, title = len(h.group(1)), h.group(2)
            stack = [(lv, t) for lv, t in stack if lv < level] + [(level, title)]
            sections.append(Section(title=title, level=level, line=lineno, order=len(sections),
                                    path=tuple(t for _, t in stack), anchor=title.lower().replace(" ", "-")))
            continue
        for m in LINK.finditer(line):
            written = m.group(2)
            internal = written.startswith("#")
            url = repairs.get(written, written)
            findings: tuple[Finding, ...] = ()
            if written in repairs:
                findings = (Finding(code="repaired", message="stray characters in the URL", repair=url),)
            ok_url = url.startswith(("http://", "https://"))
            mentions.append(Mention(
                order=len(mentions), written=written, url=url if ok_url else None,
                canonical=canonical_of(url) if ok_url and not internal else None, fragment=None,
                text=m.group(1), line=lineno, section_path=sections[-1].path if sections else (),
                section_order=sections[-1].order if sections else None, item_text=line,
                site=(urlsplit(url).hostname or "").removeprefix("www.") if ok_url else None,
                is_internal=internal, findings=findings,
            ))
    return StudyList(source=source, title="test list", base_url=None,
                     content_hash=hashlib.sha256(text.encode()).hexdigest(), text=text,
                     sections=tuple(sections), mentions=tuple(mentions), concepts=())


def make_list(store: Store, text: str, source: str = "tests/list.md", **kw: object) -> int:
    return ingest(store, read_markdown(text, source, **kw)).list_id  # type: ignore[arg-type]


def check(url: str, verdict: Verdict, status: int | None = None, **kw: object) -> CheckResult:
    return CheckResult(canonical=canonical_of(url), url=url, verdict=verdict, http_status=status, **kw)  # type: ignore[arg-type]


def add_crawl(store: Store, list_id: int, n: int, results: list[CheckResult], *, offline: bool = False) -> int:
    crawl_id = start_crawl(store, list_id=list_id, settings={})
    save_checks(store, crawl_id, [r if r.checked_at else _at(r, day(n)) for r in results])
    finish_crawl(store, crawl_id, status="finished", offline=offline)
    with store.session() as session:
        row = session.get(CrawlRow, crawl_id)
        assert row is not None
        row.started_at = day(n)
    return crawl_id


def _at(r: CheckResult, when: datetime) -> CheckResult:
    from dataclasses import replace

    return replace(r, checked_at=when)


def titled(r: CheckResult, title: str) -> CheckResult:
    from dataclasses import replace

    return replace(r, meta=ResourceMeta(title=title))


SCENARIO_LIST = """# Lista de teste

Intro with no links.

## Papers

- [Stays dead](https://a.example/dead) - paper
- [Recovers](https://b.example/recovers)
- [Flaps](https://c.example/flaps)

## Tools

- [Moves](https://d.example/old) and a fine one [Fine](https://a.example/fine)
- [Blocked](https://e.example/blocked)
- [Deleted](https://f.example/gone)
- [Down server](https://g.example/down)
- [Stays dead, again](https://a.example/dead)
- [Typo](htps://h.example/page)
- [Back to top](#lista-de-teste)
"""

HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
HOSTILE_TITLE_2 = "</script><script>alert(1)</script>"
DEAD_SNAPSHOT = "https://web.archive.org/web/20240101000000/https://a.example/dead"
GONE_SNAPSHOT = "https://web.archive.org/web/20231201000000/https://f.example/gone"


def build_scenario(store: Store) -> int:
    """Six crawls (the 3rd offline) of SCENARIO_LIST; returns the list id.

    ==========  ======  ======  ==============  ======  ==================  =======
    link        day 1   day 2   day 3 (offline) day 4   day 5               day 6
    ==========  ======  ======  ==============  ======  ==================  =======
    dead        ok      404     dns             404     404 (+archived)     404
    recovers    ok      ok      dns             ok      404                 ok
    flaps       ok      timeout dns             ok      503                 ok
    moves       ok      ok      dns             ok      ok                  moved
    blocked     403     403     dns             403     403                 403
    gone        ok      ok      dns             410     410                 410
    down        ok      ok      dns             refused 503                 timeout
    fine        ok      ok      dns             ok      ok                  ok
    typo        ok      ok      dns             ok      ok                  ok
    ==========  ======  ======  ==============  ======  ==================  =======
    """
    from trilha.store.crawls import save_snapshot

    list_id = make_list(store, SCENARIO_LIST, repairs={"htps://h.example/page": "https://h.example/page"})
    V = Verdict
    ok = lambda u: check(u, V.OK, 200)  # noqa: E731
    plan: dict[str, list[CheckResult]] = {
        "https://a.example/dead": [ok("https://a.example/dead"), check("https://a.example/dead", V.DEAD, 404, reason="404"),
                                   None, check("https://a.example/dead", V.DEAD, 404, reason="404"),
                                   check("https://a.example/dead", V.DEAD, 404, reason="404", archived_url=DEAD_SNAPSHOT),
                                   check("https://a.example/dead", V.DEAD, 404, reason="404")],
        "https://b.example/recovers": [ok("https://b.example/recovers")] * 2 + [None, ok("https://b.example/recovers"),
                                       check("https://b.example/recovers", V.DEAD, 404, reason="404"),
                                       ok("https://b.example/recovers")],
        "https://c.example/flaps": [ok("https://c.example/flaps"), check("https://c.example/flaps", V.TIMEOUT, reason="read timeout"),
                                    None, ok("https://c.example/flaps"),
                                    check("https://c.example/flaps", V.ERROR, 503, reason="503 after retries"),
                                    ok("https://c.example/flaps")],
        "https://d.example/old": [ok("https://d.example/old")] * 2 + [None] + [ok("https://d.example/old")] * 2 + [
            check("https://d.example/old", V.MOVED, 301, final_url="https://d.example/new",
                  suggested_url="https://d.example/new", reason="301 permanent redirect")],
        "https://e.example/blocked": [titled(check("https://e.example/blocked", V.BLOCKED, 403, reason="403 bot wall"),
                                             HOSTILE_TITLE_2)] * 2 + [None] +
                                     [check("https://e.example/blocked", V.BLOCKED, 403, reason="403 bot wall")] * 3,
        "https://f.example/gone": [ok("https://f.example/gone")] * 2 + [None] +
                                  [check("https://f.example/gone", V.DEAD, 410, reason="410")] * 3,
        "https://g.example/down": [ok("https://g.example/down")] * 2 + [None,
                                   check("https://g.example/down", V.DEAD, None, reason="connection refused"),
                                   check("https://g.example/down", V.ERROR, 503, reason="503 after retries"),
                                   check("https://g.example/down", V.TIMEOUT, None, reason="read timeout")],
        "https://a.example/fine": [titled(ok("https://a.example/fine"), HOSTILE_TITLE)] * 2 + [None] +
                                  [titled(ok("https://a.example/fine"), HOSTILE_TITLE)] * 3,
        "https://h.example/page": [ok("https://h.example/page")] * 2 + [None] + [ok("https://h.example/page")] * 3,
    }
    for n in range(1, 7):
        if n == 3:   # the crawler had no network: every check failed with DNS errors
            add_crawl(store, list_id, n, [check(u, V.DEAD, None, reason="dns: name not found") for u in plan],
                      offline=True)
            continue
        add_crawl(store, list_id, n, [results[n - 1] for results in plan.values()])
        if n == 4:
            save_snapshot(store, canonical_of("https://f.example/gone"), snapshot_url=GONE_SNAPSHOT,
                          timestamp="20231201000000")
    return list_id
