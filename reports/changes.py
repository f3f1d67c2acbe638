"""What changed since the previous crawl: health as of the previous counted crawl vs now.

"Previous" is the newest crawl before the latest one that is not offline (offline
crawls never count, rule 1 of :mod:`reports.health`).  Kinds:

* ``newly-dead``: dead now, not dead before;
* ``recovered``: ok/moved now, dead/failing/flaky before;
* ``newly-moved``: moved now, not moved before;
* ``newly-failing``: failing now, ok/moved before (a first warning, not yet dead).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from trilha.model import Health
from trilha.store.history import CrawlInfo, Observation

from reports.health import Assessment, Rules, assess
from reports.model import Change, LinkRow

BAD = frozenset({Health.DEAD, Health.FAILING, Health.FLAKY})
GOOD = frozenset({Health.OK, Health.MOVED})


def counted_crawls(crawls: Sequence[CrawlInfo]) -> list[CrawlInfo]:
    return [c for c in crawls if not c.offline]


def as_of(observations: Sequence[Observation], crawl_ids: set[int]) -> list[Observation]:
    return [o for o in observations if o.crawl_id in crawl_ids]


def health_as_of(
    histories: Mapping[str, Sequence[Observation]], crawls: Sequence[CrawlInfo], upto: int, rules: Rules
) -> dict[str, Assessment]:
    """Assessment of every resource using only crawls[0..upto] (inclusive)."""
    ids = {c.id for c in crawls[: upto + 1]}
    return {canonical: assess(as_of(obs, ids), rules) for canonical, obs in histories.items()}


def classify(before: Health, after: Health) -> str | None:
    if after is Health.DEAD and before is not Health.DEAD:
        return "newly-dead"
    if after in GOOD and before in BAD:
        return "recovered"
    if after is Health.MOVED and before is not Health.MOVED:
        return "newly-moved"
    if after is Health.FAILING and before in GOOD:
        return "newly-failing"
    return None


def changes(rows: Sequence[LinkRow], before: Mapping[str, Assessment]) -> list[Change]:
    """One :class:`Change` per link (first mention of each resource) whose health changed kind."""
    out: list[Change] = []
    seen: set[str] = set()
    for row in rows:
        if row.canonical is None or row.canonical in seen or row.health is Health.MALFORMED:
            continue
        seen.add(row.canonical)
        prev = before.get(row.canonical)
        prev_health = prev.health if prev is not None else Health.UNCHECKED
        kind = classify(prev_health, row.health)
        if kind is not None:
            out.append(Change(kind=kind, line=row.line, written=row.written, before=prev_health,
                              after=row.health, note=row.note))
    return out
