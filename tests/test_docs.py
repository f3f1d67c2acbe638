"""The documentation tells the truth: help texts, the command reference, the README's two commands.

* every registered command (``trilha.cli.COMMANDS``) exists and its ``--help`` ends with an
  example (``Example:`` under ``\\b``, docs/architecture.md "Conventions");
* ``docs/cli.md`` is what ``scripts/gen_cli_docs.py`` generates from the code today;
* the README's "fresh machine" section has exactly two fenced commands (install + main job,
  install + every test) and ``.ci/run`` runs the second one verbatim;
* relative links in README.md and docs/*.md point at files that exist.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from trilha.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
EXAMPLE = re.compile(r"^\s*Examples?\b[^\n]*:", re.MULTILINE)


def _gen_cli_docs():  # the generator is a script, not a package module
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_cli_docs", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_registered_command_exists_and_its_help_shows_an_example(name: str) -> None:
    assert (ROOT / "trilha" / "cli" / f"{COMMANDS[name]}.py").is_file(), f"trilha {name}: module not written"
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert EXAMPLE.search(result.output), f"`trilha {name} --help` has no 'Example:' block"


def test_every_subcommand_help_shows_an_example() -> None:
    missing = [path for path, command, ctx in _gen_cli_docs().iter_commands() if not EXAMPLE.search(command.get_help(ctx))]
    assert missing == []


def test_docs_cli_md_is_current() -> None:
    generated = _gen_cli_docs().render()
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == generated, "docs/cli.md is out of date: run .venv/bin/python scripts/gen_cli_docs.py"


def _fresh_machine_section() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^(#{2,3}) [^\n]*fresh machine[^\n]*\n(.*?)(?=^#{1,3} |\Z)", text, re.MULTILINE | re.DOTALL | re.IGNORECASE)
    assert match, "README.md has no section whose heading says 'fresh machine'"
    return match.group(2)


def _fenced_blocks(text: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^```[a-z]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)]


def test_readme_fresh_machine_section_has_exactly_two_one_line_commands() -> None:
    blocks = _fenced_blocks(_fresh_machine_section())
    assert len(blocks) == 2, blocks
    assert all("\n" not in block for block in blocks), blocks
    run_cmd, test_cmd = blocks
    assert "scripts/install.sh" in run_cmd and "trilha run" in run_cmd
    assert "scripts/install.sh" in test_cmd and "scripts/test.sh" in test_cmd


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_cmd = _fenced_blocks(_fresh_machine_section())[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert any(line.strip() == test_cmd for line in ci.splitlines()), f".ci/run does not run {test_cmd!r}"


def _markdown_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


def test_relative_links_in_the_docs_resolve() -> None:
    broken = []
    for path in _markdown_files():
        text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            if not (path.parent / target.split("#")[0]).exists():
                broken.append(f"{path.relative_to(ROOT)} -> {target}")
    assert broken == []


def test_every_setting_is_in_the_settings_table() -> None:
    """docs/verdicts.md's settings table names every key of trilha.config.SETTINGS."""
    from trilha.config import SETTINGS

    table = (ROOT / "docs" / "verdicts.md").read_text(encoding="utf-8")
    assert [s.name for s in SETTINGS if f"| `{s.name}` |" not in table] == []
