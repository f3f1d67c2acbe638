"""ListHistory → Report: the pure middle of ``trilha report`` (no I/O)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from trilha.model import Health
from trilha.store.history import ListHistory, MentionInfo

from reports.changes import Timeline, changes, counted_crawls
from reports.health import Assessment, Rules, mention_health
from reports.model import (
    HEALTH_ORDER,
    QUIET,
    CrawlPoint,
    Duplicate,
    LinkRow,
    Report,
    SectionSummary,
    SiteSummary,
)
from reports.suggest import suggest


#: crawls drawn in the "health over the crawls" plot (the newest ones)
PLOT_CRAWLS = 60


def parse_health_list(text: str | None) -> frozenset[str]:
    """``"dead,moved"`` → {"dead", "moved"}; unknown names raise ValueError (the CLI turns it into usage)."""
    names = {t.strip().lower() for t in (text or "").split(",") if t.strip()}
    valid = {h.value for h in Health}
    unknown = names - valid
    if unknown:
        raise ValueError(f"unknown health {', '.join(sorted(unknown))} (choose from {', '.join(h.value for h in Health)})")
    return frozenset(names)


def site_of(mention: MentionInfo) -> str:
    if mention.site:
        return mention.site
    host = urlsplit(mention.url or mention.written).hostname or ""
    return host.removeprefix("www.") or "(none)"


def _counts(values: Iterable[Health]) -> dict[str, int]:
    c = Counter(h.value for h in values)
    return {h.value: c[h.value] for h in HEALTH_ORDER if c[h.value]}


def link_rows(history: ListHistory, assessments: Mapping[str, Assessment]) -> list[LinkRow]:
    """One row per mention (in-list anchors excluded), in list order."""
    rows: list[LinkRow] = []
    first_line: dict[str, int] = {}
    for m in history.mentions:
        if m.is_internal:
            continue
        resource = history.resources.get(m.canonical) if m.canonical else None
        a = assessments.get(m.canonical) if m.canonical else None
        health = mention_health(m, a)
        latest_obs = a.latest if a is not None else None
        res = latest_obs.result if latest_obs is not None else None
        dup = first_line.get(m.canonical) if m.canonical else None
        if m.canonical and m.canonical not in first_line:
            first_line[m.canonical] = m.line
        note = a.note if a is not None else "never checked"
        if health is Health.MALFORMED:
            note = "; ".join(f.message for f in m.findings) or "the URL as written cannot be resolved"
        rows.append(LinkRow(
            order=m.order, line=m.line, written=m.written, url=m.url, canonical=m.canonical, text=m.text,
            title=resource.title if resource else None, section=m.section_path, section_line=m.section_line,
            site=site_of(m), health=health, verdict=res.verdict.value if res else "",
            http_status=res.http_status if res else None, reason=(res.reason or res.error or "") if res else "",
            note=note, since=a.since if a else None, first_failed=a.first_failed if a else None,
            last_ok=a.last_ok if a else None, last_checked=latest_obs.started_at if latest_obs else None,
            consecutive_failures=a.consecutive_failures if a else 0, streak=a.streak if a else 0,
            long_lasting=a.long_lasting if a else False, suggestion=suggest(health, m, a, resource),
            duplicate_of=dup, syntax=m.syntax,
        ))
    return rows


def section_summaries(rows: Sequence[LinkRow], history: ListHistory) -> list[SectionSummary]:
    """Per heading of the list (its own line number): counts and the links that are not ok."""
    by_section: dict[tuple[str, ...], list[LinkRow]] = defaultdict(list)
    for row in rows:
        by_section[row.section].append(row)
    section_lines = {s.path: s.line for s in history.sections}
    return [
        SectionSummary(
            path=path, line=section_lines.get(path, srows[0].section_line),
            counts=_counts(r.health for r in srows),
            problems=tuple(r for r in srows if r.health not in QUIET),
        )
        for path, srows in by_section.items()
    ]


def site_summaries(rows: Sequence[LinkRow]) -> list[SiteSummary]:
    """Per site (adapter name, else host), each resource once; most links first."""
    by_site: dict[str, list[LinkRow]] = defaultdict(list)
    for row in rows:
        if row.duplicate_of is None:
            by_site[row.site].append(row)
    return sorted(
        (SiteSummary(site=s, total=len(v), counts=_counts(r.health for r in v)) for s, v in by_site.items()),
        key=lambda s: (-s.total, s.site),
    )


def duplicates_of(rows: Sequence[LinkRow]) -> list[Duplicate]:
    """Resources mentioned more than once (same canonical URL), with every line."""
    groups: dict[str, list[LinkRow]] = defaultdict(list)
    for row in rows:
        if row.canonical:
            groups[row.canonical].append(row)
    return [
        Duplicate(canonical=c, lines=tuple(r.line for r in g), written=tuple(r.written for r in g))
        for c, g in groups.items() if len(g) > 1
    ]


def build_report(
    history: ListHistory,
    *,
    rules: Rules = Rules(),
    fail_on: frozenset[str] = frozenset(),
    now: datetime | None = None,
) -> Report:
    """Assess every resource, then assemble the report (rows, sections, sites, changes, plot points)."""
    histories = {c: r.observations for c, r in history.resources.items()}
    crawls = list(history.crawls)
    timeline = Timeline(histories, crawls)
    assessments = timeline.as_of(len(crawls) - 1, rules) if crawls else timeline.as_of(0, rules)
    per_crawl: list[CrawlPoint] = []
    for i, crawl in enumerate(crawls):
        if i < len(crawls) - PLOT_CRAWLS:
            continue
        state = ({c: a.health for c, a in assessments.items()} if i == len(crawls) - 1
                 else timeline.health_as_of(i, rules))
        per_crawl.append(CrawlPoint(crawl_id=crawl.id, started_at=crawl.started_at, offline=crawl.offline,
                                    counts=_counts(state.values())))
    counted = counted_crawls(crawls)
    point = {p.crawl_id: p for p in per_crawl}
    latest = point.get(counted[-1].id) if counted else None
    previous = None
    before: dict[str, Health] = {}
    if len(counted) >= 2:
        prev_crawl = counted[-2]
        before = timeline.health_as_of(crawls.index(prev_crawl), rules)
        previous = point.get(prev_crawl.id) or CrawlPoint(
            crawl_id=prev_crawl.id, started_at=prev_crawl.started_at, offline=False,
            counts=_counts(before.values()))
    rows = link_rows(history, assessments)
    return Report(
        list_source=history.source, list_title=history.title, generated_at=now or datetime.now(UTC),
        latest_crawl=latest, previous_crawl=previous,
        rules={"dead_after": rules.dead_after, "flaky_window": rules.flaky_window,
               "flaky_flips": rules.flaky_flips, "long_after": rules.long_after},
        summary=_counts(r.health for r in rows), rows=tuple(rows),
        sections=tuple(section_summaries(rows, history)),
        changes=tuple(changes(rows, before)) if previous is not None else (),
        sites=tuple(site_summaries(rows)), crawls=tuple(per_crawl), duplicates=tuple(duplicates_of(rows)),
        fail_on=fail_on, total_crawls=len(crawls),
    )
