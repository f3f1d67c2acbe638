"""The foundation commands: ``trilha links``, ``ingest``, ``run``, ``db upgrade`` / ``db current``.

Bad inputs each give one clear line on stderr, exit 1, no traceback, and leave what is
already stored exactly as it was (a good list is ingested first, then the bad input is
tried, then every stored row is compared).  Most tests use click's CliRunner; two run
the real ``trilha`` program in a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from trilha.cli import cli
from trilha.errors import StudyListError
from trilha.paths import BUNDLED_LIST

REPO = Path(__file__).resolve().parent.parent
TABLES = ("study_list", "list_version", "section", "resource", "mention", "concept")
SMALL_LIST = "# Small\n\n## Links\n\n- [Python](https://www.python.org/) - docs\n- [Video](https://youtu.be/abc)\n"


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=True)


def stderr_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def dump(db_url: str) -> dict[str, list[Any]]:
    """Every row of the list tables, for before/after comparisons."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return {t: [tuple(r) for r in conn.execute(text(f'SELECT * FROM "{t}" ORDER BY id'))] for t in TABLES}
    finally:
        engine.dispose()


@pytest.fixture()
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store' / 'trilha.sqlite3'}"


@pytest.fixture(scope="module")
def stored_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the bundled list, ingested once per module through the CLI."""
    path = tmp_path_factory.mktemp("template") / "trilha.sqlite3"
    result = invoke("ingest", "--db", f"sqlite:///{path}")
    assert result.exit_code == 0, result.output
    assert not path.with_name(path.name + "-wal").exists()      # checkpointed on close
    return path


@pytest.fixture()
def stored(db_url: str, stored_template: Path) -> dict[str, list[Any]]:
    """The test's own store holding the bundled list (a copy of the template); returns its rows."""
    target = Path(db_url.removeprefix("sqlite:///"))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(stored_template, target)
    rows = dump(db_url)
    assert len(rows["mention"]) == 165
    return rows


# ---------------------------------------------------------------- help


@pytest.mark.parametrize("args", [["links"], ["ingest"], ["run"], ["db"], ["db", "upgrade"], ["db", "current"]])
def test_every_command_has_help_with_an_example(args: list[str]) -> None:
    result = invoke(*args, "--help")
    assert result.exit_code == 0, result.output
    assert "Example:" in result.stdout
    assert f"trilha {args[0]}" in result.stdout.split("Example:", 1)[1]


# ---------------------------------------------------------------- links


