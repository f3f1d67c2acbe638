"""``trilha build / sparql / path`` end to end, the real CLI in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from trilha.paths import BUNDLED_LIST

REPO = Path(__file__).resolve().parent.parent


def trilha(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trilha", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PYTHONPATH": str(REPO)})


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    from crawler.reader import read_study_list
    from trilha.store import open_store
    from trilha.store.lists import ingest

    work = tmp_path_factory.mktemp("cli")
    url = f"sqlite:///{work / 'db.sqlite3'}"
    store = open_store(url)
    ingest(store, read_study_list(str(BUNDLED_LIST)))
    store.close()
    return url, work


def test_build_writes_the_exports_and_the_store(db: tuple[str, Path]) -> None:
    url, work = db
    done = trilha("build", "--db", url, "--out", "out", "--store", "out/ox", cwd=work)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "Turtle: out/graph.ttl"
    for name in ("graph.ttl", "graph.jsonld", "graph.nt", "graph.graphml"):
        assert (work / "out" / name).stat().st_size > 10_000
    doc = json.loads((work / "out" / "graph.jsonld").read_text())
    assert isinstance(doc["@context"], dict)               # inline context: nothing to fetch

    papers = trilha("sparql", "--store", "out/ox", "--name", "papers-by-year", "--format", "csv", cwd=work)
    assert papers.returncode == 0, papers.stderr
    rows = list(csv.DictReader(io.StringIO(papers.stdout)))
    assert {"year": "2017", "label": "Attention Is All You Need",
            "url": "https://arxiv.org/pdf/1706.03762.pdf"} in rows

    graph = trilha("sparql", "--graph", "out/graph.ttl", "--format", "json",
                   "SELECT (COUNT(?t) AS ?n) WHERE { ?t a trl:Topic }", cwd=work)
    assert json.loads(graph.stdout)["results"]["bindings"][0]["n"]["value"] == "28"


def test_path_from_the_store(db: tuple[str, Path]) -> None:
    url, work = db
    done = trilha("path", "--db", url, "--to", "Transformers", "--format", "json", cwd=work)
    assert done.returncode == 0, done.stderr
    labels = [s["label"] for s in json.loads(done.stdout)["steps"]]
    assert labels.index("Deep Learning - Neural Networks") < labels.index("Transformers")


@pytest.mark.parametrize(("args", "message"), [
    (["sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"], "Error: refused: SERVICE"),
    (["sparql", "LOAD <http://127.0.0.1:9/x.ttl>"], "Error: refused: LOAD is an update"),
    (["sparql", "SELECT * WHERE {\n ?s"], "Error: SPARQL syntax error at line 2"),
    (["sparql", "--name", "nope"], "Error: no named query 'nope'"),
    (["path", "--to", "transformer"], "did you mean"),
])
def test_bad_input_is_one_line(db: tuple[str, Path], args: list[str], message: str) -> None:
    url, work = db
    done = trilha(*args, "--db", url, cwd=work)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and message in done.stderr


def test_bad_curated_file_names_the_position(db: tuple[str, Path]) -> None:
    url, work = db
    (work / "bad.yaml").write_text("prerequisites:\n  - for: A\n    requires: [B\n", encoding="utf-8")
    done = trilha("build", "--db", url, "--prerequisites", "bad.yaml", "--out", "o2", cwd=work)
    assert done.returncode == 1
    assert "bad.yaml:4:1: YAML syntax error" in done.stderr and done.stderr.count("\n") == 1


def test_empty_store_builds_an_empty_valid_graph(tmp_path: Path) -> None:
    done = trilha("build", "--db", f"sqlite:///{tmp_path / 'empty.sqlite3'}", "--validate", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "warning: the store holds no list" in done.stderr
    assert "graph: 0 triples" in done.stdout and (tmp_path / "out" / "graph.ttl").exists()
