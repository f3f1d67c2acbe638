"""THE one place where a verdict is decided from an HTTP status or a failure.

Adapters may conclude themselves (:class:`crawler.adapters.base.Assessment` with a
verdict); when they say ``None`` the spider calls :func:`decide`, which reads the last
exchange here.  The names are :class:`trilha.model.Verdict`; their meaning is written
down in ``docs/verdicts.md`` (status codes: RFC 9110 §15; 999 is LinkedIn's bot answer).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from crawler.adapters.base import Assessment, Fetched
from trilha.model import Verdict

PERMANENT = frozenset({301, 308})
TEMPORARY = frozenset({302, 303, 307})
BLOCKED_STATUSES = frozenset({401, 403, 407, 429, 451, 999})
DEAD_STATUSES = frozenset({404, 410})
#: statuses worth a retry (then ``error``/``blocked`` if they persist)
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})

#: failure codes (``Fetched.failure``) → verdict.  "network" failures may turn into
#: ``offline`` when the crawl as a whole had no network (crawler.offline).
FAILURES: dict[str, Verdict] = {
    "dns": Verdict.DEAD,          # the name does not exist (NXDOMAIN): also what "offline" looks like
    "refused": Verdict.DEAD,      # nothing listens there
    "unreachable": Verdict.DEAD,  # no route to the host
    "loop": Verdict.DEAD,         # a redirect loop / too many redirects
    "timeout": Verdict.TIMEOUT,
    "tls": Verdict.ERROR,
    "toobig": Verdict.ERROR,
    "reset": Verdict.ERROR,
    "protocol": Verdict.ERROR,
    "private": Verdict.SKIPPED,   # private/loopback/link-local address refused
    "scheme": Verdict.SKIPPED,    # not http(s)
    "excluded": Verdict.SKIPPED,
    "malformed": Verdict.MALFORMED,
}
NETWORK_FAILURES = frozenset({"dns", "refused", "unreachable", "timeout"})

_FAILURE_REASONS = {
    "dns": "dns: name not found",
    "refused": "connection refused",
    "unreachable": "host unreachable",
    "loop": "redirect loop",
    "timeout": "timed out",
    "tls": "TLS error",
    "toobig": "response larger than the size cap",
    "reset": "connection reset",
    "private": "private address refused (use --allow-private)",
}
_ARXIV_PDF = re.compile(r"^/pdf/(.+?)(?:\.pdf)?$")


def same_resource(a: str, b: str) -> bool:
    """Whether a redirect from ``a`` to ``b`` stays on the same resource (not a move).

    Scheme (http→https), a leading ``www.``, a trailing slash, the default port and
    arXiv's ``/pdf/ID.pdf`` → ``/pdf/ID`` do not change the resource.
    """
    return _key(a) == _key(b)


def _key(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    path = parts.path or "/"
    if host.endswith("arxiv.org"):
        m = _ARXIV_PDF.match(path)
        if m:
            path = f"/pdf/{m.group(1)}"
    path = path.rstrip("/") or "/"
    return urlunsplit(("", host, path, parts.query, ""))


def _is_home(original: str, final: str) -> bool:
    o, f = urlsplit(original), urlsplit(final)
    return (f.path in ("", "/") and not f.query) and o.path not in ("", "/")


def classify_failure(failure: str) -> tuple[Verdict, str]:
    """A request that got no HTTP answer: ``dns``, ``refused``, ``timeout``, ``loop``, …"""
    code = failure.split(":", 1)[0].strip()
    verdict = FAILURES.get(code, Verdict.ERROR)
    return verdict, _FAILURE_REASONS.get(code, failure)


def classify_response(url: str, fetched: Fetched) -> tuple[Verdict, str | None, str | None]:
    """(verdict, reason, suggested_url) for the last exchange of a resource.

    ``url`` is the identity requested; ``fetched.redirects`` the hops (identities).
    """
    if fetched.status is None:
        verdict, reason = classify_failure(fetched.failure or "error")
        return verdict, reason, None
    status = fetched.status
    if 200 <= status < 300 or status == 304:
        return _after_redirects(url, fetched)
    if status in DEAD_STATUSES:
        return Verdict.DEAD, str(status), None
    if status in BLOCKED_STATUSES:
        return Verdict.BLOCKED, f"{status}" + (" (LinkedIn bot answer)" if status == 999 else ""), None
    if status >= 500:
        return Verdict.ERROR, str(status), None
    if 300 <= status < 400:
        return Verdict.ERROR, f"{status} without a usable Location", None
    return Verdict.ERROR, str(status), None


def _after_redirects(url: str, fetched: Fetched) -> tuple[Verdict, str | None, str | None]:
    hops = list(fetched.redirects)
    final = fetched.url
    if not hops or same_resource(url, final):
        return Verdict.OK, None, None
    if _is_home(url, final):
        return Verdict.SOFT_404, "redirected to the home page", None
    codes = [code for _u, code in hops]
    if all(code in PERMANENT for code in codes):
        return Verdict.MOVED, f"moved ({', '.join(map(str, codes))}) to {final}", final
    if any(code in PERMANENT for code in codes) and codes[-1] in PERMANENT:
        return Verdict.MOVED, f"permanent redirect to {final}", final
    return Verdict.REDIRECTED, f"redirected ({', '.join(map(str, codes))}) to {final}", None


def decide(
    url: str, assessment: Assessment | None, fetched: Fetched
) -> tuple[Verdict, str | None, str | None]:
    """Verdict for a resource: the adapter's own when it has one, else the status reading."""
    verdict, reason, suggested = classify_response(url, fetched)
    if assessment is None or assessment.verdict is None:
        if assessment is not None and assessment.reason and verdict in (Verdict.OK, Verdict.ERROR):
            reason = reason or None
        return verdict, reason, (assessment.suggested_url if assessment and assessment.suggested_url else suggested)
    return (
        assessment.verdict,
        assessment.reason or reason,
        assessment.suggested_url or (suggested if assessment.verdict == Verdict.MOVED else None),
    )


def wants_archive(verdict: Verdict) -> bool:
    """Verdicts that get a Wayback snapshot lookup."""
    return verdict in (Verdict.DEAD, Verdict.SOFT_404, Verdict.MOVED)
