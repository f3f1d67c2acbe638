"""Run SPARQL safely: a guard that refuses what would write or reach outside, then
Oxigraph with a time limit and a row limit.

The guard parses every query with rdflib's SPARQL 1.1 parser *before* it runs and
refuses updates (INSERT, DELETE, LOAD, CLEAR, …), ``SERVICE`` (anywhere, also nested)
and ``FROM`` / ``FROM NAMED``: rdflib fetches those over HTTP by default and Oxigraph
makes SERVICE/LOAD requests from its own HTTP client, where no Python switch reaches
(../shared/research/dependencies.md §3).  As a second belt for any rdflib evaluation,
:func:`harden_rdflib` sets ``SPARQL_LOAD_GRAPHS = False`` and registers a
``CUSTOM_EVALS`` hook that refuses ``ServiceGraphPattern``.

Queries are passed to Oxigraph as *strings* (a ``prepareQuery`` object would make
rdflib fall back to its own slow evaluator).  pyoxigraph has no query timeout, so the
query runs in a worker thread and the caller stops waiting at the deadline
(:class:`QueryTimeoutError`, which hands over the thread still running it: the HTTP
endpoint counts it against its concurrency limit until it ends); the row limit
truncates and says so.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import rdflib.plugins.sparql as rdflib_sparql
from pyparsing import ParseBaseException
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from graph.vocab import SPARQL_PROLOGUE
from trilha.errors import QueryError, UnsafeQueryError

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_ROWS = 10_000


class QueryTimeoutError(QueryError):
    """A query passed its time limit.  Oxigraph cannot stop a query once it runs:
    ``still_running`` is the thread it goes on in, until its next solution is asked for
    (``run_query``'s ``on_done`` fires when it ends: graph.server keeps the query's slot
    until then, so abandoned queries cannot pile up)."""

    def __init__(self, message: str, still_running: threading.Thread) -> None:
        super().__init__(message)
        self.still_running = still_running


# ------------------------------------------------------------------ the guard


def _walk(node: Any) -> Iterable[CompValue]:
    stack = [node]
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, CompValue):
            yield n
            stack.extend(n.values())
        elif isinstance(n, dict):
            stack.extend(n.values())
        elif isinstance(n, (list, tuple)) or type(n).__name__ == "ParseResults":
            stack.extend(list(n))


_UPDATE_NAMES = {"InsertData": "INSERT DATA", "DeleteData": "DELETE DATA", "DeleteWhere": "DELETE WHERE",
                 "Modify": "DELETE/INSERT"}


def check_query(text: str, *, prologue: bool = True) -> str:
    """Return the query text (with the trilha prefixes prepended) if it is safe, else raise.

    Raises :class:`UnsafeQueryError` naming the clause (``update``, ``SERVICE``, ``FROM``,
    ``FROM NAMED``) or :class:`QueryError` with the position of a syntax error.
    """
    full = (SPARQL_PROLOGUE + text) if prologue else text
    offset = SPARQL_PROLOGUE.count("\n") if prologue else 0
    try:
        parsed = parseQuery(full)
    except ParseBaseException as exc:
        try:
            update = parseUpdate(full)
        except ParseBaseException:
            line = exc.lineno - offset
            raise QueryError(f"SPARQL syntax error at line {line}, column {exc.col}: {exc.msg}") from None
        ops = [getattr(r, "name", "update") for r in update.get("request", [])]
        op = _UPDATE_NAMES.get(ops[0], ops[0].upper()) if ops else "UPDATE"
        raise UnsafeQueryError(f"refused: {op} is an update; only read-only queries run here",
                               clause=op) from None
    except RecursionError:
        raise QueryError("SPARQL query is too deeply nested") from None
    for node in _walk(parsed):
        if node.name == "ServiceGraphPattern":
            raise UnsafeQueryError("refused: SERVICE would query a remote endpoint", clause="SERVICE")
        if node.name == "DatasetClause":
            clause = "FROM NAMED" if "named" in node else "FROM"
            raise UnsafeQueryError(f"refused: {clause} would load remote or local graphs", clause=clause)
        if node.name in ("Load", "InsertData", "DeleteData", "Modify", "Clear", "Drop", "Create"):
            raise UnsafeQueryError(f"refused: {node.name.upper()} is an update", clause=node.name.upper())
    return full


def _no_service(ctx: Any, part: Any) -> Any:
    if getattr(part, "name", "") == "ServiceGraphPattern":
        raise PermissionError("SERVICE is disabled in trilha")
    raise NotImplementedError


def harden_rdflib() -> None:
    """Second belt for rdflib's own evaluator: no FROM/LOAD fetching, no SERVICE."""
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    rdflib_sparql.CUSTOM_EVALS["trilha_no_service"] = _no_service


