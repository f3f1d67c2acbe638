"""The ``base_iri`` setting: data IRIs under a maintainer's own base, stable, layered like any setting.

Unit tests on the pure builder (every data IRI under the base, same data same IRIs, two
bases in one process, the default unchanged, bad bases refused) and the real CLI in a
subprocess (flag, environment and config file reach the graph; a bad flag is a usage
error, exit 2; a bad environment value one line, exit 1).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from crawler.reader import read_study_list
from graph.build import build_graph, iter_triples
from graph.iris import Minter
from graph.prerequisites import load_curated
from graph.vocab import DEFAULT_BASE, TRL, VOID
from tests.conftest import cli_env, run_cli
from tests.test_graph_cli import db  # noqa: F401 - the bundled list in a SQLite store (module scope)
from trilha.config import check_base_iri, load_config
from trilha.errors import ConfigError
from trilha.paths import BUNDLED_LIST
from trilha.store.snapshot import snapshot_from_list

MINE = "https://hinepo.github.io/trilha/id/"
HASH = "http://data.example.org/trilha#"
SNAPSHOT = snapshot_from_list(read_study_list(str(BUNDLED_LIST)))
CURATED = load_curated()


def iris_of(graph: Graph) -> set[str]:
    return {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}


def nt(graph: Graph) -> list[str]:
    return sorted(graph.serialize(format="nt").splitlines())


@pytest.fixture(scope="module")
def default_graph() -> Graph:
    return build_graph(SNAPSHOT, CURATED)[0]


@pytest.mark.parametrize("base", [MINE, HASH])
def test_every_data_iri_is_minted_under_the_custom_base(base: str, default_graph: Graph) -> None:
    graph, _ = build_graph(SNAPSHOT, CURATED, base=base)
    iris = iris_of(graph)
    assert not [i for i in iris if i.startswith(DEFAULT_BASE)]
    subjects = {str(s) for s in graph.subjects()}
    assert subjects and all(s.startswith(base) for s in subjects)          # every node the build made
    assert f"{base}res/arxiv-1706.03762" in subjects
    assert len(graph) == len(default_graph)
    # the base is the only difference: swap it back and the two graphs are the same triples
    assert [line.replace(base, DEFAULT_BASE) for line in nt(graph)] == nt(default_graph)
    ds = graph.value(predicate=RDF.type, object=VOID.Dataset, any=False)
    assert graph.value(ds, VOID.uriSpace) == Literal(base)
    assert URIRef(str(TRL)) in set(graph.objects(ds, VOID.vocabulary))       # trl: is not under the base


def test_same_data_gives_the_same_iris_on_two_runs() -> None:
    a, _ = build_graph(SNAPSHOT, CURATED, base=MINE)
    b, _ = build_graph(snapshot_from_list(read_study_list(str(BUNDLED_LIST))), load_curated(), base=MINE)
    assert nt(a) == nt(b)


def test_two_bases_in_one_process_do_not_leak_into_each_other() -> None:
    """Interleave two lazy builds triple by triple: no state is shared between them."""
    mine, other = iter_triples(SNAPSHOT, CURATED, base=MINE), iter_triples(SNAPSHOT, CURATED, base=HASH)
    pairs = list(itertools.zip_longest(mine, other))
    for left, right in pairs:
        assert all(not isinstance(t, URIRef) or not t.startswith(HASH) for t in left)
        assert all(not isinstance(t, URIRef) or not t.startswith(MINE) for t in right)
    assert [p[0] for p in pairs] == list(iter_triples(SNAPSHOT, CURATED, base=MINE))


def test_the_default_base_and_its_iris_are_unchanged(default_graph: Graph) -> None:
    assert DEFAULT_BASE == "https://trilha.example/id/" == load_config(env={}, cwd=Path("/")).base_iri
    assert nt(build_graph(SNAPSHOT, CURATED, base=DEFAULT_BASE)[0]) == nt(default_graph)
    subjects = {str(s) for s in default_graph.subjects()}
    assert {DEFAULT_BASE + key for key in ("res/arxiv-1706.03762", "list/trilha-ds", "agent/trilha",
                                           "topic/trilha-ds/transformers")} <= subjects
    # prerequisite keys: sha1 of "dependent prerequisite source" with the full default IRIs, as always
    prereqs = list(default_graph.subjects(RDF.type, TRL.Prerequisite))
    assert prereqs
    for q in prereqs:
        d, p, s = (default_graph.value(q, x) for x in (TRL.dependent, TRL.prerequisite, TRL.source))
        assert str(q) == DEFAULT_BASE + "prereq/" + hashlib.sha1(f"{d} {p} {s}".encode()).hexdigest()[:16]


BAD = ["ftp://x.org/id/", "https://x.org/id", "x.org/id/", "https:///id/", "https://x.org/a b/",
       "https://x.org/<id>/", "https://x.org/?q=/", "https://x.org/a#b/", "https://x.org:99999/", "",
       "https://x.org/%zz/", "https://user@@x.org/"]    # the last two: not RFC 3987 (Oxigraph would refuse them)


@pytest.mark.parametrize("bad", BAD)
def test_a_bad_base_is_refused_in_one_line(bad: str) -> None:
    with pytest.raises(ValueError) as exc:
        check_base_iri(bad)
    assert "\n" not in str(exc.value)
    with pytest.raises(ConfigError, match="base IRI"):
        build_graph(SNAPSHOT, CURATED, base=bad)
    with pytest.raises(ConfigError, match=r"config key base_iri \(env TRILHA_BASE_IRI\)"):
        load_config(env={"TRILHA_BASE_IRI": bad or " "}, cwd=Path("/"))


def test_the_setting_layers_flag_over_env_over_file(tmp_path: Path) -> None:
    (tmp_path / "trilha.toml").write_text(f'base_iri = "{HASH}"\n', encoding="utf-8")
    assert load_config(env={}, cwd=tmp_path).base_iri == HASH
    assert load_config(env={"TRILHA_BASE_IRI": MINE}, cwd=tmp_path).base_iri == MINE
    assert load_config({"base_iri": "https://flag.example/"}, env={"TRILHA_BASE_IRI": MINE},
                       cwd=tmp_path).base_iri == "https://flag.example/"
    (tmp_path / "trilha.toml").write_text('base_iri = "https://x.org/no-slash"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="must end with '/' or '#'"):
        load_config(env={}, cwd=tmp_path)


def test_minter_keeps_no_module_state() -> None:
    a, b = Minter(MINE), Minter(HASH)
    assert a.person_iri("@hinepo", "kaggle") == URIRef(MINE + "person/kaggle-hinepo")
    assert b.person_iri("@hinepo", "kaggle") == URIRef(HASH + "person/kaggle-hinepo")
    r = a.resource_iri("https://x.org/p")
    assert a.is_kind(r, "res") and not b.is_kind(r, "res") and not a.is_kind(r, "topic")


# ---------------------------------------------------------------- the CLI, in a subprocess


def graph_iris(path: Path) -> set[str]:
    return iris_of(Graph().parse(path, format="nt"))


def test_build_flag_env_and_file_reach_the_graph(db: tuple[str, Path]) -> None:
    url, work = db
    build = ["build", "--db", url, "--format", "nt"]
    flag = run_cli([*build, "--out", "flag", "--base-iri", MINE], cwd=work,
                   env=cli_env(TRILHA_BASE_IRI=HASH))                     # the flag beats the environment
    assert flag.returncode == 0, flag.stderr
    iris = graph_iris(work / "flag" / "graph.nt")
    assert f"{MINE}res/arxiv-1706.03762" in iris and not any(i.startswith((DEFAULT_BASE, HASH)) for i in iris)

    env = run_cli([*build, "--out", "env"], cwd=work, env=cli_env(TRILHA_BASE_IRI=HASH))
    assert env.returncode == 0, env.stderr
    assert f"{HASH}res/arxiv-1706.03762" in graph_iris(work / "env" / "graph.nt")

    (work / "trilha.toml").write_text(f'base_iri = "{MINE}"\n', encoding="utf-8")
    try:
        file = run_cli([*build, "--out", "file"], cwd=work)
    finally:
        (work / "trilha.toml").unlink()
    assert file.returncode == 0, file.stderr
    assert f"{MINE}list/trilha-ds" in graph_iris(work / "file" / "graph.nt")

    default = run_cli([*build, "--out", "default"], cwd=work)
    assert default.returncode == 0, default.stderr
    assert f"{DEFAULT_BASE}list/trilha-ds" in graph_iris(work / "default" / "graph.nt")


def test_query_and_map_build_under_the_base(db: tuple[str, Path]) -> None:
    url, work = db
    query = "SELECT ?space ?r WHERE { ?d void:uriSpace ?space . ?r trl:siteId 'arxiv:1706.03762' }"
    done = run_cli(["sparql", "--db", url, "--base-iri", MINE, "--format", "json", query], cwd=work)
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout)["results"]["bindings"][0]
    assert row["space"]["value"] == MINE and row["r"]["value"] == f"{MINE}res/arxiv-1706.03762"

    path = run_cli(["path", "--db", url, "--to", "Transformers", "--format", "json"], cwd=work,
                   env=cli_env(TRILHA_BASE_IRI=HASH))
    assert path.returncode == 0, path.stderr
    assert all(s["node"].startswith(HASH) for s in json.loads(path.stdout)["steps"])

    mapped = run_cli(["map", "--db", url, "--out", "map", "--base-iri", MINE], cwd=work)
    assert mapped.returncode == 0, mapped.stderr
    html = (work / "map" / "map.html").read_text(encoding="utf-8")
    assert f"{MINE}topic/trilha-ds/" in html and DEFAULT_BASE not in html


def test_run_passes_the_flag_to_the_build_and_map_steps(db: tuple[str, Path]) -> None:
    url, work = db
    done = run_cli(["run", "--no-crawl", "--db", url, "--out", "run", "--base-iri", HASH, "--format", "json"],
                   cwd=work)
    assert done.returncode == 0, done.stderr
    outputs = json.loads(done.stdout)["outputs"]
    turtle = next(Path(p) for p in outputs.values() if p.endswith(".ttl"))
    assert f"{HASH}list/trilha-ds" in iris_of(Graph().parse(turtle, format="turtle"))
    assert DEFAULT_BASE not in Path(outputs["map"]).read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["build", "run", "sparql", "serve", "path", "map"])
def test_a_bad_flag_is_a_usage_error(command: str, db: tuple[str, Path]) -> None:
    url, work = db
    extra = {"sparql": ["SELECT * WHERE { ?s ?p ?o }"], "path": ["--to", "Transformers"]}.get(command, [])
    done = run_cli([command, "--db", url, "--base-iri", "https://x.org/no-slash", *extra], cwd=work)
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error")]
    assert errors == ["Error: Invalid value for '--base-iri': "
                      "'https://x.org/no-slash' must end with '/' or '#'"]
    assert "Traceback" not in done.stderr


def test_a_bad_environment_value_is_one_line(db: tuple[str, Path]) -> None:
    url, work = db
    done = run_cli(["build", "--db", url, "--out", "bad"], cwd=work,
                   env=cli_env(TRILHA_BASE_IRI="ftp://x.org/"))
    assert done.returncode == 1
    assert done.stderr == ("Error: config key base_iri (env TRILHA_BASE_IRI): 'ftp://x.org/' is not an "
                           "absolute http(s) IRI\n")
    assert not (work / "bad").exists()


def test_a_graph_file_is_read_whatever_base_the_environment_names(db: tuple[str, Path]) -> None:
    """``sparql --graph`` reads the IRIs as written: the configured base is not even read."""
    url, work = db
    built = run_cli(["build", "--db", url, "--out", "g", "--format", "nt"], cwd=work)
    assert built.returncode == 0, built.stderr
    done = run_cli(["sparql", "--graph", str(work / "g" / "graph.nt"), "--format", "json",
                    "SELECT ?r WHERE { ?r trl:siteId 'arxiv:1706.03762' }"], cwd=work,
                   env=cli_env(TRILHA_BASE_IRI="ftp://x.org/"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"]["bindings"][0]["r"]["value"] == f"{DEFAULT_BASE}res/arxiv-1706.03762"
