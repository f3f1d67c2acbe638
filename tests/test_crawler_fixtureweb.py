"""The fixture web itself (tests/fixtureserver/README.md): site-directory lookup, default
pages, conditional answers, and that it stops by itself."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.fixtureserver import FixtureServer
from tests.fixtureserver.sites import default_page, find_dir


def _site(root: Path, rel: str, spec: dict, body: bytes = b"") -> Path:
    d = root / rel
    d.mkdir(parents=True)
    (d / "response.json").write_text(json.dumps(spec), encoding="utf-8")
    if body:
        (d / "body.html").write_bytes(body)
    return d


def test_lookup_by_path_then_query_subset_then_default(tmp_path: Path) -> None:
    page = _site(tmp_path, "www.youtube.com/watch", {"status": 200})
    by_v = _site(tmp_path, "www.youtube.com/watch/__query__/v=ID1", {"status": 200})
    both = _site(tmp_path, "www.youtube.com/watch/__query__/t=10s&v=ID1", {"status": 200})
    assert find_dir("/www.youtube.com/watch?app=desktop&v=ID1", tmp_path) == by_v     # extra params ignored
    assert find_dir("/www.youtube.com/watch?v=ID1&t=10s", tmp_path) == both          # most pairs wins
    assert find_dir("/www.youtube.com/watch?v=OTHER", tmp_path) == page              # no candidate: the path
    assert find_dir("/youtube.com/watch?v=ID1", tmp_path) == by_v                    # www. tried both ways
    assert find_dir("/nowhere.example/x", tmp_path) is None
    assert find_dir("/www.youtube.com/../secret", tmp_path) is None


def test_quoted_query_values(tmp_path: Path) -> None:
    d = _site(tmp_path, "www.youtube.com/oembed/__query__/url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3DX",
              {"status": 404})
    assert find_dir("/www.youtube.com/oembed?format=json&url=https%3A//www.youtube.com/watch%3Fv%3DX",
                    tmp_path) == d


def test_default_pages() -> None:
    html = default_page("/example.org/a/b")
    assert b"<title>Fixture: example.org/a/b</title>" in html.body and html.headers["ETag"]
    assert default_page("/example.org/paper.pdf").body.startswith(b"%PDF-")
    assert default_page("/example.org/x.png").headers["Content-Type"] == "image/png"


def test_served_with_methods_redirects_and_304(tmp_path: Path) -> None:
    _site(tmp_path, "example.org/page", {"status": 200, "headers": {"ETag": '"v1"'},
                                         "methods": {"HEAD": {"status": 405}}}, b"<title>x</title>")
    _site(tmp_path, "example.org/old", {"status": 301, "headers": {"Location": "/new"}})
    with FixtureServer(max_lifetime=30, sites_dir=tmp_path) as server:
        with urllib.request.urlopen(server.url("example.org", "/page")) as r:
            assert r.status == 200 and r.read() == b"<title>x</title>"
        head = urllib.request.Request(server.url("example.org", "/page"), method="HEAD")
        try:
            urllib.request.urlopen(head)
            raise AssertionError("HEAD should be refused")
        except urllib.error.HTTPError as exc:
            assert exc.code == 405
        conditional = urllib.request.Request(server.url("example.org", "/page"), headers={"If-None-Match": '"v1"'})
        try:
            urllib.request.urlopen(conditional)
            raise AssertionError("expected 304")
        except urllib.error.HTTPError as exc:
            assert exc.code == 304

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(server.url("example.org", "/old"))
            raise AssertionError("expected a redirect")
        except urllib.error.HTTPError as exc:
            assert exc.code == 301 and exc.headers["Location"] == "https://example.org/new"
        assert [r.method for r in server.requests][:2] == ["GET", "HEAD"]


def test_stops_by_itself() -> None:
    server = FixtureServer(max_lifetime=0.5).start()
    url = server.url("example.org", "/")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
        except OSError:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the fixture server did not stop after its lifetime")
