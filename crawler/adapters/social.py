"""X/Twitter, LinkedIn and Medium / Towards Data Science: what can honestly be told.

* X/Twitter (research A8 [S81][S82]): the web app needs JavaScript for every client, so
  pages are never fetched.  Tweets (``/<user>/status/<id>``) go to
  ``https://publish.twitter.com/oembed?url=…`` (real capture
  ``tests/fixtures/real/twitter_publish_oembed__tweets__vcr_2020-11.yml``: 200 JSON with
  ``url``, ``author_name``, ``author_url``, ``html``): 200 → ``ok`` + author; 404 → ``dead``
  (expected answer for a deleted tweet: UNVERIFIED in the research, the old v1.1 API
  answered 404); 403 → ``blocked`` (protected or suspended); anything else →
  ``unverifiable``.  Profiles (``/<user>``) → ``unverifiable`` ("login wall"): oEmbed
  builds a timeline embed for any name, so even its 200 proves nothing; its
  ``author_name`` is kept as metadata when present.
* LinkedIn [S80]: HTTP 999 "Request denied", 401/403 or a redirect to ``/authwall`` →
  ``unverifiable`` with the reason; never ``dead`` (a 404 to a logged-out client is not
  proof either).  A 200 page gives generic metadata.
* Medium and towardsdatascience.com [S83][S84]: 403 → ``blocked`` (bot wall); 404 →
  ``dead``; a TDS 404 suggests ``https://medium.com/p/<12-hex post id>`` (roadmap.sh moved
  its TDS links to their medium.com copies [S83]; the redirect itself is UNVERIFIED).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote, urlsplit

from crawler.adapters.base import ApiCall, Assessment, Exchange
from crawler.adapters.generic import PAGE_MAX_BYTES, page_meta, soft_404
from crawler.adapters.htmlmeta import extract
from crawler.adapters.util import base_meta, clean_text, known_site_id, not_modified, ok_status, parse_json
from trilha.model import ResourceKind, Verdict

X_HOSTS = frozenset({"twitter.com", "www.twitter.com", "mobile.twitter.com", "x.com", "www.x.com"})
LINKEDIN_HOSTS = frozenset({"linkedin.com", "www.linkedin.com", "br.linkedin.com", "pt.linkedin.com"})
TDS_HOSTS = frozenset({"towardsdatascience.com", "www.towardsdatascience.com"})
X_OEMBED = "https://publish.twitter.com/oembed"
X_RESERVED = frozenset({"home", "explore", "search", "i", "intent", "share", "hashtag", "settings", "login"})
_MEDIUM_ID = re.compile(r"-([0-9a-f]{10,12})/?$")


def network(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").lower()
    if host in X_HOSTS:
        return "x"
    if host in LINKEDIN_HOSTS or host.endswith(".linkedin.com"):
        return "linkedin"
    if host in TDS_HOSTS:
        return "tds"
    if host == "medium.com" or host.endswith(".medium.com"):
        return "medium"
    return None


def parse_x(url: str) -> tuple[str, str, str | None] | None:
    """("tweet", user, id) | ("profile", user, None)."""
    segs = [s for s in urlsplit(url).path.split("/") if s]
    if len(segs) >= 3 and segs[1] in ("status", "statuses") and segs[2].isdigit():
        return "tweet", segs[0], segs[2]
    if len(segs) == 1 and segs[0].lower() not in X_RESERVED:
        return "profile", segs[0], None
    return None


def medium_post_id(url: str) -> str | None:
    match = _MEDIUM_ID.search(urlsplit(url).path)
    return match.group(1) if match else None


def _sid(url: str) -> tuple[str | None, ResourceKind]:
    net = network(url)
    if net == "x":
        parsed = parse_x(url)
        if parsed and parsed[0] == "tweet":
            return f"x:{parsed[1].lower()}/status/{parsed[2]}", ResourceKind.POST
        if parsed:
            return f"x:@{parsed[1].lower()}", ResourceKind.PERSON
        return None, ResourceKind.PAGE
    if net == "linkedin":
        segs = [s for s in urlsplit(url).path.split("/") if s]
        kind = ResourceKind.PERSON if segs[:1] in (["in"], ["company"]) else ResourceKind.POST
        return (f"linkedin:{'/'.join(segs[:2])}" if segs else None), kind
    post = medium_post_id(url)
    return (f"medium:{post}" if post else None), ResourceKind.POST


class SocialAdapter:
    name = "social"

    def matches(self, url: str) -> bool:
        return network(url) is not None

    def first_request(self, url: str) -> ApiCall:
        if network(url) == "x":
            parsed = parse_x(url)
            if parsed is not None:
                return ApiCall(
                    url=f"{X_OEMBED}?url={quote(url, safe='')}&omit_script=true&dnt=true",
                    purpose="oembed",
                    headers={"Accept": "application/json"},
                    max_bytes=64 * 1024,
                )
        return ApiCall(url=url, purpose="page", max_bytes=PAGE_MAX_BYTES)

    def assess(self, url: str, exchanges: Sequence[Exchange]) -> Assessment | ApiCall:
        if (unchanged := not_modified(exchanges)) is not None:
            return unchanged
        net = network(url)
        sid, kind = _sid(url)
        sid = known_site_id(url) or sid
        fetched = exchanges[-1].fetched
        if net == "x":
            return _assess_x(url, fetched, sid, kind)
        if net == "linkedin":
            return _assess_linkedin(url, fetched, sid, kind)
        return _assess_medium(url, net or "medium", fetched, sid, kind)


def _assess_x(url, fetched, sid, kind) -> Assessment:
    parsed = parse_x(url)
    data = parse_json(fetched) if fetched.status == 200 else None
    author = clean_text(data.get("author_name")) if isinstance(data, dict) else None
    author_url = clean_text(data.get("author_url")) if isinstance(data, dict) else None
    if parsed is None or parsed[0] == "profile":
        meta = base_meta(sid, kind, title=author, channel=author, channel_url=author_url)
        return Assessment(
            verdict=Verdict.UNVERIFIABLE,
            meta=meta,
            reason="X profile: login wall, cannot be checked without an account",
        )
    if fetched.status == 200 and isinstance(data, dict):
        html = data.get("html") if isinstance(data.get("html"), str) else ""
        text = extract(f"<html><body>{html}</body></html>", url) if html else None
        body = _tweet_text(html)
        meta = base_meta(
            sid,
            kind,
            title=body or (f"Tweet by {author}" if author else None),
            channel=author,
            channel_url=author_url,
            authors=(author,) if author else (),
            canonical_url=clean_text(data.get("url")) or url,
            extra={"fingerprint": text.fingerprint} if text else {},
        )
        return Assessment(verdict=Verdict.OK, meta=meta)
    stub = base_meta(sid, kind)
    if fetched.status == 404:
        return Assessment(
            verdict=Verdict.DEAD,
            reason="X oEmbed 404: tweet deleted or account gone",
            meta=stub,
            want_archive=True,
        )
    if fetched.status == 403:
        return Assessment(
            verdict=Verdict.BLOCKED, reason="X oEmbed 403: protected or suspended account", meta=stub
        )
    what = fetched.status if fetched.status is not None else fetched.failure
    return Assessment(
        verdict=Verdict.UNVERIFIABLE, reason=f"X oEmbed answered {what}: cannot tell", meta=stub
    )


def _tweet_text(html: str) -> str | None:
    """The tweet's text from the oEmbed blockquote (its first ``<p>``)."""
    match = re.search(r"<p[^>]*>(.*?)</p>", html, re.S)
    if not match:
        return None
    return clean_text(
        re.sub(r"<[^>]+>", " ", match.group(1))
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#39;", "'"),
        limit=280,
    )


