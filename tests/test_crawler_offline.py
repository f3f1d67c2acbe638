"""Offline detection: decided from the crawl as a whole plus a probe (crawler.offline).

The end-to-end case runs the real CLI inside a network namespace with no interface but
loopback (``unshare -rn``), WITHOUT ``--remap``, so real host names fail to resolve just
like names that do not exist: trilha must say "offline" in one line and mark the checks
``offline``, never ``dead``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.offline import decide, most_hosts_failed
from tests.conftest import ROOT, cli_env
from tests.services import require_netns


def test_most_hosts_failing_is_needed() -> None:
    assert most_hosts_failed({"a": "dns", "b": "dns", "c": "refused", "d": "dns"}, {"e"})
    assert not most_hosts_failed({"a": "dns"}, {"b", "c", "d"})
    assert not most_hosts_failed({}, set())


def test_the_probe_decides() -> None:
    failures = {f"h{i}.example": "dns" for i in range(5)}
    assert decide(failures, (), probe_fn=lambda: False).offline
    online = decide(failures, (), probe_fn=lambda: True)
    assert not online.offline and "reachable" in online.reason
    probed: list[bool] = []
    assert not decide({"a": "dns"}, {"b", "c", "d", "e"}, probe_fn=lambda: probed.append(True) or False).offline
    assert probed == []                                     # no probe when most hosts answered


@pytest.mark.netns
def test_no_network_says_offline_and_marks_checks_offline(tmp_path: Path) -> None:
    require_netns()
    urls = ["https://arxiv.org/abs/1706.03762", "https://github.com/jax-ml/jax", "https://www.kaggle.com/learn",
            "https://scikit-learn.org/stable/", "https://keras.io/", "https://www.youtube.com/watch?v=AavXBoxTCIA"]
    args = ["crawl", "--db", f"sqlite:///{tmp_path / 'store.sqlite3'}", "--format", "json"]
    for url in urls:
        args += ["--url", url]
    proc = subprocess.run(["unshare", "-rn", sys.executable, "-m", "trilha", *args], cwd=ROOT,
                          env=cli_env(TRILHA_RETRIES="0"), capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stderr
    offline_lines = [line for line in proc.stderr.splitlines() if line.startswith("offline:")]
    assert len(offline_lines) == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["offline"] is True
    assert {row["verdict"] for row in data["links"]} == {"offline"}
