"""Site routes: map ``/<host>/<path>?<query>`` to ``tests/fixtures/sites/<host>/<path>/``.

The format is the contract written in ``tests/fixtureserver/README.md`` (section 1).
Pure functions of the request path and the directory tree; no sockets here.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

SITES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "sites"
DEFAULT_LAST_MODIFIED = "Mon, 01 Sep 2025 00:00:00 GMT"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/atom+xml; charset=utf-8",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class Canned:
    """A response to send: status, headers, body bytes."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay_s: float = 0.0
    source: str = "default"


def split_request(path_qs: str) -> tuple[str, list[str], str]:
    """``/host/a/b?q`` → (host, [a, b], q); segments percent-decoded, empty ones dropped."""
    parts = urlsplit(path_qs)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if not segments:
        return "", [], parts.query
    return segments[0].lower(), segments[1:], parts.query


def _host_dirs(root: Path, host: str) -> list[Path]:
    alt = host[4:] if host.startswith("www.") else f"www.{host}"
    return [root / host, root / alt]


def _safe(segments: list[str]) -> bool:
    return all(s not in (".", "..") and "\x00" not in s for s in segments)


def _query_dir(base: Path, query: str) -> Path | None:
    qdir = base / "__query__"
    if not query or not qdir.is_dir():
        return None
    have = {(k, quote(v, safe="")) for k, v in parse_qsl(query, keep_blank_values=True)}
    best: tuple[int, str, Path] | None = None
    for cand in qdir.iterdir():
        if not cand.is_dir():
            continue
        pairs = set()
        for item in cand.name.split("&"):
            key, _, value = item.partition("=")
            pairs.add((unquote(key), value))
        if pairs <= have:
            score = (len(pairs), cand.name, cand)
            if best is None or score[:2] > best[:2]:
                best = score
    return best[2] if best else None


def find_dir(path_qs: str, root: Path = SITES_DIR) -> Path | None:
    """The fixture directory serving this request, or None (default page)."""
    host, segments, query = split_request(path_qs)
    if not host or not _safe([host, *segments]):
        return None
    for hdir in _host_dirs(root, host):
        base = hdir.joinpath(*segments) if segments else hdir
        if not base.is_dir():
            continue
        qdir = _query_dir(base, query)
        if qdir is not None and (qdir / "response.json").is_file():
            return qdir
        if (base / "response.json").is_file():
            return base
    return None


def _body_file(directory: Path, spec: dict) -> Path | None:
    name = spec.get("body")
    if name:
        return directory / name
    found = sorted(directory.glob("body.*"))
    return found[0] if found else None


def load_canned(directory: Path, method: str) -> Canned:
    """Read ``response.json`` (+ body) from a site directory, applying per-method overrides."""
    spec = json.loads((directory / "response.json").read_text(encoding="utf-8"))
    override = (spec.get("methods") or {}).get(method.upper(), {})
    merged = {**spec, **override}
    headers = {**(spec.get("headers") or {}), **(override.get("headers") or {})}
    body_path = _body_file(directory, merged)
    body = body_path.read_bytes() if body_path and body_path.is_file() else b""
    if body_path is not None and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = _TYPES.get(body_path.suffix.lower()) or (
            mimetypes.guess_type(body_path.name)[0] or "application/octet-stream"
        )
    return Canned(
        status=int(merged.get("status", 200)),
        headers=headers,
        body=body,
        delay_s=min(float(merged.get("delay_s", 0) or 0), 5.0),
        source=str(directory),
    )


#: a 1×1 transparent PNG (the default for image paths)
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def default_pdf(title: str) -> bytes:
    """A tiny valid PDF whose Info dictionary carries ``title``."""
    safe = title.replace("\\", "").replace("(", "").replace(")", "")
    return (
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        "2 0 obj<</Type/Pages/Count 1/Kids[3 0 R]>>endobj\n"
        "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
        f"4 0 obj<</Title({safe})>>endobj\ntrailer<</Root 1 0 R/Info 4 0 R>>\n%%EOF\n"
    ).encode("latin-1", "replace")


def default_page(path_qs: str) -> Canned:
    """The 200 answer for any URL without a fixture (README §3).

    HTML titled ``Fixture: host/path``; a path ending ``.pdf`` gets a tiny PDF with that
    title, an image path a 1-pixel PNG.
    """
    host, segments, _ = split_request(path_qs)
    label = "/".join([host, *segments]) if host else "/"
    from html import escape

    etag = '"' + hashlib.sha1(label.encode()).hexdigest()[:16] + '"'
    validators = {"ETag": etag, "Last-Modified": DEFAULT_LAST_MODIFIED}
    last = segments[-1].lower() if segments else ""
    if last.endswith(".pdf"):
        return Canned(status=200, headers={"Content-Type": "application/pdf", **validators},
                      body=default_pdf(f"Fixture: {label}"))
    if last.endswith((".png", ".jpg", ".jpeg", ".gif", ".webp")):
        return Canned(status=200, headers={"Content-Type": "image/png", **validators}, body=PNG_1PX)
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Fixture: {escape(label)}</title></head>"
        f"<body><h1>{escape(label)}</h1></body></html>"
    ).encode()
    return Canned(status=200, headers={"Content-Type": "text/html; charset=utf-8", **validators}, body=body)


def absolute_location(location: str, host: str) -> str:
    """A Location starting with ``/`` becomes ``https://<host><location>`` (README §1)."""
    if location.startswith("/") and not location.startswith("//"):
        return f"https://{host}{location}"
    return location
