"""docs/reports.md and the example GitHub Actions workflow say what the code does."""

from __future__ import annotations

from pathlib import Path

import yaml

from reports.health import GONE_PREFIX, Rules
from reports.render import FILES
from reports.render.junit import DEFAULT_FAILING

ROOT = Path(__file__).resolve().parent.parent


def test_workflow_example_is_valid_and_updates_one_issue() -> None:
    wf = yaml.safe_load((ROOT / "docs" / "ci" / "github-actions-example.yml").read_text(encoding="utf-8"))
    triggers = wf[True]                                  # PyYAML reads the key `on` as True
    assert triggers["schedule"][0]["cron"].count(" ") == 4
    steps = wf["jobs"]["links"]["steps"]
    script = "\n".join(s.get("run", "") for s in steps)
    assert "--fail-on dead,malformed" in script
    assert "gh issue edit" in script and "--body-file out/report.md" in script
    assert script.count("gh issue create") == 1           # created only when no open issue exists
    assert any("actions/cache" in s.get("uses", "") for s in steps)


def test_reports_doc_states_the_rules_the_code_uses() -> None:
    doc = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    rules = Rules()
    assert f"(default {rules.dead_after})" in doc and f"(default {rules.flaky_window})" in doc
    assert f"**`{GONE_PREFIX}`**" in doc
    for name in FILES.values():
        assert f"`{name}`" in doc
    assert all(h in doc for h in DEFAULT_FAILING)
