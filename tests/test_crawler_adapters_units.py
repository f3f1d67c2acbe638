"""Unit tests of the adapters' pure helpers: URL forms, request shapes, hostile input.

Formats cited in each adapter module's docstring; real payloads in tests/fixtures/real/.
"""

from __future__ import annotations

import json

import pytest

from crawler.adapters import (
    arxiv,
    generic,
    github,
    kaggle,
    pdf,
    registry,
    semanticscholar,
    social,
    wayback,
    youtube,
    ytpage,
)
from crawler.adapters.base import ApiCall, Assessment, Exchange, Fetched
from crawler.adapters.util import clean_text, iso_duration_seconds

ALL = [
    arxiv.ADAPTER,
    youtube.ADAPTER,
    github.ADAPTER,
    kaggle.ADAPTER,
    social.ADAPTER,
    pdf.ADAPTER,
    generic.ADAPTER,
    semanticscholar.ADAPTER,
]


def test_clean_text_strips_controls_and_bidi_keeps_markup() -> None:
    assert clean_text(" a\x00b\u202e\n\t<script>  c ") == "a b <script> c"
    assert clean_text("\x07 \u200b ") is None
    assert clean_text(None) is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("PT1H2M3S", 3723), ("PT45S", 45), ("P1DT1M", 86460), ("PT", None), ("1:02", None), (None, None)],
)
def test_iso_duration(value, seconds) -> None:
    assert iso_duration_seconds(value) == seconds


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://arxiv.org/pdf/1706.03762.pdf", "1706.03762"),
        ("https://arxiv.org/pdf/1709.01507v4.pdf", "1709.01507"),
        ("http://export.arxiv.org/abs/2201.13452v1", "2201.13452"),
        ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("https://arxiv.org/abs/math.CA/0611800v2", "math/0611800"),
        ("https://arxiv.org/pdf/1501.00001", "1501.00001"),
        ("https://arxiv.org/list/cs.LG/recent", None),
        ("https://arxiv.org/abs/not-an-id", None),
    ],
)
def test_arxiv_ids(url, key) -> None:
    assert arxiv.ADAPTER.batch_key(url) == key


def test_arxiv_batch_request_deduplicates_and_sets_max_results() -> None:
    call = arxiv.ADAPTER.batch_request(["1706.03762", "math/0611800", "1706.03762"])
    assert call.url == "https://export.arxiv.org/api/query?id_list=1706.03762,math/0611800&max_results=2"
    assert arxiv.ADAPTER.batch_size == 100


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("https://www.youtube.com/watch?app=desktop&v=AavXBoxTCIA", ("video", "AavXBoxTCIA")),
        ("https://youtu.be/AavXBoxTCIA?t=3", ("video", "AavXBoxTCIA")),
        ("https://m.youtube.com/shorts/AavXBoxTCIA", ("video", "AavXBoxTCIA")),
        ("https://www.youtube.com/embed/AavXBoxTCIA", ("video", "AavXBoxTCIA")),
        ("https://www.youtube.com/embed/videoseries?list=PL1", ("playlist", "PL1")),
        ("https://www.youtube.com/playlist?app=desktop&list=PL98", ("playlist", "PL98")),
        ("https://www.youtube.com/@3blue1brown/videos", ("channel", "@3blue1brown")),
        ("https://www.youtube.com/c/joshstarmer/playlists", ("channel", "c/joshstarmer")),
        ("https://www.youtube.com/channel/UCabc", ("channel", "channel/UCabc")),
        ("https://www.youtube.com/user/sentdex", ("channel", "user/sentdex")),
        ("https://www.youtube.com/feed/trending", None),
    ],
)
def test_youtube_url_forms(url, parsed) -> None:
    assert youtube.parse_url(url) == parsed


def test_youtube_repair_of_stray_bracket() -> None:
    assert youtube.repaired_video_url("DQc2Mi7BcuI]") == "https://www.youtube.com/watch?v=DQc2Mi7BcuI"
    assert youtube.repaired_video_url("DQc2Mi7BcuI") is None


