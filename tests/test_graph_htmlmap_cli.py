"""``trilha map`` end to end: the real CLI in a subprocess on a SQLite store holding the bundled list."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph.htmlmap import view_edges, view_nodes
from trilha.paths import BUNDLED_LIST


def trilha(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trilha", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)})


@pytest.fixture(scope="module")
def bundled_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from crawler.reader import read_study_list
    from trilha.store import open_store
    from trilha.store.lists import ingest

    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'trilha.sqlite3'}"
    store = open_store(url)
    try:
        ingest(store, read_study_list(BUNDLED_LIST))
    finally:
        store.close()
    return url


def expected_counts(db_url: str, view: str) -> tuple[int, int]:
    """Counted from the projection directly (the same pure pipeline `trilha build` uses)."""
    from trilha.cli.map import graph_from_store
    from trilha.store import open_store

    store = open_store(db_url)
    try:
        G, _, _ = graph_from_store(store, None)
    finally:
        store.close()
    shown = view_nodes(G, view)
    return len(shown), len(view_edges(G, view, set(shown)))


@pytest.mark.parametrize("view", ["prerequisites", "resources"])
def test_map_writes_out_map_html_and_prints_its_path(tmp_path: Path, bundled_db: str, view: str) -> None:
    proc = trilha("map", "--db", bundled_db, "--view", view, "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    stats = json.loads(proc.stdout)
    path = tmp_path / "out" / "map.html"
    assert Path(stats["path"]) == Path("out/map.html") and path.is_file()
    assert (stats["nodes"], stats["edges"]) == expected_counts(bundled_db, view)
    assert stats["nodes"] > 50                               # the bundled list has ~28 sections, ~90 concepts
    html = path.read_text(encoding="utf-8")
    assert "<title>Trilha de Estudos de Ciência de Dados: prerequisite map</title>" in html


def test_text_output_names_the_file(tmp_path: Path, bundled_db: str) -> None:
    proc = trilha("map", "--db", bundled_db, "--out", "site", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("map: site/map.html  (prerequisites view, ")
    assert (tmp_path / "site" / "map.html").is_file()


def test_map_from_an_exported_graph_file(tmp_path: Path, bundled_db: str) -> None:
    from graph.build import build_graph
    from graph.io import write_turtle
    from graph.prerequisites import load_curated
    from trilha.store import open_store
    from trilha.store.snapshot import read_snapshot

    store = open_store(bundled_db)
    try:
        rdf, _ = build_graph(read_snapshot(store), load_curated())
    finally:
        store.close()
    ttl = write_turtle(rdf, tmp_path / "graph.ttl")
    proc = trilha("map", "--graph", str(ttl), "--view", "all", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["nodes"] >= expected_counts(bundled_db, "resources")[0]


def test_empty_store_is_one_line_and_exit_1(tmp_path: Path) -> None:
    proc = trilha("map", "--db", f"sqlite:///{tmp_path / 'empty.sqlite3'}", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "Error: the store holds no list: run `trilha ingest` (or `trilha run`) first"]


def test_unknown_view_is_a_usage_error(tmp_path: Path) -> None:
    proc = trilha("map", "--view", "galaxy", cwd=tmp_path)
    assert proc.returncode == 2
    assert "'galaxy' is not one of" in proc.stderr


def test_run_step_and_history_based_health(tmp_path: Path) -> None:
    """``step_map`` (for ``trilha run``) colours resources by the history-based health (reports.health)."""
    from types import SimpleNamespace

    from crawler.reader import read_study_list
    from trilha.cli.map import annotate_health, graph_from_store, step_map
    from trilha.model import CheckResult, Verdict
    from trilha.store import open_store
    from trilha.store.crawls import finish_crawl, save_checks, start_crawl
    from trilha.store.lists import ingest

    sl = read_study_list(BUNDLED_LIST)
    store = open_store(f"sqlite:///{tmp_path / 't.sqlite3'}")
    try:
        list_id = ingest(store, sl).list_id
        first, second = [m for m in sl.mentions if m.canonical and m.url and not m.is_internal][:2]
        for _ in range(3):                                   # dead after 3 failed crawls in a row
            crawl = start_crawl(store, list_id=list_id, settings={})
            save_checks(store, crawl, [
                CheckResult(canonical=first.canonical, url=first.url, verdict=Verdict.DEAD, http_status=404),
                CheckResult(canonical=second.canonical, url=second.url, verdict=Verdict.OK, http_status=200),
            ])
            finish_crawl(store, crawl, status="finished")
        G, _, _ = graph_from_store(store, None)
        assert annotate_health(G, store, None) >= 2
        health = {a["url"]: a["health"] for _, a in G.nodes(data=True) if a["node_type"] == "resource"}
        assert health.get(first.url, health.get(first.canonical)) == "dead"
        assert health.get(second.url, health.get(second.canonical)) == "ok"
        state = SimpleNamespace(store=store, study_list=sl, out_dir=tmp_path / "out", outputs={})
        step_map(state)
    finally:
        store.close()
    assert state.outputs["map"] == tmp_path / "out" / "map.html"
    assert state.outputs["map"].stat().st_size > 100_000
