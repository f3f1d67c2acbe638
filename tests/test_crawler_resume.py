"""Kill -9 in the middle of a crawl, then ``--resume`` (issue 3, Done-when).

Slow fixture routes (``_/slow?s=1``) keep the crawl busy; once some checks are in the
store the CLI process gets SIGKILL.  ``trilha crawl --resume`` must then reopen the SAME
crawl, check only what is missing, and end with exactly one check per link, every check
written before the kill untouched.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.conftest import ROOT, cli_env, run_cli

N = 16


def _checks(db: Path) -> dict[str, tuple[int, str]]:
    """canonical -> (crawl id, checked_at), read straight from the SQLite file."""
    if not db.exists():
        return {}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        try:
            rows = conn.execute('SELECT r.canonical, c.crawl_id, c.checked_at FROM "check" c '
                                "JOIN resource r ON r.id = c.resource_id").fetchall()
        except sqlite3.OperationalError:
            return {}
    return {canonical: (crawl_id, checked_at) for canonical, crawl_id, checked_at in rows}


def _kill_9_after_4_checks(args: list[str], db: Path, log: Path) -> list[int]:
    """Start ``trilha ARGS``, SIGKILL it once 4 checks are stored; its child processes then."""
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "trilha", *args], cwd=ROOT, env=cli_env(),
                                stdout=subprocess.DEVNULL, stderr=err)
    children: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(_checks(db)) < 4:
            assert proc.poll() is None, f"crawl ended before the kill: {log.read_text()}"
            assert time.monotonic() < deadline, "no checks written in time"
            time.sleep(0.1)
        children = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    return children


def _crawls(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute("SELECT id, status FROM crawl ORDER BY id").fetchall()


def test_kill_9_then_resume_gives_one_check_per_link(fixture_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    token = uuid.uuid4().hex[:8]
    urls = [f"https://slow.example/_/slow?s=1&k={token}-{i}" for i in range(N)]
    db = tmp_path / "store.sqlite3"
    args = ["crawl", "--db", f"sqlite:///{db}", "--allow-private", "--remap", fixture_server.remap,
            "--concurrency", "2"]
    for url in urls:
        args += ["--url", url]
    _kill_9_after_4_checks(args, db, tmp_path / "stderr.txt")
    before = _checks(db)
    assert 4 <= len(before) < N
    assert _crawls(db) == [(1, "running")]                 # killed: never finished

    resumed = run_cli([*args, "--resume"])
    assert resumed.returncode == 0, resumed.stderr

    after = _checks(db)
    assert _crawls(db) == [(1, "finished")]                # the same crawl, finished
    assert len(after) == N                                 # exactly one check per link
    assert {crawl for crawl, _ in after.values()} == {1}
    for canonical, value in before.items():                # nothing written before the kill lost or redone
        assert after[canonical] == value


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kill_9_with_two_workers_then_resume(fixture_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``--workers 2``: SIGKILL the parent; its workers notice and stop by themselves (no
    orphan keeps writing), then ``--resume`` finishes the same crawl, one check per link."""
    token = uuid.uuid4().hex[:8]
    n = 48
    urls = [f"https://slow-{'ab'[i % 2]}.example/_/slow?s=1&k={token}-{i}" for i in range(n)]
    db = tmp_path / "store.sqlite3"
    args = ["crawl", "--db", f"sqlite:///{db}", "--allow-private", "--remap", fixture_server.remap,
            "--concurrency", "2", "--workers", "2"]
    for url in urls:
        args += ["--url", url]
    workers = _kill_9_after_4_checks(args, db, tmp_path / "stderr.txt")
    assert len(workers) >= 2, workers                       # two crawler processes (and multiprocessing's tracker)
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "orphaned workers kept running"
        time.sleep(0.2)
    before = _checks(db)
    assert 4 <= len(before) < n
    assert _crawls(db) == [(1, "running")]

    resumed = run_cli([*args, "--resume"])
    assert resumed.returncode == 0, resumed.stderr
    after = _checks(db)
    assert _crawls(db) == [(1, "finished")]
    assert len(after) == n
    for canonical, value in before.items():
        assert after[canonical] == value