def test_youtube_embedded_json_survives_garbage() -> None:
    html = 'x ytInitialPlayerResponse = {"a": [1, 2, {"b": "};"}]}; var y = 1;'
    assert ytpage.embedded_json(html, "ytInitialPlayerResponse") == {"a": [1, 2, {"b": "};"}]}
    assert ytpage.embedded_json("ytInitialPlayerResponse = {truncated", "ytInitialPlayerResponse") is None


@pytest.mark.parametrize(
    ("url", "form"),
    [
        ("https://github.com/google/jax", "repo"),
        ("https://github.com/a/b.git", "repo"),
        ("https://github.com/a/b/blob/main/README.md", "blob"),
        ("https://github.com/a/b/tree/master/timm", "tree"),
        ("https://github.com/hinepo", "user"),
        ("https://gist.github.com/someone/abc", "gist"),
        ("https://github.com/features/actions", None),
    ],
)
def test_github_url_forms(url, form) -> None:
    info = github.parse_url(url)
    assert (info["form"] if info else None) == form


def test_github_first_request_has_no_credentials() -> None:
    call = github.ADAPTER.first_request("https://github.com/google/jax")
    assert call.url == "https://api.github.com/repos/google/jax"
    assert "Authorization" not in call.headers and call.allow_redirects is False


@pytest.mark.parametrize(
    ("status", "headers", "exhausted"),
    [
        (403, {"x-ratelimit-remaining": "0"}, True),
        (429, {"x-ratelimit-remaining": "0"}, True),
        (429, {"retry-after": "30"}, True),
        (403, {"x-ratelimit-remaining": "12"}, False),
        (200, {"x-ratelimit-remaining": "0"}, False),
        (404, {}, False),
    ],
)
def test_github_budget_exhausted(status, headers, exhausted) -> None:
    assert github.api_budget_exhausted(Fetched(url="u", status=status, headers=headers)) is exhausted


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        (
            "https://www.kaggle.com/ash316/learn-pandas-with-pokemons",
            ("notebook-old", "ash316/learn-pandas-with-pokemons"),
        ),
        (
            "https://www.kaggle.com/code/ash316/learn-pandas-with-pokemons/notebook",
            ("notebook", "ash316/learn-pandas-with-pokemons"),
        ),
        ("https://www.kaggle.com/c/titanic", ("competition", "titanic")),
        ("https://www.kaggle.com/competitions/titanic/overview", ("competition", "titanic")),
        ("https://www.kaggle.com/datasets/owner/data", ("dataset", "owner/data")),
        ("https://www.kaggle.com/learn", ("course", "")),
        ("https://www.kaggle.com/learn/pandas", ("course", "pandas")),
        ("https://www.kaggle.com/hinepo", ("user", "hinepo")),
        ("https://www.kaggle.com/discussions/general/1", None),
    ],
)
def test_kaggle_url_forms(url, parsed) -> None:
    assert kaggle.parse_url(url) == parsed


def test_semanticscholar_batch_request_is_a_post_with_ids_in_the_body() -> None:
    call = semanticscholar.ADAPTER.batch_request(["1706.03762", "1810.04805", "1706.03762"])
    assert call.method == "POST" and call.url.startswith(
        "https://api.semanticscholar.org/graph/v1/paper/batch?fields="
    )
    assert json.loads(call.body) == {"ids": ["ARXIV:1706.03762", "ARXIV:1810.04805"]}
    assert "references.externalIds" in call.url.replace("%2C", ",").replace("%2E", ".")


def test_wayback_lookup_request() -> None:
    call = wayback.lookup_request("https://github.com/google/jax?x=1", "2023-06-01T12:00:00Z")
    assert call.url == (
        "https://archive.org/wayback/available?url=https%3A%2F%2Fgithub.com%2Fgoogle%2Fjax%3Fx%3D1"
        "&timestamp=20230601120000"
    )
    assert wayback.lookup_request("https://a.org/").url.endswith("url=https%3A%2F%2Fa.org%2F")


def test_wayback_blocked_site() -> None:
    blocked = Fetched(
        url="u", status=403, headers={"x-archive-wayback-runtime-error": "x: Blocked Site Error"}
    )
    assert wayback.blocked_site(blocked) and not wayback.blocked_site(Fetched(url="u", status=403))


