"""HTTP behaviour end to end against the fixture web's behaviour routes (tests/fixtureserver/README.md §2).

One crawl (the real CLI in a subprocess, ``--url`` targets, remapped to the fixture web)
covers retries with Retry-After, 503-once, redirect chains hop by hop, the redirect
loop, the 200 MB body (early stop), a socket that never answers (timeout), bot walls,
fragments; a second crawl without ``--allow-private`` shows the address guard.  The pure
parts (Retry-After, backoff, address classes) are tested directly.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from crawler.middlewares.guard import is_forbidden
from crawler.middlewares.retry import backoff_delay, retry_after_seconds
from crawler.spiders.fragments import missing_fragments
from tests.conftest import cli_env, run_cli
from tests.fixtureserver import FixtureServer

BASE = "https://example.org/_"
EXPECTED = {
    # url (as given) -> (verdict, http status, title or None)
    f"{BASE}/ok": ("ok", 200, "OK page"),
    f"{BASE}/status/404": ("dead", 404, None),
    f"{BASE}/status/410": ("dead", 410, None),
    f"{BASE}/status/500": ("error", 500, None),
    f"{BASE}/status/999": ("blocked", 999, None),
    f"{BASE}/status/429": ("blocked", 429, None),
    f"{BASE}/ua-403": ("blocked", 403, None),
    f"{BASE}/retry-after?s=1": ("ok", 200, "After retry"),
    f"{BASE}/503-once": ("ok", 200, "Back again"),
    f"{BASE}/loop": ("dead", None, None),
    f"{BASE}/hang": ("timeout", None, None),
    f"{BASE}/big": ("ok", 200, "Big"),
    f"{BASE}/chain/301,308": ("moved", 200, "Chain end"),
    f"{BASE}/chain/301,302": ("redirected", 200, "Chain end"),
    f"{BASE}/redirect/307?to=https://example.org/elsewhere": ("redirected", 200, "Fixture: example.org/elsewhere"),
    f"{BASE}/redirect/308?to=https://example.org/": ("soft-404", 200, "Fixture: example.org"),
    f"{BASE}/soft-404": ("soft-404", 200, "Page not found"),
    f"{BASE}/latin1": ("ok", 200, "Ciência"),
    f"{BASE}/hostile-title": ("ok", 200, '<script>alert(1)</script>Evil & "quoted"'),
    f"{BASE}/anchors#present": ("ok", 200, "Anchors"),
    f"{BASE}/head-405/picture.png": ("ok", 200, None),
    "https://excluded.example/page": ("skipped", None, None),
    "mailto:someone@example.org": ("skipped", None, None),
    "https:///no-host": ("malformed", None, None),
}


@pytest.fixture(scope="module", params=["asyncio", "twisted"])
def crawl(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    """One crawl per HTTP engine (``http_engine``), each against its own fixture web (the
    once-only behaviours such as 429-then-200 keep state per server): same verdicts."""
    db = f"sqlite:///{tmp_path_factory.mktemp('mw') / 'store.sqlite3'}"
    with FixtureServer(max_lifetime=600) as server:
        args = ["crawl", "--db", db, "--allow-private", "--remap", server.remap, "--format", "json",
                "--exclude", r"^https://excluded\."]
        for url in EXPECTED:
            args += ["--url", url]
        args += ["--url", f"{BASE}/anchors#missing", "--url", f"{BASE}/anchors#readme-anchor"]
        proc = run_cli(args, env=cli_env(TRILHA_TIMEOUT="4", TRILHA_RETRIES="1", TRILHA_HTTP_ENGINE=request.param))
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
        data["stderr"] = proc.stderr
        data["db"] = db
        yield {row["url"]: row for row in data["links"]}, data, server


@pytest.mark.parametrize("url", list(EXPECTED))
def test_verdict_status_title(crawl, url: str) -> None:  # type: ignore[no-untyped-def]
    rows, _data, _server = crawl
    verdict, status, title = EXPECTED[url]
    row = rows[url]
    assert (row["verdict"], row["http_status"]) == (verdict, status), row
    if title is not None:
        assert row["title"] == title


def test_moved_suggests_the_final_url_and_chain_is_recorded(crawl) -> None:  # type: ignore[no-untyped-def]
    rows, _data, _server = crawl
    row = rows[f"{BASE}/chain/301,308"]
    assert row["suggested_url"] == "https://example.org/_/chain/301,308?step=2"
    assert row["final_url"] == row["suggested_url"]          # identity, never the fixture location
    assert "127.0.0.1" not in json.dumps(rows)


def test_retry_after_was_honoured(crawl) -> None:  # type: ignore[no-untyped-def]
    _rows, _data, server = crawl
    hits = [r for r in server.requests if r.path.endswith("/_/retry-after?s=1")]
    assert len(hits) == 2                                    # 429, then the retry


def test_fragments_checked_on_the_fetched_page(crawl) -> None:  # type: ignore[no-untyped-def]
    rows, _data, _server = crawl
    # three mentions of one resource: one check, fragments united; only the absent one is missing
    for url in (f"{BASE}/anchors#present", f"{BASE}/anchors#missing", f"{BASE}/anchors#readme-anchor"):
        assert rows[url]["fragments_missing"] == ["missing"]


def test_head_then_get_when_head_is_refused(crawl) -> None:  # type: ignore[no-untyped-def]
    _rows, _data, server = crawl
    methods = [r.method for r in server.requests if r.path.endswith("/_/head-405/picture.png")]
    assert methods == ["HEAD", "GET"]


def test_plain_progress_lines_when_not_a_tty(crawl) -> None:  # type: ignore[no-untyped-def]
    _rows, data, _server = crawl
    assert f"checked {len(data['links']) - 2}/{len(data['links']) - 2}:" in data["stderr"]


def test_only_failed_rechecks_just_what_was_not_ok(crawl) -> None:  # type: ignore[no-untyped-def]
    rows, data, server = crawl
    args = ["crawl", "--db", data["db"], "--allow-private", "--remap", server.remap, "--format", "json",
            "--only-failed", "--url", f"{BASE}/ok", "--url", f"{BASE}/status/404"]
    proc = run_cli(args)
    assert proc.returncode == 0, proc.stderr
    again = {row["url"]: row for row in json.loads(proc.stdout)["links"]}
    assert again[f"{BASE}/status/404"]["verdict"] == "dead"
    assert again[f"{BASE}/ok"]["verdict"] is None                     # ok last time: not rechecked


def test_user_agent_names_trilha(crawl) -> None:  # type: ignore[no-untyped-def]
    _rows, _data, server = crawl
    agents = {r.headers.get("user-agent", "") for r in server.requests if "/_/ok" in r.path}
    assert agents and all(a.startswith("trilha/") and "https://" in a for a in agents)


def test_private_addresses_refused_without_allow_private(fixture_server, store_url) -> None:  # type: ignore[no-untyped-def]
    token = uuid.uuid4().hex
    url = f"https://example.org/_/ok?k={token}"
    proc = run_cli(["crawl", "--db", store_url, "--remap", fixture_server.remap, "--url", url,
                    "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)["links"][0]
    assert row["verdict"] == "skipped"
    assert "private address refused" in row["reason"]
    assert not [r for r in fixture_server.requests if token in r.path]   # never reached the server


def test_fail_on_exits_3_and_unknown_verdict_is_usage_error(fixture_server, store_url) -> None:  # type: ignore[no-untyped-def]
    args = ["crawl", "--db", store_url, "--allow-private", "--remap", fixture_server.remap,
            "--url", f"{BASE}/status/404"]
    assert run_cli([*args, "--fail-on", "dead"]).returncode == 3
    assert run_cli([*args, "--fail-on", "gone"]).returncode == 2


# ------------------------------------------------------------------ pure parts


def test_retry_after_seconds_and_dates() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_delay(n, 1.0, 30.0) for n in range(6)] == [1, 2, 4, 8, 16, 30]
    assert backoff_delay(0, 1.0, 30.0, retry_after=3600) == 30.0
    assert backoff_delay(0, 1.0, 30.0, retry_after=5) == 5.0


@pytest.mark.parametrize(("address", "forbidden"), [
    ("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.1", True), ("172.16.0.1", True),
    ("169.254.169.254", True), ("::1", True), ("fe80::1", True), ("fc00::1", True), ("0.0.0.0", True),
    ("::ffff:127.0.0.1", True), ("93.184.215.14", False), ("2606:4700::1111", False),
])
def test_address_classes(address: str, forbidden: bool) -> None:
    assert is_forbidden(address) is forbidden


def test_fragments_pure() -> None:
    body = b'<h2 id="intro">x</h2><a name=old></a><h2 id="user-content-install">y</h2>'
    assert missing_fragments(["intro", "old", "install", "nope", "L10-L20"], body, truncated=False) == ("nope",)
    assert missing_fragments(["nope"], body, truncated=True) == ()
    assert missing_fragments(["notebook-container"], b'<div id="root"></div>', truncated=False) == ()  # JS shell


def test_fragments_of_a_github_markdown_file() -> None:
    import base64

    readme = "# Title\n\n## Getting started\n\n## Getting started\n\n### API & CLI\n"
    body = json.dumps({"name": "README.md", "encoding": "base64",
                       "content": base64.b64encode(readme.encode()).decode()}).encode()
    wanted = ["getting-started", "getting-started-1", "api--cli", "missing-one"]
    assert missing_fragments(wanted, body, truncated=False) == ("missing-one",)



def test_raw_html_anchors_of_a_github_markdown_file_count() -> None:
    """``<a name="top">`` and ``<h2 id="x">`` in a fetched README are anchors, as the list
    reader counts them in the list itself: ``#top`` there is not missing."""
    import base64

    readme = '<a name="top"></a>\n\n# Hello\n\n<h2 id="setup">Setup</h2>\n\n## Usage\n'
    body = json.dumps({"name": "README.md", "encoding": "base64",
                       "content": base64.b64encode(readme.encode()).decode()}).encode()
    assert missing_fragments(["top", "setup", "usage", "hello", "gone"], body, truncated=False) == ("gone",)

def test_config_file_accepts_codes_per_host(fixture_server, store_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "trilha.toml"
    config.write_text('[hosts."accepting.example"]\naccept = [403]\n', encoding="utf-8")
    args = ["crawl", "--db", store_url, "--allow-private", "--remap", fixture_server.remap, "--format", "json",
            "--config", str(config), "--url", "https://accepting.example/_/status/403",
            "--url", "https://other.example/_/status/403"]
    proc = run_cli(args)
    assert proc.returncode == 0, proc.stderr
    rows = {row["url"]: row for row in json.loads(proc.stdout)["links"]}
    assert rows["https://accepting.example/_/status/403"]["verdict"] == "ok"
    assert rows["https://other.example/_/status/403"]["verdict"] == "blocked"


def test_bad_remap_is_one_line_and_exit_1(store_url) -> None:  # type: ignore[no-untyped-def]
    proc = run_cli(["crawl", "--db", store_url, "--remap", "no-replacement", "--url", "https://x.example/"])
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "remap" in proc.stderr
