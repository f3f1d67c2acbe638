"""``trilha run`` ends with the report (trilha.cli.report.step_report / run_exit)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from trilha.cli import cli

from tests.reports_support import SCENARIO_LIST


def test_run_ends_with_the_report_and_fail_on(tmp_path) -> None:
    lst = tmp_path / "list.md"
    lst.write_text(SCENARIO_LIST, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'run.db'}"
    out = tmp_path / "out"
    base = ["run", str(lst), "--no-crawl", "--db", db, "--out", str(out)]
    ok = CliRunner().invoke(cli, base)
    assert ok.exit_code == 0, ok.output
    for name in ("report.html", "report.md", "report.json", "report.csv", "report.junit.xml"):
        assert (out / name).is_file() and name in ok.output
    assert "Link health" in ok.output                      # the summary table
    assert CliRunner().invoke(cli, [*base, "--fail-on", "unchecked"]).exit_code == 3   # never crawled yet
    bad = CliRunner().invoke(cli, [*base, "--fail-on", "broken"])
    assert bad.exit_code == 2 and "unknown health broken" in bad.output
    js = CliRunner().invoke(cli, [*base, "--format", "json"])
    assert js.exit_code == 0, js.output
    data = json.loads(js.stdout)
    assert data["health"]["unchecked"] >= 1 and data["outputs"]["report.html"].endswith("report.html")
