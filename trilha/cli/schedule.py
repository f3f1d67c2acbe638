"""``trilha schedule``: the nightly ``trilha run --fail-on dead`` as a cron line or a systemd user timer.

trilha runs no daemon of its own: the system's scheduler starts the ordinary command.
Formats followed: crontab(5) (five time fields, ``%`` must be escaped as ``\\%``) and
systemd.timer(5) / systemd.service(5) (``OnCalendar=*-*-* HH:MM:00``, ``Persistent=true``
so a night missed while the machine was off runs at the next boot; ``Type=oneshot``).
A run whose ``--fail-on`` matched exits 3, which cron mails to the owner and systemd
records as a failed unit (``systemctl --user status trilha-nightly``).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click

from trilha.errors import ConfigError

UNIT = "trilha-nightly"
MARK = "# trilha-nightly (written by trilha schedule)"


def parse_time(value: str) -> tuple[int, int]:
    """``"03:15"`` → ``(3, 15)``; anything else is a usage error."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
    if not match:
        raise click.BadParameter(f"{value!r} is not a time of day HH:MM (00:00–23:59)", param_hint="--at")
    return int(match.group(1)), int(match.group(2))


def run_command(trilha: str, fail_on: str, list_source: str | None) -> list[str]:
    argv = [trilha, "run"]
    if fail_on:
        argv += ["--fail-on", fail_on]
    if list_source:
        argv.append(list_source)
    return argv


def cron_line(*, hour: int, minute: int, workdir: Path, argv: list[str], db_url: str | None, log: Path) -> str:
    """One crontab(5) line; ``%`` is escaped because cron turns it into a newline."""
    env = f"TRILHA_DB={shlex.quote(db_url)} " if db_url else ""
    command = (
        f"cd {shlex.quote(str(workdir))} && mkdir -p {shlex.quote(str(log.parent))} && "
        f"{env}{shlex.join(argv)} >> {shlex.quote(str(log))} 2>&1"
    )
    return f"{minute} {hour} * * * {command.replace('%', chr(92) + '%')} {MARK}"


def systemd_units(*, hour: int, minute: int, workdir: Path, argv: list[str], db_url: str | None) -> dict[str, str]:
    """The ``.service`` and ``.timer`` of a systemd user timer, by file name."""
    env = f"Environment={_systemd_quote('TRILHA_DB=' + db_url)}\n" if db_url else ""
    service = (
        "[Unit]\n"
        "Description=trilha: nightly link check of a study list\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"WorkingDirectory={workdir}\n"
        f"{env}"
        f"ExecStart={' '.join(_systemd_quote(a) for a in argv)}\n"
    )
    timer = (
        "[Unit]\n"
        "Description=trilha: run the nightly link check\n\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {hour:02d}:{minute:02d}:00\n"
        "RandomizedDelaySec=10min\n"
        "Persistent=true\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {f"{UNIT}.service": service, f"{UNIT}.timer": timer}


def _systemd_quote(word: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", word):
        return word.replace("%", "%%")
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%") + '"'


def _trilha_executable() -> str:
    beside = Path(sys.executable).parent / "trilha"
    if beside.is_file():
        return str(beside)
    found = shutil.which("trilha")
    if found:
        return str(Path(found).resolve())
    return f"{sys.executable} -m trilha"


def install_cron(line: str) -> None:
    """Replace any earlier trilha line in the user's crontab with ``line`` (via crontab(1))."""
    if shutil.which("crontab") is None:
        raise ConfigError("no crontab command on this machine: use --systemd, or add the printed line yourself")
    current = subprocess.run(["crontab", "-l"], capture_output=True, text=True, check=False)
    lines = [l for l in current.stdout.splitlines() if MARK not in l] if current.returncode == 0 else []
    new = "\n".join([*lines, line]) + "\n"
    done = subprocess.run(["crontab", "-"], input=new, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ConfigError(f"crontab refused the new table: {done.stderr.strip() or done.returncode}")


def systemd_user_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


@click.command("schedule")
@click.argument("list_source", metavar="[LIST]", required=False)
@click.option("--at", "at", default="03:00", show_default=True, metavar="HH:MM", help="Time of day of the nightly run.")
@click.option("--systemd", "use_systemd", is_flag=True, help="A systemd user timer instead of a cron line.")
@click.option("--fail-on", "fail_on", default="dead", show_default=True, metavar="HEALTH[,HEALTH…]",
              help="Passed to `trilha run`: exit 3 (a failed job) when a link has this health.")
@click.option("--db", "db_url", default=None, metavar="URL",
              help="Store URL for the nightly run (set as TRILHA_DB). Default: trilha's default store.")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory the job runs in (its out/ goes there). Default: the current directory.")
@click.option("--install", "install", is_flag=True,
              help="Write it: add the line to your crontab, or the unit files to ~/.config/systemd/user.")
def command(list_source: str | None, at: str, use_systemd: bool, fail_on: str, db_url: str | None,
            workdir: Path | None, install: bool) -> None:
    """Schedule the nightly run: print (or --install) a cron line or a systemd user timer.

    The job is `trilha run --fail-on dead [LIST]`; trilha itself runs no daemon.

    \b
    Example:
      trilha schedule                       # print a crontab line for 03:00
      trilha schedule --at 02:30 --install  # add it to your crontab
      trilha schedule --systemd --install   # or a systemd user timer
    """
    hour, minute = parse_time(at)
    workdir = (workdir or Path.cwd()).resolve()
    argv = run_command(_trilha_executable(), fail_on, list_source)
    if not use_systemd:
        line = cron_line(hour=hour, minute=minute, workdir=workdir, argv=argv, db_url=db_url,
                         log=workdir / "out" / "trilha-nightly.log")
        if install:
            install_cron(line)
            click.echo(f"added to your crontab (crontab -l shows it):\n{line}")
        else:
            click.echo(line)
        return
    units = systemd_units(hour=hour, minute=minute, workdir=workdir, argv=argv, db_url=db_url)
    if not install:
        for name, text in units.items():
            click.echo(f"# ~/.config/systemd/user/{name}\n{text}")
        click.echo(f"# then: systemctl --user daemon-reload && systemctl --user enable --now {UNIT}.timer")
        return
    target = systemd_user_dir()
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name, text in units.items():
            (target / name).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write the unit files to {target}: {exc.strerror or exc}") from exc
    for name in units:
        click.echo(f"wrote {target / name}")
    click.echo(f"now run: systemctl --user daemon-reload && systemctl --user enable --now {UNIT}.timer")
