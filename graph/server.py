"""A read-only SPARQL 1.1 Protocol endpoint over HTTP (stdlib ``http.server``).

Protocol (https://www.w3.org/TR/sparql11-protocol/ §2.1): ``GET /sparql?query=…``,
``POST /sparql`` with ``application/x-www-form-urlencoded`` (``query=…``) or
``application/sparql-query`` (the query as the body).  Updates are refused (403) whether
sent as ``update=…`` or ``application/sparql-update``; so are SERVICE and FROM / FROM
NAMED (the guard in :mod:`graph.sparql`).  Results: JSON, XML, CSV or TSV from the
``Accept`` header or a ``format=`` parameter.  Binds 127.0.0.1 by default; every query
has a time limit and a row limit; request bodies are capped.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from graph.results import MEDIA_TYPES, serialize
from graph.sparql import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S, QueryTimeoutError, run_query
from trilha.errors import QueryError, UnsafeQueryError

logger = logging.getLogger(__name__)

MAX_BODY = 100_000
_ACCEPT = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT_S
    max_rows: int = DEFAULT_MAX_ROWS
    max_concurrent: int = 4


def choose_format(accept: str, explicit: str | None) -> str:
    if explicit in ("json", "xml", "csv", "tsv"):
        return explicit
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in _ACCEPT:
            return _ACCEPT[media]
    return "json"


def make_handler(store: ox.Store, limits: Limits) -> type[BaseHTTPRequestHandler]:
    slots = threading.BoundedSemaphore(limits.max_concurrent)

    class Handler(BaseHTTPRequestHandler):
        server_version = "trilha-sparql"
        sys_version = ""

        def log_message(self, fmt: str, *args: Any) -> None:
            logger.info("%s " + fmt, self.address_string(), *args)

        def _send(self, status: int, body: str, ctype: str = "text/plain; charset=utf-8") -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            parts = urlsplit(self.path)
            if parts.path != "/sparql":
                self._send(404, "not found: the endpoint is /sparql\n")
                return
            params = parse_qs(parts.query)
            if "update" in params:
                self._send(403, "refused: this endpoint is read-only (no updates)\n")
                return
            if "query" not in params:
                self._send(400, "missing query parameter\n")
                return
            self._answer(params["query"][0], params)

        def do_POST(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            if parts.path != "/sparql":
                self._send(404, "not found: the endpoint is /sparql\n")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(413, f"request body over {MAX_BODY} bytes\n")
                return
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            params = parse_qs(parts.query)
            if ctype == "application/sparql-update":
                self._send(403, "refused: this endpoint is read-only (no updates)\n")
                return
            if ctype == "application/sparql-query":
                self._answer(body, params)
                return
            if ctype == "application/x-www-form-urlencoded":
                form = parse_qs(body)
                if "update" in form:
                    self._send(403, "refused: this endpoint is read-only (no updates)\n")
                    return
                if "query" not in form:
                    self._send(400, "missing query parameter\n")
                    return
                self._answer(form["query"][0], {**params, **form})
                return
            self._send(415, "use application/sparql-query or application/x-www-form-urlencoded\n")

        def _answer(self, query: str, params: dict[str, list[str]]) -> None:
            fmt = choose_format(self.headers.get("Accept") or "", (params.get("format") or [None])[0])
            if not slots.acquire(blocking=False):
                self._send(503, "too many queries at once; retry later\n")
                return
            try:
                # the slot is the engine's until the query's work ends, also past a timeout
                result = run_query(store, query, timeout=limits.timeout, max_rows=limits.max_rows,
                                   on_done=slots.release)
            except UnsafeQueryError as exc:
                self._send(403, f"{exc}\n")
                return
            except QueryTimeoutError as exc:
                self._send(503, f"{exc}; it holds one of {limits.max_concurrent} query slots until "
                                "the engine finishes it\n")
                return
            except QueryError as exc:
                self._send(400, f"{exc}\n")
                return
            ctype = MEDIA_TYPES["nt" if result.kind == "graph" else fmt]
            self._send(HTTPStatus.OK, serialize(result, fmt), ctype)

    return Handler


def make_server(store: ox.Store, host: str = "127.0.0.1", port: int = 7878,
                limits: Limits | None = None) -> ThreadingHTTPServer:
    """A server bound to ``host:port`` (port 0: any free port); call ``serve_forever``."""
    server = ThreadingHTTPServer((host, port), make_handler(store, limits or Limits()))
    server.daemon_threads = True
    return server