harden_rdflib()


# ------------------------------------------------------------------ running


@dataclass(slots=True)
class Result:
    """A query answer: rows of a SELECT, a boolean of an ASK, triples of CONSTRUCT/DESCRIBE."""

    kind: str                                    # select | ask | graph
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)   # pyoxigraph terms or None
    boolean: bool | None = None
    triples: list[Any] = field(default_factory=list)
    truncated: bool = False

    def values(self) -> list[tuple[str | None, ...]]:
        """Rows as plain strings (IRI or lexical form), for tests and simple printing."""
        return [tuple(None if t is None else t.value for t in row) for row in self.rows]


_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bind_values(text: str, params: dict[str, str] | None) -> str:
    """Bind parameters as plain literals with ``VALUES`` at the start of the WHERE group.

    (pyoxigraph's ``substitutions`` only accept projected variables.)  Values are written
    as N-Triples literals by pyoxigraph, so they can never change the query's structure.
    """
    if not params:
        return text
    for name in params:
        if not _VAR.match(name):
            raise QueryError(f"not a SPARQL variable name: {name!r}")
    m = _WHERE.search(text)
    if m is None:
        raise QueryError("parameters need a query with a WHERE clause")
    values = " ".join(f"VALUES ?{k} {{ {ox.Literal(v)} }}" for k, v in sorted(params.items()))
    return text[: m.end()] + " " + values + " " + text[m.end():]


def run_query(
    store: ox.Store,
    text: str,
    *,
    params: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    max_rows: int = DEFAULT_MAX_ROWS,
    on_done: Callable[[], None] | None = None,
) -> Result:
    """Check ``text`` with :func:`check_query`, run it on ``store`` within the limits.

    ``on_done`` is called once when the query's work has ended: at once if it was refused,
    else by the thread running it, also after a timeout (Oxigraph goes on until the next
    solution is asked for), so a server can hold a query slot exactly as long as the
    engine works on it (graph.server)."""
    try:
        full = check_query(bind_values(text, params))
    except BaseException:
        if on_done is not None:
            on_done()
        raise
    box: dict[str, Any] = {}
    abandoned = threading.Event()       # set at the deadline: stop reading solutions

    def take(answer: Any, convert: Callable[[Any], Any]) -> tuple[list[Any], bool] | None:
        """Up to ``max_rows`` items and whether more were left; None once abandoned (nobody
        waits: Oxigraph evaluates lazily, so not asking for the next solution ends it)."""
        items: list[Any] = []
        for item in answer:
            if abandoned.is_set():
                return None
            if len(items) >= max_rows:
                return items, True
            items.append(convert(item))
        return items, False

    def work() -> None:
        try:
            answer = store.query(full)
            if isinstance(answer, ox.QueryBoolean):
                box["result"] = Result(kind="ask", boolean=bool(answer))
            elif isinstance(answer, ox.QuerySolutions):
                names = [v.value for v in answer.variables]
                got = take(answer, lambda sol: tuple(sol[i] for i in range(len(names))))
                if got is not None:
                    box["result"] = Result(kind="select", variables=names, rows=got[0], truncated=got[1])
            else:
                got = take(answer, lambda triple: triple)
                if got is not None:
                    box["result"] = Result(kind="graph", triples=got[0], truncated=got[1])
        except SyntaxError as exc:
            box["error"] = QueryError(f"SPARQL error: {' '.join(str(exc).split())}")
        except Exception as exc:  # noqa: BLE001 - any engine failure becomes one line
            box["error"] = QueryError(f"query failed: {type(exc).__name__}: {' '.join(str(exc).split())}")
        finally:
            if on_done is not None:
                on_done()

    worker = threading.Thread(target=work, name="trilha-sparql", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        abandoned.set()
        raise QueryTimeoutError(f"query exceeded the time limit of {timeout:g} s", worker)
    if "error" in box:
        raise box["error"]
    result: Result = box["result"]
    if result.truncated:
        logger.warning("result truncated at %d rows (--max-rows)", max_rows)
    return result
