"""The shipped library of named SPARQL queries (``data/queries/*.rq``).

Each file starts with comment headers::

    # title: Resources for a concept
    # description: …
    # param: concept = Transformers      (a variable the caller may set; its default)
    # lookup: concept                    (bind it folded, to match ``trl:lookupKey`` exactly)

The trilha prefixes (``graph.vocab.PREFIXES``) are prepended when a query runs, and
parameters are bound as plain literals (``VALUES``, see :func:`graph.sparql.bind_values`),
never pasted into the text.  A ``lookup`` parameter is folded first (case, accents and
spaces, :func:`graph.iris.fold`, the same folding the build applies to ``trl:lookupKey``)
so that a name lookup is an indexed exact match, not a ``FILTER`` over every label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from graph.iris import fold
from trilha.errors import QueryError
from trilha.paths import DATA_DIR

QUERIES_DIR = DATA_DIR / "queries"
_HEADER = re.compile(r"^#\s*(title|description|param|lookup):\s*(.*)$")


@dataclass(frozen=True, slots=True, kw_only=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str
    params: dict[str, str] = field(default_factory=dict)
    lookup: frozenset[str] = frozenset()     # parameters bound folded (graph.iris.fold)


def parse_named(name: str, text: str) -> NamedQuery:
    meta: dict[str, str] = {}
    params: dict[str, str] = {}
    lookup: set[str] = set()
    for line in text.splitlines():
        m = _HEADER.match(line.strip())
        if not m:
            continue
        key, value = m.groups()
        if key == "param":
            pname, _, default = value.partition("=")
            params[pname.strip()] = default.strip()
        elif key == "lookup":
            lookup.update(v.strip() for v in value.split(",") if v.strip())
        else:
            meta[key] = value.strip()
    return NamedQuery(name=name, title=meta.get("title", name), description=meta.get("description", ""),
                      text=text, params=params, lookup=frozenset(lookup))


def named_queries(directory: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    return {p.stem: parse_named(p.stem, p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.rq"))}


def get_named(name: str, directory: Path = QUERIES_DIR) -> NamedQuery:
    queries = named_queries(directory)
    if name not in queries:
        raise QueryError(f"no named query {name!r}; known: {', '.join(queries)}")
    return queries[name]


def bind_params(query: NamedQuery | None, given: dict[str, str]) -> dict[str, str]:
    """Defaults of the named query overridden by ``given`` (``lookup`` ones folded); unknown names are refused."""
    defaults = dict(query.params) if query else {}
    if query is not None:
        unknown = set(given) - set(defaults)
        if unknown:
            raise QueryError(f"query {query.name!r} has no parameter {sorted(unknown)[0]!r}"
                             f" (it has: {', '.join(defaults) or 'none'})")
    defaults.update(given)
    if query is not None:
        for name in query.lookup & set(defaults):
            defaults[name] = fold(defaults[name])
    return defaults
