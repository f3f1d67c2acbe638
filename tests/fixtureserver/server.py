"""The fixture web: a stdlib ThreadingHTTPServer on 127.0.0.1:0 that stops by itself.

See ``tests/fixtureserver/README.md`` for the routes and the site-directory format.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.fixtureserver.behaviours import Behaviours, Hang, Stream
from tests.fixtureserver.sites import (
    SITES_DIR,
    Canned,
    absolute_location,
    default_page,
    find_dir,
    load_canned,
    split_request,
)

CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class RequestLog:
    method: str
    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        return

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._serve("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._serve("POST")

    def _serve(self, method: str) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.log(RequestLog(method, self.path, headers))
        host, segments, _ = split_request(self.path)
        answer: Canned | Stream | Hang | None = None
        if segments[:1] == ["_"] or host == "_":
            rest = segments[1:] if segments[:1] == ["_"] else segments
            if rest:
                answer = self.server.behaviours.handle(rest[0], rest[1:], self.path, method, headers, host)
        if answer is None:
            directory = find_dir(self.path, self.server.sites_dir)
            answer = load_canned(directory, method) if directory else default_page(self.path)
        if isinstance(answer, Hang):
            self.server.stopping.wait()
            self.close_connection = True
            return
        if isinstance(answer, Stream):
            self._stream(answer, method)
            return
        self._send(answer, method, headers, host)

    def _send(self, canned: Canned, method: str, req: dict[str, str], host: str) -> None:
        if canned.delay_s:
            if self.server.stopping.wait(canned.delay_s):
                return
        status, headers, body = canned.status, dict(canned.headers), canned.body
        lower = {k.lower(): v for k, v in headers.items()}
        if status == 200 and _not_modified(lower, req):
            status, body = 304, b""
        if "location" in lower:
            for k in list(headers):
                if k.lower() == "location":
                    headers[k] = absolute_location(headers[k], host)
        try:
            self.send_response(status)
            for k, v in headers.items():
                if k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if method != "HEAD" and status != 304:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _stream(self, stream: Stream, method: str) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(stream.size))
            self.end_headers()
            if method == "HEAD":
                return
            chunk = b"<title>Big</title>" + b"x" * (CHUNK - 18)
            sent = 0
            while sent < stream.size and not self.server.stopping.is_set():
                piece = chunk[: min(CHUNK, stream.size - sent)]
                self.wfile.write(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        self.close_connection = True


def _not_modified(headers: dict[str, str], req: dict[str, str]) -> bool:
    etag, inm = headers.get("etag"), req.get("if-none-match")
    if etag and inm and etag in [t.strip() for t in inm.split(",")]:
        return True
    lm, ims = headers.get("last-modified"), req.get("if-modified-since")
    return bool(lm and ims and lm == ims and not inm)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, sites_dir: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.sites_dir = sites_dir
        self.behaviours = Behaviours()
        self.stopping = threading.Event()
        self.requests: list[RequestLog] = []
        self._lock = threading.Lock()

    def log(self, entry: RequestLog) -> None:
        with self._lock:
            self.requests.append(entry)


class FixtureServer:
    """Context manager: the fixture web on 127.0.0.1, stopped on exit or after ``max_lifetime`` s."""

    def __init__(self, *, max_lifetime: float = 300.0, sites_dir: Path = SITES_DIR) -> None:
        self.max_lifetime = max_lifetime
        self.sites_dir = sites_dir
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []

    def start(self) -> FixtureServer:
        self._server = _Server(self.sites_dir)
        serve = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        watchdog = threading.Thread(target=self._watchdog, daemon=True)
        self._threads = [serve, watchdog]
        self.started_at = time.monotonic()
        for t in self._threads:
            t.start()
        return self

    def _watchdog(self) -> None:
        assert self._server is not None
        if not self._server.stopping.wait(self.max_lifetime):
            self.stop()

    def stop(self) -> None:
        server = self._server
        if server is None:
            return
        server.stopping.set()
        server.shutdown()
        server.server_close()

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def remap(self) -> str:
        """The ``--remap`` value that sends every http(s) URL here (host kept in the path)."""
        return rf"^https?://([^/]+)/(.*)$ {self.base}/\1/\2"

    def url(self, host: str, path: str = "/") -> str:
        return f"{self.base}/{host}{path if path.startswith('/') else '/' + path}"

    @property
    def requests(self) -> list[RequestLog]:
        assert self._server is not None
        with self._server._lock:
            return list(self._server.requests)
