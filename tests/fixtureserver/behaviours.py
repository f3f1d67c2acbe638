"""Behaviour routes ``/<any host>/_/<name>`` (README section 2): hostile and edge cases.

Each handler returns a :class:`~tests.fixtureserver.sites.Canned` or a special marker
for the streaming/hanging cases, which the server itself performs.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

from tests.fixtureserver.sites import DEFAULT_LAST_MODIFIED, Canned

BIG_SIZE = 200 * 1024 * 1024
HTML = "text/html; charset=utf-8"


class Stream:
    """Marker: stream ``size`` bytes of HTML-ish filler without holding them."""

    def __init__(self, size: int) -> None:
        self.size = size


class Hang:
    """Marker: accept the request and never answer."""


def _page(title: str, body: str = "", status: int = 200, **headers: str) -> Canned:
    html = f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'
    return Canned(status=status, headers={"Content-Type": HTML, **headers}, body=html.encode())


_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 1/Kids[3 0 R]>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class Behaviours:
    """Holds the per-route "seen once" state (thread-safe)."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def _first(self, key: str) -> bool:
        with self._lock:
            if key in self._seen:
                return False
            self._seen.add(key)
            return True

    def handle(
        self, name: str, rest: list[str], path_qs: str, method: str, headers: Mapping[str, str], host: str
    ) -> Canned | Stream | Hang | None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(path_qs).query).items()}
        key = path_qs
        if name == "ok":
            return _page("OK page", "<p>fine</p>")
        if name == "status" and rest:
            code = int(rest[0])
            return _page(f"Status {code}", status=code)
        if name == "redirect" and rest:
            return Canned(status=int(rest[0]), headers={"Location": query.get("to", f"https://{host}/_/ok")})
        if name == "chain" and rest:
            codes = [int(c) for c in rest[0].split(",") if c]
            step = int(query.get("step", "0"))
            if step >= len(codes):
                return _page("Chain end", "<p>end</p>")
            nxt = f"https://{host}/_/chain/{rest[0]}?step={step + 1}"
            return Canned(status=codes[step], headers={"Location": nxt})
        if name == "loop":
            return Canned(status=302, headers={"Location": f"https://{host}/_/loop"})
        if name == "redirect-private":
            return Canned(status=302, headers={"Location": "http://10.0.0.1/secret"})
        if name == "big":
            return Stream(BIG_SIZE)
        if name == "hang":
            return Hang()
        if name == "slow":
            return Canned(status=200, headers={"Content-Type": HTML}, body=b"<title>Slow</title>",
                          delay_s=min(float(query.get("s", "1")), 30.0))
        if name == "retry-after":
            if self._first(key):
                return _page("Too many", status=429, **{"Retry-After": query.get("s", "1")})
            return _page("After retry")
        if name == "503-once":
            if self._first(key):
                return _page("Unavailable", status=503)
            return _page("Back again")
        if name == "ua-403":
            ua = headers.get("user-agent", "")
            if ua.startswith("Mozilla/") and "trilha" not in ua.lower():
                return _page("Browser page")
            return _page("Forbidden", "<p>bots not welcome</p>", status=403)
        if name == "head-405":
            if method == "HEAD":
                return Canned(status=405, headers={"Allow": "GET"})
            return _page("GET only")
        if name == "soft-404":
            return _page("Page not found", "<h1>Sorry, that page does not exist</h1>")
        if name == "yt-unavailable":
            return _page("YouTube", '<div id="player">Video unavailable</div>'
                         '<script>var ytInitialPlayerResponse = {"playabilityStatus":{"status":"ERROR",'
                         '"reason":"Video unavailable"}};</script>')
        if name == "hostile-title":
            return _page('<script>alert(1)</script>Evil &amp; "quoted"')
        if name == "latin1":
            body = '<html><head><title>Ciência</title></head><body>dados</body></html>'.encode("latin-1")
            return Canned(status=200, headers={"Content-Type": "text/html; charset=iso-8859-1"}, body=body)
        if name == "etag":
            return _page("Stable page", "<p>same</p>", ETag='"fixed-v1"', **{"Last-Modified": DEFAULT_LAST_MODIFIED})
        if name == "pdf":
            return Canned(status=200, headers={"Content-Type": "application/pdf"}, body=_PDF)
        if name == "html-as-pdf":
            return _page("Not a PDF")
        if name == "anchors":
            return _page("Anchors", '<h2 id="present">x</h2><a name="named"></a>'
                         '<h2 id="user-content-readme-anchor">y</h2>')
        if name == "login":
            return _page("Sign in", '<form action="/session"><input name="password" type="password"></form>')
        return None
