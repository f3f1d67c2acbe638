"""PDF adapter: links whose path ends in ``.pdf``.

One ``GET`` that stops after the first 64 KiB (``max_bytes``): enough for the ``%PDF-``
header (ISO 32000-1 §7.5.2: the file begins with ``%PDF-1.n``), the linearization
dictionary of a "fast web view" file (``/Linearized 1 … /N <page count>``, ISO 32000-1
Annex F.2.2) and, when the writer put it early, the document information dictionary's
``/Title (…)`` (§14.3.3).  Nothing heavier: no PDF library, no full download.

Findings: an HTML page where a PDF was expected (a login page, a "not found" page, a
publisher's landing page) is ``soft-404`` with the reason; a body that is neither PDF nor
HTML is reported as data (``content_type``) and left to the generic classifier.
Size comes from ``Content-Length`` (or the total of ``Content-Range``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from crawler.adapters.base import ApiCall, Assessment, Exchange, Fetched
from crawler.adapters.generic import page_meta
from crawler.adapters.util import (
    base_meta,
    clean_text,
    content_type,
    header,
    looks_like_html,
    not_modified,
    ok_status,
    to_int,
)
from trilha.model import ResourceKind, ResourceMeta, Verdict

PDF_MAX_BYTES = 64 * 1024
_LINEARIZED_PAGES = re.compile(rb"/Linearized\s+[\d.]+.{0,400}?/N\s+(\d+)", re.S)
_TITLE_LITERAL = re.compile(rb"/Title\s*\(((?:\\.|[^\\)])*)\)", re.S)
_TITLE_HEX = re.compile(rb"/Title\s*<([0-9A-Fa-f\s]+)>")
_ESCAPES = {
    b"n": b"\n",
    b"r": b"\r",
    b"t": b"\t",
    b"b": b"\b",
    b"f": b"\f",
    b"(": b"(",
    b")": b")",
    b"\\": b"\\",
}


def is_pdf(fetched: Fetched) -> bool:
    return fetched.body[:1024].lstrip().startswith(b"%PDF-")


def _decode_pdf_string(raw: bytes) -> str | None:
    """PDF text string → str: UTF-16BE with BOM, else PDFDocEncoding (≈ Latin-1)."""
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", errors="replace")
    return raw.decode("latin-1")


def pdf_title(head: bytes) -> str | None:
    """The ``/Title`` of the info dictionary, if it appears in these first bytes."""
    match = _TITLE_LITERAL.search(head)
    if match:
        raw = re.sub(rb"\\([nrtbf()\\])", lambda m: _ESCAPES[m.group(1)], match.group(1))
        raw = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8) & 0xFF]), raw)
        return clean_text(_decode_pdf_string(raw), limit=500)
    match = _TITLE_HEX.search(head)
    if match:
        hexstr = re.sub(rb"\s", b"", match.group(1))
        try:
            return clean_text(_decode_pdf_string(bytes.fromhex(hexstr.decode("ascii"))), limit=500)
        except ValueError:
            return None
    return None


def pdf_pages(head: bytes) -> int | None:
    match = _LINEARIZED_PAGES.search(head[:4096])
    return int(match.group(1)) if match else None


def pdf_size(fetched: Fetched) -> int | None:
    content_range = header(fetched, "content-range") or ""
    if "/" in content_range and content_range.rsplit("/", 1)[1].strip().isdigit():
        return int(content_range.rsplit("/", 1)[1])
    size = to_int(header(fetched, "content-length"))
    if size is None and not fetched.truncated and fetched.body and is_pdf(fetched):
        return len(fetched.body)
    return size


def pdf_meta(fetched: Fetched, sid: str | None = None, kind: ResourceKind = ResourceKind.PDF) -> ResourceMeta:
    head = fetched.body[:PDF_MAX_BYTES]
    version = re.match(rb"\s*%PDF-(\d\.\d)", head)
    extra = {"pdf_version": version.group(1).decode()} if version else {}
    pages = pdf_pages(head)
    if pages is not None:
        extra["pages"] = pages
    return base_meta(
        sid,
        kind,
        title=pdf_title(head),
        content_type=content_type(fetched) or None,
        size_bytes=pdf_size(fetched),
        extra=extra,
    )


class PdfAdapter:
    name = "pdf"

    def matches(self, url: str) -> bool:
        return urlsplit(url).path.lower().endswith(".pdf")

    def first_request(self, url: str) -> ApiCall:
        return ApiCall(url=url, purpose="page", max_bytes=PDF_MAX_BYTES)

    def assess(self, url: str, exchanges: Sequence[Exchange]) -> Assessment | ApiCall:
        if (unchanged := not_modified(exchanges)) is not None:
            return unchanged
        fetched = exchanges[-1].fetched
        if fetched.status is None or not ok_status(fetched):
            return Assessment(
                verdict=None,
                reason=fetched.failure,
                meta=base_meta(None, ResourceKind.PDF, content_type=content_type(fetched) or None),
            )
        if is_pdf(fetched):
            return Assessment(verdict=None, meta=pdf_meta(fetched))
        if fetched.body and looks_like_html(fetched):
            meta, _pm = page_meta(url, fetched, ResourceKind.PAGE)
            return Assessment(
                verdict=Verdict.SOFT_404,
                meta=meta,
                want_archive=True,
                reason=f"expected a PDF, got an HTML page ({meta.title or 'untitled'})",
            )
        if fetched.body:
            return Assessment(
                verdict=None,
                reason="not a PDF (no %PDF- header)",
                meta=base_meta(
                    None,
                    ResourceKind.PAGE,
                    content_type=content_type(fetched) or None,
                    size_bytes=pdf_size(fetched),
                ),
            )
        # HEAD or empty body: trust the content type
        return Assessment(
            verdict=None,
            meta=base_meta(
                None,
                ResourceKind.PDF,
                size_bytes=pdf_size(fetched),
                content_type=content_type(fetched) or None,
            ),
        )


ADAPTER = PdfAdapter()