def _assess_linkedin(url, fetched, sid, kind) -> Assessment:
    final_path = urlsplit(fetched.url).path if fetched.url else ""
    if fetched.status in (999, 401, 403, 429) or "authwall" in final_path or "/login" in final_path:
        what = "redirected to the login wall" if fetched.status == 200 else f"HTTP {fetched.status}"
        return Assessment(
            verdict=Verdict.UNVERIFIABLE,
            meta=base_meta(sid, kind),
            reason=f"LinkedIn {what}: login wall, cannot be checked",
        )
    if fetched.status in (404, 410):
        return Assessment(
            verdict=Verdict.UNVERIFIABLE,
            meta=base_meta(sid, kind),
            reason=f"LinkedIn {fetched.status} to a logged-out client is not proof of removal",
        )
    meta, _pm = page_meta(url, fetched, kind)
    meta = base_meta(
        sid,
        kind,
        title=meta.title,
        description=meta.description,
        language=meta.language,
        canonical_url=meta.canonical_url,
        content_type=meta.content_type,
    )
    return Assessment(verdict=None, reason=fetched.failure, meta=meta)


def _assess_medium(url, net, fetched, sid, kind) -> Assessment:
    post = medium_post_id(url)
    if fetched.status == 403:
        return Assessment(verdict=Verdict.BLOCKED, reason="Medium 403: bot wall", meta=base_meta(sid, kind))
    if fetched.status in (404, 410):
        suggested = f"https://medium.com/p/{post}" if post and net == "tds" else None
        return Assessment(
            verdict=Verdict.DEAD,
            meta=base_meta(sid, kind),
            suggested_url=suggested,
            want_archive=True,
            reason=f"{'towardsdatascience.com' if net == 'tds' else 'Medium'} {fetched.status}"
            + ("; the post may live on at medium.com/p/" + post if suggested else ""),
        )
    meta, pm = page_meta(url, fetched, kind)
    meta = base_meta(
        sid,
        kind,
        title=meta.title,
        description=meta.description,
        authors=meta.authors,
        published=meta.published,
        language=meta.language,
        canonical_url=meta.canonical_url,
        content_type=meta.content_type,
        extra={"post_id": post} if post else {},
    )
    if ok_status(fetched) and pm is not None:
        finding = soft_404(url, fetched, pm)
        if finding is not None:
            return Assessment(
                verdict=finding[0], reason=finding[1], meta=meta, want_archive=finding[0] == Verdict.SOFT_404
            )
    return Assessment(verdict=None, reason=fetched.failure, meta=meta)


ADAPTER = SocialAdapter()
