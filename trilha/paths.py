"""Where trilha reads its bundled data and writes its files.  Paths are printed by the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

#: the repository's data/ directory (trilha is installed editable from its checkout)
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BUNDLED_LIST = DATA_DIR / "lists" / "trilha-ds.md"
DEFAULT_OUT = Path("out")


def default_db_path() -> Path:
    """The default SQLite file, in the user's data directory (platformdirs)."""
    return Path(platformdirs.user_data_dir("trilha", appauthor=False)) / "trilha.sqlite3"


def default_db_url() -> str:
    """``TRILHA_DB`` if set, else a SQLite URL for :func:`default_db_path`."""
    env = os.environ.get("TRILHA_DB")
    if env:
        return env
    return f"sqlite:///{default_db_path()}"


def describe_db_url(url: str) -> str:
    """The URL with any password hidden, for printing."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for display
        return url
