"""History rules (reports.health) on a history built in the store (tests/reports_support.py).

The history is written with the real store functions (ingest, start_crawl, save_checks,
finish_crawl); no crawler runs here — tests/test_reports_e2e.py covers real crawls.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reports.build import build_report, parse_health_list
from reports.health import Rules, assess
from trilha.model import CheckResult, Health, Verdict
from trilha.store import open_store
from trilha.store.history import Observation, find_list_id, load_history

from tests.reports_support import DEAD_SNAPSHOT, GONE_SNAPSHOT, build_scenario, day


@pytest.fixture()
def report(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'h.db'}")
    list_id = build_scenario(store)
    history = load_history(store, list_id)
    store.close()
    return build_report(history, now=datetime(2025, 1, 8, tzinfo=UTC))


def by_written(report, written):
    return next(r for r in report.rows if r.written == written)


def test_every_health_since_and_streak(report) -> None:
    dead = by_written(report, "https://a.example/dead")
    assert (dead.health, dead.since, dead.first_failed, dead.last_ok) == (Health.DEAD, day(2), day(2), day(1))
    assert dead.consecutive_failures == 4          # days 2, 4, 5, 6: the offline day 3 never counts
    rec = by_written(report, "https://b.example/recovers")
    assert (rec.health, rec.since, rec.last_ok, rec.consecutive_failures) == (Health.OK, day(6), day(6), 0)
    flaps = by_written(report, "https://c.example/flaps")
    assert flaps.health is Health.FLAKY and flaps.since == day(2)
    moved = by_written(report, "https://d.example/old")
    assert (moved.health, moved.since) == (Health.MOVED, day(6))
    blocked = by_written(report, "https://e.example/blocked")
    assert (blocked.health, blocked.since, blocked.streak, blocked.long_lasting) == (Health.BLOCKED, day(1), 5, True)
    assert "blocked for 5 crawls since 2025-01-02" in blocked.note
    gone = by_written(report, "https://f.example/gone")
    assert (gone.health, gone.since) == (Health.DEAD, day(4))
    down = by_written(report, "https://g.example/down")   # refused, 503, timeout: 3 in a row
    assert (down.health, down.since, down.consecutive_failures) == (Health.DEAD, day(4), 3)
    assert by_written(report, "https://a.example/fine").health is Health.OK
    typo = by_written(report, "htps://h.example/page")
    assert typo.health is Health.MALFORMED
    assert all(r.written != "#lista-de-teste" for r in report.rows)   # in-list anchors are not links


def test_suggested_fixes(report) -> None:
    s = {r.written: r.suggestion for r in report.rows}
    assert (s["https://a.example/dead"].action, s["https://a.example/dead"].url) == ("archive", DEAD_SNAPSHOT)
    assert (s["https://f.example/gone"].action, s["https://f.example/gone"].url) == ("archive", GONE_SNAPSHOT)
    assert (s["https://d.example/old"].action, s["https://d.example/old"].url) == ("update", "https://d.example/new")
    assert (s["htps://h.example/page"].action, s["htps://h.example/page"].url) == ("repair", "https://h.example/page")
    assert s["https://g.example/down"].action == "none" and "remove or replace" in s["https://g.example/down"].note
    assert s["https://a.example/fine"] is None and s["https://b.example/recovers"] is None


def test_changes_since_previous_crawl(report) -> None:
    # previous counted crawl is day 5 (day 3 was offline); latest is day 6
    assert report.previous_crawl is not None and report.previous_crawl.started_at == day(5)
    got = {(c.kind, c.written, c.before.value, c.after.value) for c in report.changes}
    assert got == {
        ("newly-dead", "https://g.example/down", "failing", "dead"),
        ("recovered", "https://b.example/recovers", "failing", "ok"),
        ("newly-moved", "https://d.example/old", "ok", "moved"),
    }


def test_summary_sections_sites_duplicates(report) -> None:
    assert report.summary == {"dead": 4, "flaky": 1, "moved": 1, "malformed": 1, "blocked": 1, "ok": 2}
    assert [(s.path, s.line) for s in report.sections] == [
        (("Lista de teste", "Papers"), 5), (("Lista de teste", "Tools"), 11)]
    assert [d.lines for d in report.duplicates] == [(7, 17)]
    assert report.rows[-2].duplicate_of == 7
    sites = {s.site: s.total for s in report.sites}
    assert sites["a.example"] == 2                    # the duplicate mention counts once
    assert [p.offline for p in report.crawls] == [False, False, True, False, False, False]
    assert report.crawls[-1].counts["dead"] == 3       # resources (not mentions) per crawl


def _obs(n: int, verdict: Verdict, status: int | None = None, reason: str | None = None,
         offline: bool = False) -> Observation:
    r = CheckResult(canonical="x", url="https://x", verdict=verdict, http_status=status, reason=reason)
    return Observation(crawl_id=n, started_at=day(n), offline=offline, result=r)


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([(Verdict.OK, 200), (Verdict.DEAD, 404)], Health.FAILING),                 # one 404: not yet
        ([(Verdict.DEAD, 404), (Verdict.DEAD, 404)], Health.DEAD),                 # two in a row
        ([(Verdict.OK, 200), (Verdict.DEAD, 410)], Health.DEAD),                   # 410: at once
        ([(Verdict.OK, 200), (Verdict.SOFT_404, 200), (Verdict.SOFT_404, 200)], Health.DEAD),
        ([(Verdict.TIMEOUT, None), (Verdict.ERROR, 502)], Health.FAILING),         # 2 < 3
        ([(Verdict.TIMEOUT, None)] * 3, Health.DEAD),
        ([(Verdict.DEAD, None)] * 2, Health.FAILING),                              # DNS twice
        ([(Verdict.DEAD, 404), (Verdict.BLOCKED, 403), (Verdict.DEAD, 404)], Health.DEAD),  # blocked says nothing
        ([(Verdict.UNVERIFIABLE, 999)], Health.UNVERIFIABLE),
        ([(Verdict.REDIRECTED, 302)], Health.OK),
        ([(Verdict.SKIPPED, None)], Health.SKIPPED),
        ([], Health.UNCHECKED),
    ],
)
def test_rules_table(verdicts, expected) -> None:
    obs = [_obs(i + 1, v, s) for i, (v, s) in enumerate(verdicts)]
    assert assess(obs).health is expected


def test_explicit_gone_reason_and_dead_after() -> None:
    gone = [_obs(1, Verdict.OK, 200), _obs(2, Verdict.DEAD, 200, reason="gone: video removed by the uploader")]
    assert assess(gone).health is Health.DEAD
    refused = [_obs(i, Verdict.DEAD, None, reason="connection refused") for i in range(1, 5)]
    assert assess(refused, Rules(dead_after=5)).health is Health.FAILING
    assert assess(refused, Rules(dead_after=4)).health is Health.DEAD


def test_offline_checks_never_count() -> None:
    obs = [_obs(1, Verdict.OK, 200)] + [_obs(i, Verdict.DEAD, None, offline=True) for i in range(2, 8)]
    a = assess(obs)
    assert (a.health, a.counted, a.ignored_offline) == (Health.OK, 1, 6)


def test_parse_health_list() -> None:
    assert parse_health_list("dead, moved") == {"dead", "moved"}
    with pytest.raises(ValueError, match="unknown health"):
        parse_health_list("dead,gone")


def test_find_list_id(tmp_path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'h.db'}")
    list_id = build_scenario(store)
    assert find_list_id(store, None) == list_id
    assert find_list_id(store, "tests/list.md") == list_id
    from trilha.errors import StoreError

    with pytest.raises(StoreError, match="not in the store"):
        find_list_id(store, "other.md")
    store.close()


@pytest.mark.postgres
def test_same_history_on_postgresql() -> None:
    """history.py reads the same history from PostgreSQL (timestamps keep their zone)."""
    from tests.services import postgres_database

    with postgres_database() as url:
        store = open_store(url)
        list_id = build_scenario(store)
        report = build_report(load_history(store, list_id), now=datetime(2025, 1, 8, tzinfo=UTC))
        store.close()
    assert report.summary == {"dead": 4, "flaky": 1, "moved": 1, "malformed": 1, "blocked": 1, "ok": 2}
    dead = next(r for r in report.rows if r.written == "https://a.example/dead")
    assert (dead.since, dead.last_ok) == (day(2), day(1))
    assert {c.kind for c in report.changes} == {"newly-dead", "recovered", "newly-moved"}


def test_health_only_agrees_with_assess_on_random_histories() -> None:
    """The cheap tail-based health (plots, "as of the previous crawl") equals the full rules."""
    import random

    rng = random.Random(20251201)
    choices = [(Verdict.OK, 200), (Verdict.OK, 200), (Verdict.MOVED, 301), (Verdict.DEAD, 404),
               (Verdict.DEAD, 410), (Verdict.DEAD, None), (Verdict.TIMEOUT, None), (Verdict.ERROR, 503),
               (Verdict.BLOCKED, 403), (Verdict.SOFT_404, 200), (Verdict.UNVERIFIABLE, 999)]
    from reports.health import health_only

    for _ in range(3000):
        n = rng.randint(0, 25)
        obs = [_obs(i, *rng.choice(choices), offline=rng.random() < 0.1) for i in range(n)]
        rules = Rules(dead_after=rng.randint(1, 5), flaky_window=rng.randint(2, 8))
        assert health_only(obs, rules) is assess(obs, rules).health, (obs, rules)
