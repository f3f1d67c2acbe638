"""The adapters against the bundled list's fixture web, without sockets or Scrapy.

A tiny in-process driver replays what the spider does (registry pick, arXiv batch,
adapter follow-up calls, redirects, ``classify.decide``) with every request answered from
``tests/fixtures/sites/`` exactly as the fixture server would (``tests.fixtureserver.sites``).
It checks that the fixtures, ``expected_bundled.json`` and the adapters agree, so the
engine's end-to-end crawl can assert the same table.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.adapters import registry, wayback
from crawler.adapters.base import ApiCall, Assessment, Exchange, Fetched
from crawler.classify import decide
from crawler.spiders.fragments import missing_fragments
from tests.fixtureserver.sites import absolute_location, default_page, find_dir, load_canned

EXPECTED = json.loads(
    (Path(__file__).parent / "fixtures" / "sites" / "expected_bundled.json").read_text("utf-8")
)


def fetch(call: ApiCall, requests: list[str]) -> Fetched:
    """Answer a call from the fixture directories, following redirects like the engine."""
    url, hops = call.url, []
    for _ in range(10):
        parts = urlsplit(url)
        path_qs = f"/{parts.hostname}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
        requests.append(f"{call.method} {url}")
        directory = find_dir(path_qs)
        canned = load_canned(directory, call.method) if directory else default_page(path_qs)
        headers = {k.lower(): v for k, v in canned.headers.items()}
        if canned.status in (301, 302, 303, 307, 308) and call.allow_redirects and "location" in headers:
            hops.append((url, canned.status))
            url = absolute_location(headers["location"], parts.hostname or "")
            continue
        body = canned.body[: call.max_bytes] if call.max_bytes else canned.body
        return Fetched(
            url=url,
            status=canned.status,
            headers=headers,
            body=body,
            truncated=len(body) < len(canned.body),
            redirects=tuple(hops),
        )
    return Fetched(url=url, status=None, failure="loop", redirects=tuple(hops))


def check(url: str, requests: list[str]) -> tuple[Assessment | None, Fetched, str, Fetched | None]:
    adapter = registry.pick(url)
    exchanges: list[Exchange] = []
    answer: Assessment | ApiCall | None
    key = adapter.batch_key(url) if hasattr(adapter, "batch_key") else None
    if key is not None:
        batch = fetch(adapter.batch_request([key]), requests)
        answer = adapter.parse_batch([key], batch)[key]
        last = batch
    else:
        answer = adapter.first_request(url)
        last = None
    for _ in range(8):
        if not isinstance(answer, ApiCall):
            break
        last = fetch(answer, requests)
        exchanges.append(Exchange(call=answer, fetched=last))
        answer = adapter.assess(url, tuple(exchanges))
    page = next((e.fetched for e in reversed(exchanges) if e.call.purpose == "page"), None)
    return (answer if isinstance(answer, Assessment) else None), (page or last), adapter.name, page


@pytest.mark.parametrize("written", sorted(EXPECTED))
def test_bundled_url(written: str) -> None:
    want = EXPECTED[written]
    url = written.split("#", 1)[0]
    requests: list[str] = []
    assessment, basis, adapter, page = check(url, requests)
    verdict, reason, suggested = decide(url, assessment, basis)
    meta = assessment.meta if assessment else None
    problems = []
    if str(verdict) != want["verdict"]:
        problems.append(f"verdict {verdict} != {want['verdict']} ({reason})")
    if "suggested_url" in want and suggested != want["suggested_url"]:
        problems.append(f"suggested {suggested!r} != {want['suggested_url']!r}")
    if "reason_contains" in want and want["reason_contains"].lower() not in (reason or "").lower():
        problems.append(f"reason {reason!r} lacks {want['reason_contains']!r}")
    fields = {
        "title": "title",
        "channel": "channel",
        "site_id": "site_id",
        "stars": "stars",
        "duration_s": "duration_s",
        "published": "published",
    }
    for key, attr in fields.items():
        if key in want and getattr(meta, attr, None) != want[key]:
            problems.append(f"{key} {getattr(meta, attr, None)!r} != {want[key]!r}")
    if "authors" in want and list(getattr(meta, "authors", ())) != want["authors"]:
        problems.append(f"authors {getattr(meta, 'authors', None)!r} != {want['authors']!r}")
    if "first_author" in want and (not meta or not meta.authors or meta.authors[0] != want["first_author"]):
        problems.append(f"first author of {getattr(meta, 'authors', None)!r} != {want['first_author']!r}")
    if "pages" in want and (meta is None or meta.extra.get("pages") != want["pages"]):
        problems.append(f"pages {meta.extra.get('pages') if meta else None!r} != {want['pages']!r}")
    if "archived_url" in want:
        snapshot, _ts = wayback.parse_lookup(fetch(wayback.lookup_request(url), requests))
        if snapshot != want["archived_url"]:
            problems.append(f"archived_url {snapshot!r} != {want['archived_url']!r}")
    if "fragments_missing" in want:
        fragment = written.split("#", 1)[1]
        missing = (
            list(missing_fragments((fragment,), page.body, truncated=page.truncated)) if page else [fragment]
        )
        if missing != want["fragments_missing"]:
            problems.append(f"fragments_missing {missing} != {want['fragments_missing']}")
    assert not problems, f"{adapter}: " + "; ".join(problems) + f"\nrequests: {requests}"


def test_expected_table_covers_the_whole_bundled_list() -> None:
    import re

    text = (Path(__file__).parent.parent / "data" / "lists" / "trilha-ds.md").read_text("utf-8")
    written = set(re.findall(r"\]\((https?://[^ )]+)\)", text))
    assert written == set(EXPECTED)
