"""Writers of a :class:`reports.model.Report`: one module per format, all side effects here.

:func:`write_all` writes the five files ``trilha report`` promises into ``out_dir``
(each replaced atomically, so a workflow always reads a whole file).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from trilha.errors import ReportError

from reports.model import Report

FILES = {
    "html": "report.html",
    "markdown": "report.md",
    "json": "report.json",
    "csv": "report.csv",
    "junit": "report.junit.xml",
}


def write_text(path: Path, text: str) -> None:
    """Write atomically (temp file + rename) in UTF-8 with '\\n' newlines."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from exc


def write_all(report: Report, out_dir: Path) -> dict[str, Path]:
    """Write every format; returns format -> path."""
    from reports.render import csv as csv_r
    from reports.render import html as html_r
    from reports.render import json as json_r
    from reports.render import junit as junit_r
    from reports.render import markdown as md_r

    texts = {
        "html": html_r.render(report),
        "markdown": md_r.render(report),
        "json": json_r.render(report),
        "csv": csv_r.render(report),
        "junit": junit_r.render(report),
    }
    out: dict[str, Path] = {}
    for fmt, text in texts.items():
        path = out_dir / FILES[fmt]
        write_text(path, text)
        out[fmt] = path
    return out
