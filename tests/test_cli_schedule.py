"""``trilha schedule``: a crontab(5) line or a systemd user timer for the nightly run."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from trilha.cli import cli
from trilha.cli.schedule import MARK, cron_line, systemd_units


def test_default_is_a_cron_line_at_three_running_the_nightly_job(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schedule", "--workdir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    minute, hour, dom, month, dow, command = line.split(" ", 5)
    assert (minute, hour, dom, month, dow) == ("0", "3", "*", "*", "*")
    assert f"cd {tmp_path} && mkdir -p {tmp_path}/out && " in command
    assert "trilha run --fail-on dead >> " in command
    assert command.endswith(MARK)


def test_cron_escapes_percent_which_cron_would_turn_into_a_newline() -> None:
    line = cron_line(hour=1, minute=5, workdir=Path("/srv/x"), argv=["/bin/trilha", "run"],
                     db_url="postgresql://u:p%40ss@h/db", log=Path("/srv/x/out/log"))
    assert "%" not in line.replace("\\%", "")
    assert line.startswith("5 1 * * * ")


def test_install_replaces_an_earlier_trilha_line_in_the_crontab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "crontab.txt"
    table.write_text(f"0 1 * * * echo keep\n0 2 * * * old trilha job {MARK}\n")
    fake = tmp_path / "bin" / "crontab"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nif [ "$1" = "-l" ]; then cat {table}; else cat > {table}; fi\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    result = CliRunner().invoke(cli, ["schedule", "--at", "04:30", "--install", "--workdir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = table.read_text().splitlines()
    assert lines[0] == "0 1 * * * echo keep"
    assert len(lines) == 2 and lines[1].startswith("30 4 * * * ") and lines[1].endswith(MARK)


def test_systemd_install_writes_a_persistent_timer_and_a_oneshot_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    result = CliRunner().invoke(
        cli, ["schedule", "--systemd", "--install", "--at", "2:05", "--fail-on", "dead,moved", "--workdir", str(tmp_path), "my list.md"]
    )
    assert result.exit_code == 0, result.output
    unit_dir = tmp_path / "cfg" / "systemd" / "user"
    timer = (unit_dir / "trilha-nightly.timer").read_text()
    service = (unit_dir / "trilha-nightly.service").read_text()
    assert "OnCalendar=*-*-* 02:05:00" in timer and "Persistent=true" in timer and "WantedBy=timers.target" in timer
    assert "Type=oneshot" in service and f"WorkingDirectory={tmp_path}" in service
    exec_start = next(l for l in service.splitlines() if l.startswith("ExecStart="))
    assert exec_start.endswith(' run --fail-on dead,moved "my list.md"')
    assert "systemctl --user enable --now trilha-nightly.timer" in result.output


def test_systemd_escapes_percent_in_the_environment() -> None:
    units = systemd_units(hour=3, minute=0, workdir=Path("/w"), argv=["/t", "run"], db_url="postgresql://u:a%40@h/d")
    assert "Environment=TRILHA_DB=postgresql://u:a%%40@h/d" in units["trilha-nightly.service"]


@pytest.mark.parametrize("bad", ["25:00", "3", "03:60", "noon"])
def test_a_bad_time_is_a_usage_error(bad: str) -> None:
    result = CliRunner().invoke(cli, ["schedule", "--at", bad])
    assert result.exit_code == 2
    assert "HH:MM" in result.output
