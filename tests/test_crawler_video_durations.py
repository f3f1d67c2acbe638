"""``video_durations``: YouTube durations come from the watch page, read only when asked.

The fixture web serves the recorded oEmbed answer (200, no duration: oEmbed never has one,
https://oembed.com/ §2.3.4 and tests/fixtures/sites/SOURCES.md) and the recorded watch page
(``lengthSeconds`` 3721 in ``ytInitialPlayerResponse.videoDetails``).
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import cli_env, run_cli

VIDEO = "https://www.youtube.com/watch?v=5nYqK-HaoKY"


@pytest.mark.parametrize(("flag", "duration", "watch_requests"), [("1", 3721, 1), ("0", None, 0)])
def test_duration_only_when_asked(fixture_server, store_url, flag: str, duration: int | None,
                                  watch_requests: int) -> None:  # type: ignore[no-untyped-def]
    before = len(fixture_server.requests)
    proc = run_cli(["crawl", "--db", store_url, "--allow-private", "--remap", fixture_server.remap,
                    "--format", "json", "--url", VIDEO], env=cli_env(TRILHA_VIDEO_DURATIONS=flag))
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)["links"][0]
    assert row["verdict"] == "ok" and row["title"] == "Hyperparameter Optimization: This Tutorial Is All You Need"
    assert row["duration_s"] == duration
    sent = fixture_server.requests[before:]
    assert len([r for r in sent if r.path.startswith("/www.youtube.com/watch")]) == watch_requests
    assert len([r for r in sent if r.path.startswith("/www.youtube.com/oembed")]) == 1