def test_pdf_title_escapes_and_pages() -> None:
    head = b"%PDF-1.4\n1 0 obj << /Linearized 1 /N 12 >> endobj 2 0 obj << /Title (A \\(b\\) \\351t\\351) >>"
    assert pdf.pdf_title(head) == "A (b) été"
    assert pdf.pdf_pages(head) == 12


def test_social_medium_ids() -> None:
    assert social.medium_post_id("https://towardsdatascience.com/x-y-4e77b4bf9055") == "4e77b4bf9055"
    assert social.medium_post_id("https://medium.com/@a/x-90e6cc364b0") == "90e6cc364b0"
    assert social.parse_x("https://twitter.com/home") is None


def test_generic_sibling_probe_is_same_host_and_deterministic() -> None:
    one = generic.sibling_probe_url("https://docs.example.org/guide/intro.html?x=1")
    assert one == generic.sibling_probe_url("https://docs.example.org/guide/intro.html?x=1")
    assert one.startswith("https://docs.example.org/guide/trilha-probe-")


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://arxiv.org/pdf/1706.03762.pdf", "arxiv"),
        ("https://www.youtube.com/watch?v=AavXBoxTCIA", "youtube"),
        ("https://github.com/a/b/blob/master/AAAMLP.pdf", "github"),
        ("https://www.kaggle.com/c/titanic", "kaggle"),
        ("https://twitter.com/JFPuget", "social"),
        ("https://www.linkedin.com/in/x", "social"),
        ("https://towardsdatascience.com/a-4e77b4bf9055", "social"),
        ("https://proceedings.neurips.cc/paper/2012/file/x-Paper.pdf", "pdf"),
        ("https://keras.io/", "generic"),
    ],
)
def test_registry_order_picks_the_specific_adapter(url, name) -> None:
    assert registry.pick(url).name == name


HOSTILE = [
    Fetched(url="https://x.org/", status=200, body=b""),
    Fetched(url="https://x.org/", status=200, body=b"\xff\xfe\x00garbage\x00" * 50),
    Fetched(
        url="https://x.org/",
        status=200,
        body=b'{"title": "trunc',
        headers={"content-type": "application/json"},
    ),
    Fetched(url="https://x.org/", status=200, body=b"[" * 5000 + b"]" * 5000),
    Fetched(url="https://x.org/", status=200, body=b"<html><title>x</title>" + b"<div>" * 3000),
    Fetched(
        url="https://x.org/", status=200, body=b"Forbidden", headers={"content-type": "application/json"}
    ),
    Fetched(
        url="https://x.org/",
        status=200,
        body=b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>",
    ),
    Fetched(url="https://x.org/", status=500, body=b"<html>oops</html>"),
    Fetched(url="https://x.org/", status=None, failure="timeout"),
    Fetched(url="https://x.org/", status=301, headers={"location": "javascript:alert(1)"}),
]
URLS = [
    "https://arxiv.org/abs/1706.03762",
    "https://www.youtube.com/watch?v=AavXBoxTCIA",
    "https://www.youtube.com/@x",
    "https://github.com/a/b/blob/main/x.md",
    "https://github.com/a/b",
    "https://www.kaggle.com/a/b",
    "https://twitter.com/a/status/1",
    "https://twitter.com/a",
    "https://www.linkedin.com/in/a",
    "https://medium.com/@a/b-90e6cc364b0",
    "https://x.org/a.pdf",
    "https://x.org/page",
]


@pytest.mark.parametrize("fetched", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_payloads_never_raise(fetched: Fetched) -> None:
    for url in URLS:
        adapter = registry.pick(url)
        exchanges: list[Exchange] = []
        for purpose in ("api", "oembed", "page", "contents", "probe", "refresh", "code-form"):
            exchanges.append(Exchange(call=ApiCall(url=url, purpose=purpose), fetched=fetched))
            assert isinstance(adapter.assess(url, tuple(exchanges)), Assessment | ApiCall)
    for batch in (arxiv.ADAPTER, semanticscholar.ADAPTER):
        answers = batch.parse_batch(["1706.03762"], fetched)
        assert set(answers) == {"1706.03762"}
    assert wayback.parse_lookup(fetched) in ((None, None),)
