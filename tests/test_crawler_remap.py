"""crawler.remap: lychee-style ``--remap 'REGEX REPLACEMENT'`` (lycheeverse/lychee README)."""

from __future__ import annotations

import pytest

from crawler.remap import apply_remaps, parse_remap, parse_remaps, with_path
from trilha.errors import ConfigError

FIXTURE = r"^https?://([^/]+)/(.*)$ http://127.0.0.1:8080/\1/\2"


def test_fixture_remap_keeps_the_host_in_the_path() -> None:
    rules = parse_remaps([FIXTURE])
    assert apply_remaps(rules, "https://www.youtube.com/watch?v=AavXBoxTCIA") == (
        "http://127.0.0.1:8080/www.youtube.com/watch?v=AavXBoxTCIA")
    assert apply_remaps(rules, "https://example.com") == "http://127.0.0.1:8080/example.com/"


def test_first_matching_rule_wins_and_no_match_keeps_the_url() -> None:
    rules = parse_remaps([r"^https://a\.org/(.*) https://b.org/\1", r"^https://a\.org/(.*) https://c.org/\1"])
    assert apply_remaps(rules, "https://a.org/x") == "https://b.org/x"
    assert apply_remaps(rules, "https://z.org/x") == "https://z.org/x"
    assert apply_remaps((), "https://z.org/x") == "https://z.org/x"


def test_with_path() -> None:
    assert with_path("https://x.org") == "https://x.org/"
    assert with_path("https://x.org/a") == "https://x.org/a"
    assert with_path("mailto:a@b") == "mailto:a@b"


@pytest.mark.parametrize("bad", ["onlyone", "( http://x", r"^a b\3"])
def test_bad_rules_are_config_errors(bad: str) -> None:
    with pytest.raises(ConfigError, match="remap"):
        parse_remap(bad)