def test_links_json_of_the_bundled_list() -> None:
    result = invoke("links", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 165
    assert sum(r["is_image"] for r in rows) == 1
    assert all(r["line"] >= 1 and r["section"] for r in rows)
    bracket = [r for r in rows if any(f["code"] == "stray-bracket" for f in r["finding_details"])]
    assert [r["written"] for r in bracket] == ["https://www.youtube.com/watch?v=DQc2Mi7BcuI]"]
    assert bracket[0]["finding_details"][0]["repair"] == "https://www.youtube.com/watch?v=DQc2Mi7BcuI"
    assert "165 links" in result.stderr       # the human summary stays off stdout


def test_links_findings_only_table_markdown_and_csv(tmp_path: Path) -> None:
    table = invoke("links", "--findings-only")
    assert table.exit_code == 0
    assert "NLP - Natural Language Processing" in table.stdout and "Perfis no twitter" not in table.stdout
    markdown = invoke("links", "--findings-only", "--format", "markdown")
    assert "https://www.youtube.com/watch?v=DQc2Mi7BcuI] |" in markdown.stdout
    assert len(markdown.stdout.strip().splitlines()) == 2 + 2 + 1     # title, blank, header, rule, row
    path = tmp_path / "markup.md"
    path.write_text("# M\n\n- [[bold]x[/bold]](https://example.org/x)\n", encoding="utf-8")
    shown = invoke("links", str(path))
    assert "[bold]x[/bold]" in shown.stdout                 # cells are text, never rich markup
    csv_out = invoke("links", "--format", "csv")
    lines = csv_out.stdout.splitlines()
    assert lines[0] == "line,section,text,url as written,canonical,kind,findings"
    assert len(lines) >= 166                                 # header + 165 (a cell may span lines)


def test_links_reads_a_file_and_resolves_relative_links_with_base_url(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text(SMALL_LIST + "- [notes](docs/notes.md)\n", encoding="utf-8")
    result = invoke("links", str(path), "--base-url", "https://github.com/o/r/blob/main/README.md",
                    "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["url"] for r in rows][-1] == "https://github.com/o/r/blob/main/docs/notes.md"


# ---------------------------------------------------------------- ingest


def test_ingest_prints_the_sqlite_path_and_counts(db_url: str, tmp_path: Path) -> None:
    first = invoke("ingest", "--db", db_url)
    assert first.exit_code == 0, first.output
    assert f"database: {tmp_path / 'store' / 'trilha.sqlite3'} (SQLite)" in first.stdout
    assert "new list" in first.stdout
    second = invoke("ingest", "--db", db_url, "--format", "json")
    data = json.loads(second.stdout)
    assert data["changed"] is False and data["first_read"] is False
    assert {r["what"]: r["kept"] for r in data["counts"]} == {"mentions": 165, "sections": 28,
                                                               "concepts": data["counts"][2]["kept"]}
    assert data["database"].startswith(str(tmp_path))


def test_ingest_of_a_changed_file_marks_removed_links(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text(SMALL_LIST, encoding="utf-8")
    assert invoke("ingest", str(path), "--db", db_url).exit_code == 0
    path.write_text(SMALL_LIST.replace("- [Video](https://youtu.be/abc)\n", ""), encoding="utf-8")
    result = invoke("ingest", str(path), "--db", db_url, "--format", "json")
    data = json.loads(result.stdout)
    assert data["changed"] is True
    assert data["counts"][0] == {"what": "mentions", "added": 0, "kept": 1, "removed": 1, "restored": 0,
                                 "present": 1}
    rows = dump(db_url)
    assert len(rows["mention"]) == 2 and len(rows["list_version"]) == 2


# ---------------------------------------------------------------- run


def test_run_stores_and_summarises_by_section_and_site(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("run", "--no-crawl", "--db", db_url, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"database: {tmp_path / 'store' / 'trilha.sqlite3'} (SQLite)" in result.stdout
    assert f"out dir: {out}" in result.stdout
    assert "By section" in result.stdout and "By site" in result.stdout
    summary = json.loads((out / "list-summary.json").read_text(encoding="utf-8"))
    assert sum(r["links"] for r in summary["by_section"]) == 165
    assert sum(r["links"] for r in summary["by_site"]) == 165
    sites = {r["site"]: r for r in summary["by_site"]}
    assert sites["youtube"]["findings"] == 1
    twitter = next(r for r in summary["by_section"] if r["section"] == "Perfis no twitter")
    assert twitter["links"] == 26
    assert len(dump(db_url)["mention"]) == 165


def test_run_json(db_url: str, tmp_path: Path) -> None:
    result = invoke("run", "--no-crawl", "--db", db_url, "--out", str(tmp_path / "o"), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["store"]["counts"][0]["added"] == 165
    assert data["out_dir"] == str(tmp_path / "o")


# ---------------------------------------------------------------- db


def test_db_upgrade_is_idempotent_and_current_reports(db_url: str, tmp_path: Path) -> None:
    first = invoke("db", "upgrade", "--db", db_url)
    assert first.exit_code == 0, first.output
    assert "upgraded: empty -> 0001" in first.stdout
    assert str(tmp_path / "store" / "trilha.sqlite3") in first.stdout
    again = invoke("db", "upgrade", "--db", db_url)
    assert again.exit_code == 0 and "already at revision 0001" in again.stdout
    invoke("ingest", "--db", db_url)
    current = invoke("db", "current", "--db", db_url, "--format", "json")
    data = json.loads(current.stdout)
    assert data["revision"] == "0001"
    assert [x["source"] for x in data["lists"]] == [str(BUNDLED_LIST.resolve())]


# ---------------------------------------------------------------- bad inputs


def _bad_inputs(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """name -> (extra args, a word the one-line error must contain)."""
    (tmp / "nomd").mkdir()
    (tmp / "nomd" / "notes.txt").write_text("not markdown\n", encoding="utf-8")
    (tmp / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (tmp / "empty.md").write_bytes(b"")
    (tmp / "latin1.md").write_bytes("# Trilha\n\n- [Ciência](https://example.org/c)\n".encode("latin-1"))
    (tmp / "big.md").write_text(SMALL_LIST * 20, encoding="utf-8")
    return {
        "missing file": ([str(tmp / "nope.md")], "not found"),
        "directory without markdown": ([str(tmp / "nomd")], "no markdown"),
        "binary file": ([str(tmp / "binary.md")], "binary"),
        "empty file": ([str(tmp / "empty.md")], "empty"),
        "non-utf-8 file": ([str(tmp / "latin1.md")], "utf-8"),
        "over the size cap": ([str(tmp / "big.md"), "--max-bytes", "100"], "size cap"),
    }


BAD = ["missing file", "directory without markdown", "binary file", "empty file", "non-utf-8 file",
       "over the size cap"]


@pytest.mark.parametrize("command", ["ingest", "run", "links"])
@pytest.mark.parametrize("case", BAD)
def test_bad_list_is_one_line_and_the_store_is_untouched(
    case: str, command: str, db_url: str, stored: dict[str, list[Any]], tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    args, word = _bad_inputs(tmp_path / "in")[case]
    extra = ["--db", db_url] if command != "links" else []
    if command == "run":
        extra += ["--out", str(tmp_path / "out")]
    result = invoke(command, *args, *extra)
    assert result.exit_code == 1, result.output
    lines = stderr_lines(result)
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error: ") and word in lines[0].lower()
    assert "Traceback" not in result.output
    assert dump(db_url) == stored


def test_size_cap_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text(SMALL_LIST, encoding="utf-8")
    result = invoke("links", str(path), env={"TRILHA_MAX_LIST_BYTES": "50"})
    assert result.exit_code == 1 and "size cap of 50 bytes" in result.stderr
    assert invoke("links", str(path), env={"TRILHA_MAX_LIST_BYTES": "5000"}).exit_code == 0


@pytest.mark.parametrize("bad_db", ["postgresql+psycopg://nobody@127.0.0.1:1/x", "FILE_AS_DIR", "not a url://"])
def test_unreachable_database_is_one_line(bad_db: str, db_url: str, stored: dict[str, list[Any]],
                                          tmp_path: Path) -> None:
    if bad_db == "FILE_AS_DIR":                 # a SQLite path under a regular file: cannot be created
        blocker = tmp_path / "blocker"
        blocker.write_text("x", encoding="utf-8")
        bad_db = f"sqlite:///{blocker}/sub/trilha.sqlite3"
    for args in (["ingest", "--db", bad_db], ["db", "upgrade", "--db", bad_db],
                 ["run", "--no-crawl", "--db", bad_db, "--out", str(tmp_path / "o")]):
        result = invoke(*args)
        assert result.exit_code == 1, (args, result.output)
        lines = stderr_lines(result)
        assert len(lines) == 1 and lines[0].startswith("Error: "), lines
        assert "database" in lines[0] and "Traceback" not in result.output
    assert dump(db_url) == stored


def test_debug_shows_the_exception(tmp_path: Path) -> None:
    result = invoke("--debug", "links", str(tmp_path / "nope.md"))
    assert result.exit_code != 0
    assert isinstance(result.exception, StudyListError)


# ---------------------------------------------------------------- the real program


def _trilha(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRILHA_DB": f"sqlite:///{tmp_path / 'sub.sqlite3'}", "COLUMNS": "120"}
    return subprocess.run([sys.executable, "-m", "trilha", *args], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120, check=False)


def test_real_program_run_and_a_bad_list(tmp_path: Path) -> None:
    ok = _trilha("run", "--no-crawl", tmp_path=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert f"database: {tmp_path / 'sub.sqlite3'} (SQLite)" in ok.stdout
    assert f"out dir: {tmp_path / 'out'}" in ok.stdout
    bad = _trilha("ingest", str(tmp_path / "missing.md"), tmp_path=tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.strip().count("\n") == 0 and "not found" in bad.stderr
    assert "Traceback" not in bad.stderr
