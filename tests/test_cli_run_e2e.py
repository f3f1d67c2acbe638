"""``trilha run`` end to end: read → store → crawl → build → map → report, in one real process.

The crawl goes to the fixture web on 127.0.0.1 through the crawler's own ``--remap``
(``--allow-private`` lets loopback through); nothing leaves the machine.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cli_env, run_cli
from tests.services import require_netns

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "lists" / "trilha-ds.md"


def test_run_crawls_builds_maps_and_reports(fixture_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db_file = tmp_path / "run.sqlite3"
    out = tmp_path / "out"
    args = ["run", "--db", f"sqlite:///{db_file}", "--out", str(out), "--allow-private",
            "--remap", fixture_server.remap, "--format", "json"]
    done = run_cli(args, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    assert data["crawl"]["status"] == "finished" and data["crawl"]["offline"] is False
    outputs = {name: Path(path) for name, path in data["outputs"].items()}
    for name in ("map", "report.html", "report.md", "report.junit.xml"):
        assert outputs[name].is_file(), name
    assert any(p.suffix == ".ttl" and p.is_file() for p in outputs.values())
    # one check per distinct resource of the bundled list (151) plus the list's own README page,
    # which its table-of-contents links point at (checked once, not once per anchor)
    with sqlite3.connect(db_file) as conn:
        rows = conn.execute("SELECT verdict, COUNT(*) FROM \"check\" GROUP BY verdict").fetchall()
    verdicts = dict(rows)
    assert sum(verdicts.values()) == 152
    assert "offline" not in verdicts and verdicts.get("ok", 0) > 100
    assert verdicts.get("moved", 0) >= 1 and verdicts.get("dead", 0) >= 1
    # the report shows the crawl's verdicts (the map and graph built from the same store)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report
    assert (out / "map.html").read_text(encoding="utf-8").count("127.0.0.1") == 0   # identities, not locations


@pytest.mark.netns
def test_run_without_network_says_offline_once_and_goes_on(tmp_path: Path) -> None:
    """The README's main job on a machine without internet (a namespace with only loopback)."""
    require_netns()
    out = tmp_path / "out"
    env = cli_env(TRILHA_RETRIES="0")
    proc = subprocess.run(["unshare", "-rn", sys.executable, "-m", "trilha", "run", "--db",
                           f"sqlite:///{tmp_path / 'o.sqlite3'}", "--out", str(out), "--timeout", "5"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    offline_lines = [line for line in proc.stderr.splitlines() if line.startswith("offline:")]
    assert len(offline_lines) == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    for name in ("map.html", "report.html", "report.md"):
        assert (out / name).is_file(), name
    with sqlite3.connect(tmp_path / "o.sqlite3") as conn:
        verdicts = {v for (v,) in conn.execute('SELECT DISTINCT verdict FROM "check"')}
    assert "dead" not in verdicts and "offline" in verdicts
