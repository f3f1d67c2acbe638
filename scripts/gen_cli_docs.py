#!/usr/bin/env python3
"""Write docs/cli.md from every command's ``--help`` (so the reference cannot drift from the code).

    .venv/bin/python scripts/gen_cli_docs.py           # rewrite docs/cli.md
    .venv/bin/python scripts/gen_cli_docs.py --check   # exit 1 if docs/cli.md is out of date

The help text is rendered by click itself at a fixed width of 100 columns, command by
command in the order of ``trilha.cli.COMMANDS``, subcommands of groups (``trilha db …``)
included.  ``tests/test_docs.py`` runs the check.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "cli.md"
WIDTH = 100

HEADER = """\
# Command reference

Generated from each command's `--help` by `scripts/gen_cli_docs.py`; do not edit by hand
(`tests/test_docs.py` fails when this file and the code disagree). Every command exits
0 when fine, 1 when it failed (one line on stderr; `--debug` shows the traceback), 2 on a
usage error and 3 when `--fail-on` matched.
"""


def iter_commands() -> Iterator[tuple[str, click.Command, click.Context]]:
    """(full name, command, context) for the group, every command and every subcommand."""
    from trilha.cli import cli

    root = _context(cli, "trilha", None)
    yield "trilha", cli, root
    yield from _walk(cli, root)


def _context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
    # make_context applies the command's context_settings (e.g. ``-h`` as a help option)
    return command.make_context(
        name, [], parent=parent, resilient_parsing=True, max_content_width=WIDTH, terminal_width=WIDTH
    )


def _walk(group: click.Group, parent: click.Context) -> Iterator[tuple[str, click.Command, click.Context]]:
    for name in group.list_commands(parent):
        command = group.get_command(parent, name)
        if command is None or command.hidden:
            continue
        ctx = _context(command, name, parent)
        yield ctx.command_path, command, ctx
        if isinstance(command, click.Group):
            yield from _walk(command, ctx)


def render() -> str:
    parts = [HEADER]
    toc = []
    sections = []
    for path, command, ctx in iter_commands():
        anchor = path.replace(" ", "-")
        toc.append(f"- [`{path}`](#{anchor}): {command.get_short_help_str(limit=80)}")
        sections.append(f"## {path}\n\n```text\n{command.get_help(ctx).rstrip()}\n```\n")
    parts.append("\n".join(toc) + "\n")
    parts.extend(sections)
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that docs/cli.md is current")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run scripts/gen_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
