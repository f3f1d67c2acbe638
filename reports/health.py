"""History-based link health: THE one place where the rules live (docs/reports.md §1).

A :class:`~trilha.model.Verdict` is one observation of one crawl; a
:class:`~trilha.model.Health` is what the history of observations says.  The rules,
applied to the checks of one resource, oldest first:

1. **Offline crawls never count.**  Checks from a crawl marked ``offline`` (and any
   check whose verdict is ``offline``) are dropped before anything else.
2. Each remaining check falls in one class:

   * *alive*: ``ok``, ``redirected``, ``moved``;
   * *definitive failure*: ``soft-404``, or ``dead`` with an HTTP status (404, 410, any
     answer from the site itself) — the site said the page is gone;
   * *explicit deletion* (a definitive failure that needs no confirmation): HTTP 410,
     or an adapter's reason starting with ``gone:`` (e.g. ``"gone: video removed by
     the uploader"``, ``"gone: repository deleted"``) — see :func:`is_explicit_gone`;
   * *transient failure*: ``dead`` without an HTTP status (DNS failure, connection
     refused, reset), ``error`` (5xx after retries), ``timeout``;
   * *inconclusive*: ``blocked``, ``unverifiable`` — they say nothing about liveness and
     neither extend nor break a failure streak;
   * ``skipped`` and ``malformed`` stand for themselves.
3. The *failure streak* is the run of failures since the last alive check (inconclusive
   checks in between are ignored).  The link is **dead** when the streak contains an
   explicit deletion, or two consecutive definitive failures, or at least
   ``dead_after`` (default 3) failures of any kind.  Otherwise it is **failing**.
4. **Flaky**: at least ``flaky_flips`` (default 3) changes between alive and failing
   among the last ``flaky_window`` (default 6) informative checks — unless rule 3 already
   says dead (a confirmed death beats a flapping past).
5. When the newest counted check is ``blocked``/``unverifiable`` the health is that,
   with the length of the run; it is *long-lasting* from ``long_after`` (default 3)
   crawls on and then surfaced as "blocked for N crawls since …".
6. Otherwise the newest alive check decides: ``moved`` (a permanent redirect) or ``ok``.

A mention whose URL cannot be resolved, or that the reader proposes to repair, is
``malformed`` whatever its resource's history (see :func:`mention_health`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from trilha.model import Health, Verdict
from trilha.store.history import MentionInfo, Observation

ALIVE = frozenset({Verdict.OK, Verdict.REDIRECTED, Verdict.MOVED})
TRANSIENT = frozenset({Verdict.ERROR, Verdict.TIMEOUT})
INCONCLUSIVE = frozenset({Verdict.BLOCKED, Verdict.UNVERIFIABLE})
GONE_PREFIX = "gone:"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    """The tunable numbers of the rules above (CLI: ``--dead-after``, ``--flaky-window``)."""

    dead_after: int = 3
    flaky_window: int = 6
    flaky_flips: int = 3
    long_after: int = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """The health of one resource and the facts behind it."""

    health: Health
    latest: Observation | None          # newest counted check
    since: datetime | None              # when the current state began (crawl start)
    first_failed: datetime | None       # first failure of the current failure streak
    last_ok: datetime | None            # newest alive check, any time
    consecutive_failures: int
    streak: int                         # counted crawls in the current state
    long_lasting: bool                  # blocked/unverifiable/failing for >= long_after crawls
    counted: int                        # checks that counted
    ignored_offline: int                # checks dropped because their crawl was offline
    note: str                           # one human sentence ("dead since 2025-01-03: 404 twice")


def is_explicit_gone(obs: Observation) -> bool:
    """HTTP 410, or an adapter's reason of the form ``"gone: …"`` (the site says deleted)."""
    r = obs.result
    if r.verdict not in (Verdict.DEAD, Verdict.SOFT_404):
        return False
    return r.http_status == 410 or (r.reason or "").strip().lower().startswith(GONE_PREFIX)


def is_definitive(obs: Observation) -> bool:
    r = obs.result
    if r.verdict is Verdict.SOFT_404:
        return True
    return r.verdict is Verdict.DEAD and (r.http_status is not None or is_explicit_gone(obs))


def is_failure(obs: Observation) -> bool:
    return obs.result.verdict is Verdict.DEAD or obs.result.verdict in TRANSIENT or obs.result.verdict is Verdict.SOFT_404


def counted(observations: Sequence[Observation]) -> list[Observation]:
    """Rule 1: drop checks of offline crawls."""
    return [o for o in observations if not o.offline and o.result.verdict is not Verdict.OFFLINE]


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "?"


def _flips(informative: Sequence[Observation], window: int) -> tuple[int, datetime | None]:
    tail = informative[-window:]
    flips, first = 0, None
    for a, b in zip(tail, tail[1:], strict=False):
        if (a.result.verdict in ALIVE) != (b.result.verdict in ALIVE):
            flips += 1
            first = first or b.started_at
    return flips, first


