"""The report files from the scenario history (tests/reports_support.py): JSON, CSV,
JUnit (parsed with xml.etree, Jenkins/Surefire shape), Markdown, and the CLI exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from reports.build import build_report
from reports.render import csv as csv_render
from reports.render import junit, markdown
from trilha.cli import cli
from trilha.store import open_store
from trilha.store.history import load_history

from tests.reports_support import HOSTILE_TITLE, build_scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    store = open_store(url)
    build_scenario(store)
    store.close()
    return url


@pytest.fixture()
def report(db):
    store = open_store(db)
    history = load_history(store, 1)
    store.close()
    return build_report(history, now=datetime(2025, 1, 8, tzinfo=UTC))


def test_junit_shape_one_case_per_link(report) -> None:
    root = ET.fromstring(junit.render(report))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["Lista de teste › Papers", "Lista de teste › Tools"]
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(report.rows) == int(root.get("tests")) == 10
    failures = root.findall("testsuite/testcase/failure")
    # default failing set: dead(4) flaky(1) moved(1) malformed(1); blocked is <skipped>
    assert int(root.get("failures")) == len(failures) == 7
    assert int(root.get("skipped")) == len(root.findall("testsuite/testcase/skipped")) == 1
    for s in suites:
        assert int(s.get("tests")) == len(s.findall("testcase"))
        assert int(s.get("failures")) == len(s.findall("testcase/failure"))
    assert {f.get("type") for f in failures} == {"dead", "flaky", "moved", "malformed"}
    case = next(c for c in cases if c.get("line") == "15")
    assert case.get("classname") == "Lista de teste › Tools" and "f.example/gone" in case.get("name")


def test_junit_follows_fail_on(report) -> None:
    from dataclasses import replace

    root = ET.fromstring(junit.render(replace(report, fail_on=frozenset({"moved"}))))
    assert root.get("failures") == "1"
    assert [f.get("type") for f in root.iter("failure")] == ["moved"]


def test_csv_and_markdown(report) -> None:
    rows = list(csv.DictReader(io.StringIO(csv_render.render(report))))
    assert len(rows) == 10 and rows[0]["health"] == "dead" and rows[0]["since"].startswith("2025-01-03")
    md = markdown.render(report)
    assert md.count("\n## Summary\n") == 1
    assert "- **newly-dead** line 16: `https://g.example/down` (failing → dead)" in md
    assert "| 13 | Moves<br>`https://d.example/old` | 🔀 moved |" in md
    assert "### Lista de teste › Papers (line 5)" in md
    assert "`https://a.example/dead` on lines 7, 17" in md
    assert "blocked for 5 crawls since 2025-01-02 03:00 \\(403 bot wall\\)" in md
    assert "| Lista de teste › Tools | 11 | 7 |" in md
    assert markdown.esc(HOSTILE_TITLE) == "&lt;img src=x onerror=alert\\(1\\)&gt;"


def test_cli_report_writes_every_file_and_exit_codes(db, tmp_path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    ok = runner.invoke(cli, ["report", "--db", db, "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    for name in ("report.html", "report.md", "report.json", "report.csv", "report.junit.xml"):
        assert (out / name).stat().st_size > 0
    assert "dead" in ok.stdout and "report.md" in ok.stdout
    data = json.loads((out / "report.json").read_text())
    assert data["summary"]["dead"] == 4 and data["previous_crawl"]["started_at"].startswith("2025-01-06")
    three = runner.invoke(cli, ["report", "--db", db, "--out", str(out), "--fail-on", "dead,moved"])
    assert three.exit_code == 3
    fine = runner.invoke(cli, ["report", "--db", db, "--out", str(out), "--fail-on", "unverifiable"])
    assert fine.exit_code == 0
    usage = runner.invoke(cli, ["report", "--db", db, "--out", str(out), "--fail-on", "gone"])
    assert usage.exit_code == 2 and "unknown health gone" in usage.output
    js = runner.invoke(cli, ["report", "--db", db, "--out", str(out), "--format", "json", "--dead-after", "4"])
    assert js.exit_code == 0
    got = {link["written"]: link["health"] for link in json.loads(js.stdout)["links"]}
    assert got["https://g.example/down"] == "failing"        # 3 failures < --dead-after 4


def test_cli_report_subprocess_exit_codes(db, tmp_path) -> None:
    env = dict(os.environ, TRILHA_DB=db)
    run = lambda *a: subprocess.run([sys.executable, "-m", "trilha", "report", "--out", str(tmp_path / "o"), *a],  # noqa: E731
                                    capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert run("--fail-on", "dead").returncode == 3
    assert run("--fail-on", "unchecked").returncode == 0
    missing = subprocess.run([sys.executable, "-m", "trilha", "report", "nope.md"], capture_output=True,
                             text=True, env=env, cwd=ROOT, timeout=120)
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1
    assert "not in the store" in missing.stderr


def test_report_after_run_prints_and_raises_exit_3(db, tmp_path) -> None:
    """The hook ``trilha run`` calls at its end (trilha.cli.report.report_after_run)."""
    from rich.console import Console

    from trilha.cli import ProblemsFound
    from trilha.cli.report import report_after_run

    store = open_store(db)
    console = Console(record=True, width=120)
    report, paths = report_after_run(store, 1, out_dir=tmp_path / "o", fail_on="unverifiable", console=console)
    assert paths["html"].is_file() and "report.html" in console.export_text()
    with pytest.raises(ProblemsFound):
        report_after_run(store, 1, out_dir=tmp_path / "o", fail_on="dead", console=console)
    store.close()


def test_step_report_for_trilha_run(db, tmp_path) -> None:
    """trilha.cli.report.step_report / run_exit work on a RunState-like object."""
    from types import SimpleNamespace

    from rich.console import Console

    from trilha.cli import ProblemsFound
    from trilha.cli.report import run_exit, step_report

    store = open_store(db)
    state = SimpleNamespace(store=store, ingested=SimpleNamespace(list_id=1), out_dir=tmp_path / "o",
                            outputs={}, summary={}, fail_on="dead", fmt="table")
    step_report(state)
    store.close()
    assert set(state.outputs) == {"report.html", "report.md", "report.json", "report.csv", "report.junit.xml"}
    assert state.summary["health"]["dead"] == 4
    with pytest.raises(ProblemsFound):
        run_exit(state, Console(record=True))


def test_untrusted_text_cannot_break_junit_or_run_in_a_spreadsheet(report) -> None:
    from dataclasses import replace

    rows = list(report.rows)
    rows[0] = replace(rows[0], note="bad\x00byte\x1b[31m", title="=HYPERLINK(\"http://evil\")", text="@SUM(1)")
    evil = replace(report, rows=tuple(rows))
    root = ET.fromstring(junit.render(evil))                    # still well-formed XML
    assert "bad\ufffdbyte\ufffd[31m" in root.find("testsuite/testcase/failure").get("message")
    first = next(csv.DictReader(io.StringIO(csv_render.render(evil))))
    assert first["title"] == "'=HYPERLINK(\"http://evil\")" and first["text"] == "'@SUM(1)"


def test_markdown_line_links_for_a_list_on_github() -> None:
    src = "https://github.com/HinePo/Trilha-de-Estudos-de-Data-Science/blob/main/README.md"
    assert markdown.line_link(src, 42) == f"[42]({src}?plain=1#L42)"
    assert markdown.line_link("README.md", 42) == "42"
    assert markdown.line_link("https://example.org/README.md", 42) == "42"


def test_report_before_any_crawl(tmp_path) -> None:
    from tests.reports_support import SCENARIO_LIST, make_list

    db = f"sqlite:///{tmp_path / 'empty.db'}"
    store = open_store(db)
    make_list(store, SCENARIO_LIST, repairs={"htps://h.example/page": "https://h.example/page"})
    store.close()
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["report", "--db", db, "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"] == {"malformed": 1, "unchecked": 9} and data["changes"] == []
    assert "_No previous crawl to compare with._" in (out / "report.md").read_text()
    root = ET.parse(out / "report.junit.xml").getroot()
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("10", "1", "9")
    empty = CliRunner().invoke(cli, ["report", "--db", f"sqlite:///{tmp_path / 'none.db'}", "--out", str(out)])
    assert empty.exit_code == 1 and "no study list in the store" in empty.output


def test_html_links_only_http_urls(report) -> None:
    """A javascript: URL written in the list is shown, never made a link."""
    from dataclasses import replace
    from html.parser import HTMLParser

    from reports.render import html

    rows = list(report.rows)
    rows[0] = replace(rows[0], written="javascript:alert(1)", url="javascript:alert(1)")
    page = html.render(replace(report, rows=tuple(rows)))

    class Hrefs(HTMLParser):
        found: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.found += [v for k, v in attrs if k in ("href", "src") and v]

    parser = Hrefs()
    parser.feed(page)
    assert parser.found and all(h.startswith(("http://", "https://")) for h in parser.found)
    assert "javascript:alert(1)" in page                       # still shown as text
