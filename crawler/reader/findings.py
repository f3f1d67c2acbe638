"""Malformed and suspicious link targets: findings with proposed repairs, never exceptions.

The URL *as written* is what gets resolved and checked; a finding's ``repair`` is only the
suggested fix (each repair builds on the previous one, so the last is the full fix).
Codes (documented in docs/reader.md):

``empty-target``        ``[x]()``
``space-in-url``        whitespace inside the target (``<a b>`` destinations allow it)
``stray-bracket``       an unbalanced ``]``/``[``/``)``/``(``/``>``/``<`` at either end
                        (``watch?v=ID]`` → ``watch?v=ID``)
``missing-scheme``      ``www.x.com/…`` or ``x.com/…`` written without ``https://``
``bare-number``         a target that is only digits: a valid relative URL, resolved, but suspicious
``mojibake``            mis-decoded text inside a (percent-encoded) URL or anchor
``relative-unresolved`` a relative target and no base URL to resolve it against
``not-web``             a scheme other than http/https (mailto:, javascript:, ftp:, …): not crawled
``invalid-url``         a target ``urllib.parse`` cannot parse (e.g. a broken IPv6 host)
``missing-anchor``      a link to one of the list's own headings that does not exist
                        (added by the reader, which knows the headings)
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit

from trilha.model import Finding

from ..urls import split_url
from .mojibake import repair_fragment

_PAIRS = {"]": "[", ")": "(", ">": "<"}
_OPENERS = {v: k for k, v in _PAIRS.items()}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HOSTLIKE = re.compile(
    r"^(?:www\.[^/\s]+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|ai|dev|co|edu|gov|br|me|app|info)"
    r")(?:[/?#:]|$)",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
_BRACKETS = frozenset("[]()<>")
_SAFE = "/:?#[]@!$&'()*+,;=%-._~"


@dataclass(frozen=True, slots=True)
class Assessed:
    url: str | None                    # absolute URL to check (None: cannot be resolved)
    fragment: str | None
    findings: tuple[Finding, ...]


def _strip_stray(url: str) -> str:
    """Remove unbalanced bracket characters from both ends."""
    changed = True
    while changed and url:
        changed = False
        last = url[-1]
        if last in _PAIRS and url.count(_PAIRS[last]) < url.count(last):
            url, changed = url[:-1], True
            continue
        first = url[0]
        if first in _OPENERS and url.count(_OPENERS[first]) < url.count(first):
            url, changed = url[1:], True
    return url


def inspect_target(written: str) -> list[Finding]:
    """Findings about the written target itself (independent of any base URL)."""
    out: list[Finding] = []
    current = written
    if not written.strip():
        return [Finding(code="empty-target", message="the link has an empty target")]
    if _SPACE.search(current):
        current = _SPACE.sub("%20", current.strip())
        out.append(Finding(code="space-in-url", message="the URL contains whitespace", repair=current))
    stripped = _strip_stray(current) if (current[0] in _BRACKETS or current[-1] in _BRACKETS) else current
    if stripped != current:
        start = current.find(stripped)
        removed = current[:start] + current[start + len(stripped):]
        current = stripped
        out.append(Finding(code="stray-bracket", message=f"stray {removed} in the URL", repair=current or None))
    if not _SCHEME.match(current) and not current.startswith(("/", "#", ".")) and _HOSTLIKE.match(current):
        current = "https://" + current
        out.append(Finding(code="missing-scheme", message="the URL has no scheme (https:// assumed)",
                           repair=current))
    if current.isdigit():
        out.append(Finding(code="bare-number",
                           message=f"the target is a bare number ({current}); it is resolved as a relative "
                                   "URL but is probably a mistake"))
    decoded = unquote(current) if "%" in current else current
    fixed = None if decoded.isascii() else repair_fragment(decoded)
    if fixed is not None:
        repaired = quote(fixed, safe=_SAFE) if "%" in current else fixed
        current = repaired
        out.append(Finding(code="mojibake", message=f"mis-decoded text in the URL ({decoded!r})",
                           repair=current))
    return out


@lru_cache(maxsize=65536)
def resolve(written: str, base_url: str | None) -> Assessed:
    """Resolve the written target (as written) and collect its findings (pure: cached)."""
    findings = inspect_target(written)
    target = written.strip()
    if not target:
        return Assessed(None, None, tuple(findings))
    fragment = target.split("#", 1)[1] if "#" in target else None
    try:
        parts = split_url(target)
        scheme = parts.scheme.lower()
        if scheme:
            url: str | None = target
        elif target.startswith("//"):
            url = urljoin(base_url or "https:", target)
        elif base_url:
            url = urljoin(base_url, target)
        else:
            url = None
            if not target.startswith("#"):
                findings.append(Finding(code="relative-unresolved",
                                        message="relative link and the list has no base URL"))
        if url is not None:
            split = parts if url is target else urlsplit(url)
            scheme = split.scheme.lower()
            if ":" in split.netloc:
                split.port  # noqa: B018  (raises ValueError on a bad port; none without ":")
            if scheme not in ("http", "https"):
                findings.append(Finding(code="not-web", message=f"{scheme}: link, not crawled"))
    except ValueError as exc:
        findings.append(Finding(code="invalid-url", message=f"the URL cannot be parsed ({exc})"))
        url = None
    return Assessed(url, fragment or None, tuple(findings))