def assess(observations: Sequence[Observation], rules: Rules = Rules()) -> Assessment:
    """Apply the rules to one resource's checks (oldest first)."""
    obs = counted(observations)
    ignored = len(observations) - len(obs)
    base = dict(counted=len(obs), ignored_offline=ignored)
    if not obs:
        return Assessment(health=Health.UNCHECKED, latest=None, since=None, first_failed=None, last_ok=None,
                          consecutive_failures=0, streak=0, long_lasting=False, note="never checked", **base)
    latest = obs[-1]
    last_ok = next((o.started_at for o in reversed(obs) if o.result.verdict in ALIVE), None)
    v = latest.result.verdict
    if v in (Verdict.SKIPPED, Verdict.MALFORMED):
        health = Health.SKIPPED if v is Verdict.SKIPPED else Health.MALFORMED
        return Assessment(health=health, latest=latest, since=latest.started_at, first_failed=None,
                          last_ok=last_ok, consecutive_failures=0, streak=1, long_lasting=False,
                          note=f"{v.value}: {latest.result.reason or ''}".rstrip(": "), **base)
    if v in INCONCLUSIVE:
        run = 0
        for o in reversed(obs):
            if o.result.verdict not in INCONCLUSIVE:
                break
            run += 1
        since = obs[-run].started_at
        health = Health.BLOCKED if v is Verdict.BLOCKED else Health.UNVERIFIABLE
        long = run >= rules.long_after
        note = f"{health.value} for {run} crawl{'s' if run != 1 else ''} since {_day(since)}"
        if latest.result.reason:
            note += f" ({latest.result.reason})"
        return Assessment(health=health, latest=latest, since=since, first_failed=None, last_ok=last_ok,
                          consecutive_failures=0, streak=run, long_lasting=long, note=note, **base)
    informative = [o for o in obs if o.result.verdict in ALIVE or is_failure(o)]
    streak_obs: list[Observation] = []
    for o in reversed(informative):
        if o.result.verdict in ALIVE:
            break
        streak_obs.append(o)
    streak_obs.reverse()
    flips, flip_since = _flips(informative, rules.flaky_window)
    flaky = flips >= rules.flaky_flips
    if streak_obs:
        first_failed = streak_obs[0].started_at
        n = len(streak_obs)
        gone = any(is_explicit_gone(o) for o in streak_obs)
        twice = any(is_definitive(a) and is_definitive(b) for a, b in zip(streak_obs, streak_obs[1:], strict=False))
        what = latest.result.reason or (str(latest.result.http_status) if latest.result.http_status else v.value)
        common = dict(latest=latest, first_failed=first_failed, last_ok=last_ok, consecutive_failures=n, **base)
        if gone or twice or n >= rules.dead_after:
            why = "explicitly deleted" if gone else ("gone twice in a row" if twice else f"failed {n} crawls in a row")
            return Assessment(health=Health.DEAD, since=first_failed, streak=n, long_lasting=True,
                              note=f"dead since {_day(first_failed)}: {why} ({what})", **common)
        if flaky:
            return Assessment(health=Health.FLAKY, since=flip_since, streak=n, long_lasting=False,
                              note=f"flaky: {flips} flips in the last {rules.flaky_window} checks ({what})", **common)
        return Assessment(health=Health.FAILING, since=first_failed, streak=n, long_lasting=n >= rules.long_after,
                          note=f"failing since {_day(first_failed)}, {n} of {rules.dead_after} before dead ({what})",
                          **common)
    run = 0
    for o in reversed(informative):
        if o.result.verdict not in ALIVE or (o.result.verdict is Verdict.MOVED) != (v is Verdict.MOVED):
            break
        run += 1
    since = informative[-run].started_at
    common = dict(latest=latest, first_failed=None, last_ok=last_ok, consecutive_failures=0, **base)
    if flaky:
        return Assessment(health=Health.FLAKY, since=flip_since, streak=run, long_lasting=False,
                          note=f"flaky: {flips} flips in the last {rules.flaky_window} checks", **common)
    if v is Verdict.MOVED:
        target = latest.result.suggested_url or latest.result.final_url or ""
        return Assessment(health=Health.MOVED, since=since, streak=run, long_lasting=False,
                          note=f"moved since {_day(since)} to {target}".rstrip(), **common)
    return Assessment(health=Health.OK, since=since, streak=run, long_lasting=False, note="ok", **common)


def health_only(observations: Sequence[Observation], rules: Rules = Rules(), *, end: int | None = None) -> Health:
    """Same health as :func:`assess`, from the shortest tail that decides it (for the
    per-crawl plot and "as of the previous crawl": long histories stay cheap).

    The tail ends once it holds ``flaky_window`` informative checks and either an alive
    check (the failure streak is complete) or ``dead_after`` failures (dead is certain).
    Only ``observations[:end]`` are looked at (no copy of the history is made).
    """
    tail: list[Observation] = []
    informative = failures = 0
    alive_seen = False
    stop = len(observations) if end is None else end
    for k in range(stop - 1, -1, -1):
        o = observations[k]
        v = o.result.verdict
        if o.offline or v is Verdict.OFFLINE:
            continue
        tail.append(o)
        if len(tail) == 1 and v not in ALIVE and not is_failure(o):
            break                               # inconclusive, skipped, malformed: the newest decides
        if v in ALIVE:
            informative += 1
            alive_seen = True
        elif is_failure(o):
            informative += 1
            if not alive_seen:
                failures += 1
        if informative >= rules.flaky_window and (alive_seen or failures >= rules.dead_after):
            break
    tail.reverse()
    return assess(tail, rules).health


def is_malformed_mention(mention: MentionInfo) -> bool:
    """The URL as written cannot be resolved, or the reader proposes a repair for it."""
    if mention.is_internal:
        return False
    return mention.url is None or any(f.repair for f in mention.findings)


def mention_health(mention: MentionInfo, resource: Assessment | None) -> Health:
    """A link's health: ``malformed`` for a broken written URL, else its resource's health."""
    if is_malformed_mention(mention):
        return Health.MALFORMED
    return resource.health if resource is not None else Health.UNCHECKED
