"""What a report is made of: plain frozen dataclasses, built by :mod:`reports.build`,
written by :mod:`reports.render`.  Every renderer reads the same :class:`Report`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from trilha.model import Health


@dataclass(frozen=True, slots=True, kw_only=True)
class Suggestion:
    action: str                    # update | repair | archive | none
    url: str | None
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkRow:
    """One link as written in the list (one mention), with its resource's health."""

    order: int
    line: int
    written: str
    url: str | None
    canonical: str | None
    text: str
    title: str | None              # crawled title: UNTRUSTED, escape on output
    section: tuple[str, ...]
    section_line: int | None
    site: str
    health: Health
    verdict: str                   # newest counted verdict ("" if none)
    http_status: int | None
    reason: str
    note: str
    since: datetime | None
    first_failed: datetime | None
    last_ok: datetime | None
    last_checked: datetime | None
    consecutive_failures: int
    streak: int
    long_lasting: bool
    suggestion: Suggestion | None
    duplicate_of: int | None = None   # line of the first mention of the same resource
    syntax: str = "inline"         # how it is written: inline | reference | autolink | bare | html


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    kind: str                      # newly-dead | recovered | newly-moved | newly-failing | newly-flaky
    line: int
    written: str
    before: Health
    after: Health
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SectionSummary:
    path: tuple[str, ...]
    line: int | None
    counts: dict[str, int]
    problems: tuple[LinkRow, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteSummary:
    site: str
    total: int
    counts: dict[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class CrawlPoint:
    """Health counts of the list's resources as of one crawl (for the stacked plot)."""

    crawl_id: int
    started_at: datetime
    offline: bool
    counts: dict[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class Duplicate:
    canonical: str
    lines: tuple[int, ...]
    written: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    list_source: str
    list_title: str
    generated_at: datetime
    latest_crawl: CrawlPoint | None
    previous_crawl: CrawlPoint | None
    rules: dict[str, int]
    summary: dict[str, int]        # health -> links
    rows: tuple[LinkRow, ...]      # every link, list order
    sections: tuple[SectionSummary, ...]
    changes: tuple[Change, ...]
    sites: tuple[SiteSummary, ...]
    crawls: tuple[CrawlPoint, ...]
    duplicates: tuple[Duplicate, ...]
    fail_on: frozenset[str] = field(default_factory=frozenset)
    total_crawls: int = 0          # every crawl of the list (``crawls`` holds only the plotted ones)

    @property
    def problems(self) -> tuple[LinkRow, ...]:
        """Every link that is not ok (skipped and unchecked are not problems)."""
        return tuple(r for r in self.rows if r.health not in QUIET)

    @property
    def flaky(self) -> tuple[LinkRow, ...]:
        return tuple(r for r in self.rows if r.health is Health.FLAKY)

    def failing_rows(self) -> tuple[LinkRow, ...]:
        """Rows whose health is in ``fail_on`` (what exit 3 and JUnit failures are about)."""
        return tuple(r for r in self.rows if r.health.value in self.fail_on)


#: healths that are not problems (the rest is listed as "not ok")
QUIET = frozenset({Health.OK, Health.SKIPPED, Health.UNCHECKED})

HEALTH_ORDER: tuple[Health, ...] = (
    Health.DEAD, Health.FAILING, Health.FLAKY, Health.MOVED, Health.MALFORMED,
    Health.BLOCKED, Health.UNVERIFIABLE, Health.OK, Health.SKIPPED, Health.UNCHECKED,
)
