"""What changed since the previous crawl: health as of the previous counted crawl vs now.

"Previous" is the newest crawl before the latest one that is not offline (offline
crawls never count, rule 1 of :mod:`reports.health`).  Kinds:

* ``newly-dead``: dead now, not dead before;
* ``recovered``: ok/moved now, dead/failing/flaky before;
* ``newly-moved``: moved now, not moved before;
* ``newly-failing``: failing now, ok/moved before (a first warning, not yet dead).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence

from trilha.model import Health
from trilha.store.history import CrawlInfo, Observation

from reports.health import Assessment, Rules, assess, health_only
from reports.model import Change, LinkRow

BAD = frozenset({Health.DEAD, Health.FAILING, Health.FLAKY})
GOOD = frozenset({Health.OK, Health.MOVED})


def counted_crawls(crawls: Sequence[CrawlInfo]) -> list[CrawlInfo]:
    return [c for c in crawls if not c.offline]


class Timeline:
    """Every resource's checks indexed by crawl position, to assess "as of crawl i" cheaply
    (a prefix of each history found by bisection, not a scan)."""

    def __init__(self, histories: Mapping[str, Sequence[Observation]], crawls: Sequence[CrawlInfo]) -> None:
        position = {c.id: i for i, c in enumerate(crawls)}
        self.histories = histories
        self.positions = {c: [position.get(o.crawl_id, -1) for o in obs] for c, obs in histories.items()}

    def as_of(self, upto: int, rules: Rules) -> dict[str, Assessment]:
        """Assessment of every resource using only crawls[0..upto] (inclusive)."""
        return {
            canonical: assess(obs[: bisect_right(self.positions[canonical], upto)], rules)
            for canonical, obs in self.histories.items()
        }

    def health_as_of(self, upto: int, rules: Rules) -> dict[str, Health]:
        """Only the health of every resource as of crawls[0..upto] (cheap: see health_only)."""
        return {
            canonical: health_only(obs, rules, end=bisect_right(self.positions[canonical], upto))
            for canonical, obs in self.histories.items()
        }


def health_as_of(
    histories: Mapping[str, Sequence[Observation]], crawls: Sequence[CrawlInfo], upto: int, rules: Rules
) -> dict[str, Assessment]:
    """Assessment of every resource using only crawls[0..upto] (inclusive)."""
    return Timeline(histories, crawls).as_of(upto, rules)


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


def changes(rows: Sequence[LinkRow], before: Mapping[str, Health]) -> list[Change]:
    """One :class:`Change` per link (first mention of each resource) whose health changed kind."""
    out: list[Change] = []
    seen: set[str] = set()
    for row in rows:
        if row.canonical is None or row.canonical in seen or row.health is Health.MALFORMED:
            continue
        seen.add(row.canonical)
        prev_health = before.get(row.canonical, Health.UNCHECKED)
        kind = classify(prev_health, row.health)
        if kind is not None:
            out.append(Change(kind=kind, line=row.line, written=row.written, before=prev_health,
                              after=row.health, note=row.note))
    return out
