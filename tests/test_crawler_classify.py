"""crawler.classify: the one place verdicts are decided (docs/verdicts.md; RFC 9110 §15 statuses)."""

from __future__ import annotations

import pytest

from crawler.adapters.base import Assessment, Fetched
from crawler.classify import classify_failure, classify_response, decide, same_resource, wants_archive
from trilha.model import Verdict

URL = "https://example.org/page"


def fetched(status: int | None, url: str = URL, redirects: tuple = (), failure: str | None = None) -> Fetched:
    return Fetched(url=url, status=status, redirects=redirects, failure=failure)


@pytest.mark.parametrize(("status", "verdict"), [
    (200, Verdict.OK), (204, Verdict.OK), (404, Verdict.DEAD), (410, Verdict.DEAD),
    (401, Verdict.BLOCKED), (403, Verdict.BLOCKED), (429, Verdict.BLOCKED), (999, Verdict.BLOCKED),
    (500, Verdict.ERROR), (503, Verdict.ERROR), (400, Verdict.ERROR),
])
def test_status_verdicts(status: int, verdict: Verdict) -> None:
    assert classify_response(URL, fetched(status))[0] == verdict


@pytest.mark.parametrize(("failure", "verdict"), [
    ("dns", Verdict.DEAD), ("refused", Verdict.DEAD), ("loop", Verdict.DEAD), ("timeout", Verdict.TIMEOUT),
    ("private", Verdict.SKIPPED), ("scheme", Verdict.SKIPPED), ("excluded", Verdict.SKIPPED),
    ("malformed", Verdict.MALFORMED), ("tls", Verdict.ERROR), ("error: Weird", Verdict.ERROR),
])
def test_failure_verdicts(failure: str, verdict: Verdict) -> None:
    assert classify_failure(failure)[0] == verdict
    assert classify_response(URL, fetched(None, failure=failure))[0] == verdict


def test_permanent_redirect_to_another_resource_is_moved_with_suggestion() -> None:
    f = fetched(200, "https://example.org/new", ((URL, 301),))
    assert classify_response(URL, f) == (Verdict.MOVED, "moved (301) to https://example.org/new", "https://example.org/new")
    f308 = fetched(200, "https://example.org/new", ((URL, 308),))
    assert classify_response(URL, f308)[0] == Verdict.MOVED


@pytest.mark.parametrize("code", [302, 303, 307])
def test_temporary_redirect_is_redirected_without_suggestion(code: int) -> None:
    verdict, _reason, suggested = classify_response(URL, fetched(200, "https://example.org/tmp", ((URL, code),)))
    assert verdict == Verdict.REDIRECTED
    assert suggested is None


@pytest.mark.parametrize(("start", "final"), [
    ("http://example.org/page", "https://example.org/page"),
    ("https://example.org/page", "https://example.org/page/"),
    ("https://example.org/page", "https://www.example.org/page"),
    ("https://arxiv.org/pdf/1706.03762.pdf", "https://arxiv.org/pdf/1706.03762"),
])
def test_redirect_within_the_same_resource_is_not_a_move(start: str, final: str) -> None:
    assert same_resource(start, final)
    assert classify_response(start, fetched(200, final, ((start, 301),)))[0] == Verdict.OK


def test_redirect_to_the_home_page_is_soft_404() -> None:
    f = fetched(200, "https://example.org/", ((URL, 301),))
    assert classify_response(URL, f)[0] == Verdict.SOFT_404


def test_redirect_chain_ending_in_404_is_dead() -> None:
    assert classify_response(URL, fetched(404, "https://example.org/x", ((URL, 301),)))[0] == Verdict.DEAD


def test_adapter_verdict_wins_and_none_falls_back_to_status() -> None:
    f = fetched(200)
    gone = Assessment(verdict=Verdict.DEAD, reason="oEmbed 404: video removed")
    assert decide(URL, gone, f)[:2] == (Verdict.DEAD, "oEmbed 404: video removed")
    assert decide(URL, Assessment(verdict=None), fetched(404))[0] == Verdict.DEAD
    assert decide(URL, None, f)[0] == Verdict.OK
    moved = Assessment(verdict=Verdict.MOVED, suggested_url="https://github.com/new/name")
    assert decide(URL, moved, f)[2] == "https://github.com/new/name"


def test_archive_wanted_for_dead_soft404_moved_only() -> None:
    assert {v for v in Verdict if wants_archive(v)} == {Verdict.DEAD, Verdict.SOFT_404, Verdict.MOVED}
