"""The study-list reader: Markdown → :class:`trilha.model.StudyList`.

Contract::

    read_study_list(source, *, base_url=None, max_bytes=DEFAULT_MAX_BYTES, allow_private=False)
    parse_study_list(text, *, source, base_url=None)

Rules (link syntaxes, line numbers, internal links, findings, canonical URLs, concepts)
are documented in ``docs/reader.md``.
"""

from __future__ import annotations

import os

from trilha.model import StudyList

from .parse import parse_study_list
from .sources import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_S, read_source

#: Where the bundled list ``data/lists/trilha-ds.md`` lives on the web (its base URL).
BUNDLED_BASE_URL = "https://github.com/HinePo/Trilha-de-Estudos-de-Data-Science/blob/main/README.md"
#: Base URLs of known lists, by file name (the CLI passes these for the bundled list).
KNOWN_BASE_URLS = {"trilha-ds.md": BUNDLED_BASE_URL}

__all__ = ["BUNDLED_BASE_URL", "DEFAULT_MAX_BYTES", "KNOWN_BASE_URLS", "parse_study_list",
           "read_study_list"]


def read_study_list(source: str | os.PathLike[str], *, base_url: str | None = None,
                    max_bytes: int = DEFAULT_MAX_BYTES, allow_private: bool = False,
                    timeout: float = DEFAULT_TIMEOUT_S) -> StudyList:
    """Read and parse a study list from a file, a directory of ``.md`` files or an http(s) URL.

    Raises :class:`trilha.errors.StudyListError` (one line) for inputs that are not a list.
    ``base_url`` resolves relative links and identifies the list's own URL; for a URL
    source it defaults to that URL (the github.com page for a raw.githubusercontent.com
    README); otherwise it may be inferred from the list's table of contents (noted).
    """
    got = read_source(source, max_bytes=max_bytes, allow_private=allow_private, timeout=timeout)
    return parse_study_list(got.text, source=got.source, base_url=base_url or got.base_url, notes=got.notes)
