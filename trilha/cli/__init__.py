"""The ``trilha`` command line: one click group, one module per command.

The group is the error boundary: a :class:`trilha.errors.TrilhaError` becomes one
line on stderr and exit 1; any other exception becomes one line plus a hint to
rerun with ``--debug`` (which shows the traceback).  Exit codes, the same for every
command: 0 fine, 1 the command failed, 2 usage error, 3 problems found (``--fail-on``).
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from trilha.errors import TrilhaError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PROBLEMS = 3

#: command name -> module under trilha.cli that defines ``command``
COMMANDS: dict[str, str] = {
    "run": "run",
    "links": "links",
    "ingest": "ingest",
    "crawl": "crawl",
    "build": "build",
    "path": "path",
    "sparql": "sparql",
    "serve": "serve",
    "map": "map",
    "report": "report",
    "fix": "fix",
    "db": "db",
    "schedule": "schedule",
}


class ProblemsFound(click.exceptions.Exit):
    """Raised by a command whose ``--fail-on`` matched: exit 3 after normal output."""

    def __init__(self) -> None:
        super().__init__(EXIT_PROBLEMS)


class TrilhaGroup(click.Group):
    """Lazily imports each command module; turns expected errors into one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._load(name) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        module_name = COMMANDS.get(name)
        if module_name is None:
            return None
        try:
            module = importlib.import_module(f"trilha.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"trilha.cli.{module_name}":
                return None          # command not built yet
            raise
        command: click.Command = module.command
        return command

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except TrilhaError as exc:
            if debug:
                raise
            raise click.ClickException(_one_line(str(exc))) from None
        except KeyboardInterrupt:
            click.echo("trilha: interrupted; what was stored so far is kept", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the boundary of the program
            if debug:
                raise
            raise click.ClickException(
                f"unexpected {type(exc).__name__}: {_one_line(str(exc))} "
                "(rerun with --debug for a traceback)"
            ) from None


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "failed"


@click.group(cls=TrilhaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.option("-v", "--verbose", count=True, help="More log output (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.version_option(package_name="trilha", prog_name="trilha")
@click.pass_context
def cli(ctx: click.Context, debug: bool, verbose: int, quiet: bool) -> None:
    """trilha: link health and a knowledge graph for curated study lists.

    \b
    Example (the whole nightly job on the bundled list):
      trilha run
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    ctx.obj["verbosity"] = -1 if quiet else verbose


def main() -> None:
    cli(prog_name="trilha")
