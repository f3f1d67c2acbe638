"""YouTube adapter: videos, playlists and channels.

Requests (research A2, shared/research/metadata-sources.md):

1. videos and playlists: oEmbed ``https://www.youtube.com/oembed?url=<watch URL>&format=json``
   (fields title, author_name, author_url: real capture
   ``tests/fixtures/real/youtube_oembed__ok_and_private_403__vcr_2024-02.yml`` [S20]);
2. the watch page (cookie ``SOCS=CAI`` skips the EU consent wall, as yt-dlp does [S26]) only
   when oEmbed cannot tell: 401, 400, 404 (confirmation), 429/5xx, a body that is not JSON;
3. channels: the channel page itself (``ytInitialData``), never oEmbed (404 for channels [S24]).

oEmbed statuses [S20][S22][S23]: 200 → ``ok`` (title, channel); 401 → the video exists,
embedding disabled → ``ok`` + watch page for metadata; 403 → private → ``blocked``
("private video": exists, not viewable; never dead); 404 → gone, confirmed on the watch
page → ``dead``; 400 → a malformed ID (e.g. the stray ``]``) → the watch page decides.
A 403 body is the bare text ``Forbidden`` under ``Content-Type: application/json``
(2024 capture) and in Dec 2020 a 200 carried it [S21]: bodies are parsed defensively.

Watch page: ``ytInitialPlayerResponse.playabilityStatus.status`` (yt-dlp names [S26][S27]):
``OK`` → ok; ``ERROR`` ("Video unavailable") → ``soft-404`` (``dead`` when oEmbed said 404);
``LOGIN_REQUIRED`` → ``blocked`` (private, age gate or bot check: never dead);
``UNPLAYABLE`` → ``blocked`` (region/age) unless oEmbed proved it exists; a page without
player JSON (consent wall, captcha) → ``blocked``.  Duration: ``videoDetails.lengthSeconds``
or ``<meta itemprop="duration" content="PT…">``.  Channels and playlists:
``ytInitialData.alerts[].alertRenderer{type: "ERROR"}`` → soft-404; a redirect to the
home page → soft-404; 404 → dead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from crawler.adapters.base import ApiCall, Assessment, Exchange, Fetched
from crawler.adapters.util import (
    base_meta,
    clean_text,
    decode_html,
    known_site_id,
    not_modified,
    ok_status,
    parse_json,
    status_verdict,
)
from crawler.adapters.ytpage import assess_listing, embedded_json, get, is_home, player_meta, runs_text
from trilha.model import ResourceKind, Verdict

HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "youtu.be",
        "music.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
OEMBED = "https://www.youtube.com/oembed"
WATCH_HEADERS = {"Cookie": "SOCS=CAI", "Accept-Language": "en"}
PAGE_MAX_BYTES = 1536 * 1024


# ---------------------------------------------------------------- URL forms


def parse_url(url: str) -> tuple[str, str] | None:
    """("video", id) | ("playlist", id) | ("channel", "@handle" | "channel/UC…" | "c/name" | "user/name")."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host not in HOSTS:
        return None
    segs = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    if host == "youtu.be":
        return ("video", segs[0]) if segs else None
    if segs[:1] == ["watch"] and query.get("v"):
        return "video", query["v"][0]
    if len(segs) >= 2 and segs[0] in ("shorts", "embed", "live", "v", "e"):
        return (
            ("playlist", query["list"][0])
            if segs[1] == "videoseries" and query.get("list")
            else ("video", segs[1])
        )
    if segs[:1] == ["playlist"] and query.get("list"):
        return "playlist", query["list"][0]
    if segs and segs[0].startswith("@"):
        return "channel", segs[0]
    if len(segs) >= 2 and segs[0] in ("c", "channel", "user"):
        return "channel", f"{segs[0]}/{segs[1]}"
    return None


def site_id(form: str, ident: str) -> str:
    if form == "video":
        return f"youtube:{ident}"
    if form == "playlist":
        return f"youtube:playlist:{ident}"
    return f"youtube:{ident.replace('/', ':')}" if not ident.startswith("@") else f"youtube:{ident}"


def repaired_video_url(ident: str) -> str | None:
    """``"DQc2Mi7BcuI]"`` → the watch URL of the 11-character ID it starts with."""
    match = re.match(r"^([A-Za-z0-9_-]{11})[^A-Za-z0-9_-]", ident)
    return f"https://www.youtube.com/watch?v={match.group(1)}" if match else None


def watch_url(ident: str) -> str:
    return f"https://www.youtube.com/watch?v={quote(ident, safe='')}"


def oembed_call(target: str) -> ApiCall:
    return ApiCall(
        url=f"{OEMBED}?url={quote(target, safe='')}&format=json",
        purpose="oembed",
        headers={"Accept": "application/json"},
        max_bytes=64 * 1024,
    )


class YouTubeAdapter:
    name = "youtube"

    def __init__(self, *, fetch_duration: bool = False) -> None:
        #: also fetch the watch page of videos oEmbed already confirmed (for duration).
        self.fetch_duration = fetch_duration

    def configured(self, options: Mapping[str, Any]) -> YouTubeAdapter:
        """This adapter as the crawl's config wants it (``video_durations``)."""
        wanted = bool(options.get("video_durations"))
        return self if wanted == self.fetch_duration else YouTubeAdapter(fetch_duration=wanted)

    def matches(self, url: str) -> bool:
        return (urlsplit(url).hostname or "").lower() in HOSTS

    def first_request(self, url: str) -> ApiCall:
        parsed = parse_url(url)
        if parsed is None:
            return ApiCall(url=url, purpose="page", headers=WATCH_HEADERS, max_bytes=PAGE_MAX_BYTES)
        form, ident = parsed
        if form == "video":
            return oembed_call(watch_url(ident))
        if form == "playlist":
            return oembed_call(f"https://www.youtube.com/playlist?list={quote(ident, safe='')}")
        return ApiCall(url=url, purpose="page", headers=WATCH_HEADERS, max_bytes=PAGE_MAX_BYTES)

    def assess(self, url: str, exchanges: Sequence[Exchange]) -> Assessment | ApiCall:
        if (unchanged := not_modified(exchanges)) is not None:
            return unchanged
        parsed = parse_url(url)
        form, ident = parsed if parsed else ("page", "")
        sid = known_site_id(url) or (site_id(form, ident) if parsed else None)
        kind = {
            "video": ResourceKind.VIDEO,
            "playlist": ResourceKind.PLAYLIST,
            "channel": ResourceKind.CHANNEL,
        }.get(form, ResourceKind.PAGE)
        oembed = next((e.fetched for e in exchanges if e.call.purpose == "oembed"), None)
        page = next((e.fetched for e in exchanges if e.call.purpose == "page"), None)
        suggested = repaired_video_url(ident) if form == "video" and not VIDEO_ID.match(ident) else None
        if page is None and oembed is not None:
            return self._after_oembed(url, form, ident, sid, kind, oembed, suggested)
        if page is None:
            return Assessment(verdict=None, meta=base_meta(sid, kind))
        verdict_hint = _oembed_hint(oembed)
        if form == "video":
            result = _assess_watch(page, sid, watch_url(ident), verdict_hint)
        else:
            result = assess_listing(page, url, sid, kind, verdict_hint)
        if suggested and result.verdict in (Verdict.SOFT_404, Verdict.DEAD):
            return Assessment(
                verdict=result.verdict,
                reason=f"{result.reason} (malformed video ID {ident!r})",
                meta=result.meta,
                suggested_url=suggested,
                want_archive=result.want_archive,
            )
        return result

    def _after_oembed(
        self,
        url: str,
        form: str,
        ident: str,
        sid: str | None,
        kind: ResourceKind,
        oembed: Fetched,
        suggested: str | None,
    ) -> Assessment | ApiCall:
        data = parse_json(oembed)
        page_call = ApiCall(
            url=watch_url(ident) if form == "video" else url,
            purpose="page",
            headers=WATCH_HEADERS,
            max_bytes=PAGE_MAX_BYTES,
        )
        if oembed.status == 200 and isinstance(data, dict) and data.get("title") is not None:
            meta = base_meta(
                sid,
                kind,
                title=clean_text(data.get("title")),
                channel=clean_text(data.get("author_name")),
                channel_url=clean_text(data.get("author_url")),
                canonical_url=watch_url(ident) if form == "video" else url,
                extra={"thumbnail_url": clean_text(data.get("thumbnail_url"))}
                if data.get("thumbnail_url")
                else {},
            )
            if form == "video" and self.fetch_duration:
                return page_call
            return Assessment(verdict=Verdict.OK, meta=meta)
        if oembed.status == 403:
            return Assessment(
                verdict=Verdict.BLOCKED,
                reason=f"oEmbed 403: private {form} (exists, not viewable)",
                meta=base_meta(sid, kind, extra={"private": True}),
            )
        if oembed.status == 404 and form == "playlist":
            return page_call  # deleted-playlist oEmbed answer is unverified: ask the page
        return page_call  # 401, 400, 404 (confirm), 429, 5xx, garbage, no response


def _oembed_hint(oembed: Fetched | None) -> int | None:
    return oembed.status if oembed is not None else None


def _assess_watch(page: Fetched, sid: str | None, canonical: str, oembed_status: int | None) -> Assessment:
    exists = oembed_status in (200, 401)
    gone = oembed_status == 404
    stub = base_meta(sid, ResourceKind.VIDEO, canonical_url=canonical)
    if not ok_status(page):
        verdict, reason = status_verdict(page)
        if gone and verdict not in (Verdict.DEAD,):
            return Assessment(
                verdict=Verdict.DEAD,
                reason="oEmbed 404: video removed (watch page not readable)",
                meta=stub,
                want_archive=True,
            )
        return Assessment(
            verdict=verdict, reason=f"watch page {reason}", meta=stub, want_archive=verdict == Verdict.DEAD
        )
    if page.redirects and is_home(page.url):
        return Assessment(
            verdict=Verdict.DEAD if gone else Verdict.SOFT_404,
            meta=stub,
            want_archive=True,
            reason="watch page redirects to the home page",
        )
    html = decode_html(page)
    player = embedded_json(html, "ytInitialPlayerResponse")
    if player is None:
        if gone:
            return Assessment(
                verdict=Verdict.DEAD, reason="oEmbed 404: video removed", meta=stub, want_archive=True
            )
        if exists:
            return Assessment(
                verdict=Verdict.OK, reason="embedding disabled; watch page without player data", meta=stub
            )
        return Assessment(
            verdict=Verdict.BLOCKED,
            meta=stub,
            reason="watch page without player data (consent wall or bot check)",
        )
    meta = player_meta(player, html, sid, canonical)
    status = clean_text(get(player, "playabilityStatus", "status")) or "UNKNOWN"
    why = clean_text(get(player, "playabilityStatus", "reason")) or runs_text(
        get(player, "playabilityStatus", "errorScreen", "playerErrorMessageRenderer", "reason")
    )
    label = f"{status}: {why}" if why else status
    if status == "OK":
        reason = "oEmbed 401: embedding disabled" if oembed_status == 401 else None
        if gone:
            reason = "oEmbed 404 but the watch page plays the video"
        return Assessment(verdict=Verdict.OK, reason=reason, meta=meta)
    if status == "ERROR":
        if _says_deleted(why):
            # YouTube's own explicit deletion wording: reports treat "gone:" as final at once
            return Assessment(verdict=Verdict.DEAD, reason=f"gone: watch page {label}", meta=meta, want_archive=True)
        verdict = Verdict.DEAD if gone else Verdict.SOFT_404
        return Assessment(verdict=verdict, reason=f"watch page {label}", meta=meta, want_archive=True)
    if (
        status
        in (
            "LIVE_STREAM_OFFLINE",
            "AGE_CHECK_REQUIRED",
            "AGE_VERIFICATION_REQUIRED",
            "CONTENT_CHECK_REQUIRED",
        )
        or exists
    ):
        return Assessment(verdict=Verdict.OK, reason=f"watch page {label}", meta=meta)
    # LOGIN_REQUIRED (private, age gate, "confirm you're not a bot"), UNPLAYABLE, unknown
    return Assessment(verdict=Verdict.BLOCKED, reason=f"watch page {label}", meta=meta)


ADAPTER = YouTubeAdapter()


#: phrases of YouTube's error screen that say the video was deleted, not merely unavailable
#: (yt-dlp's youtube extractor matches the same wording for removed/terminated videos)
_DELETED_PHRASES = (
    "removed by the uploader",
    "has been removed",
    "account associated with this video has been terminated",
    "uploader has closed their youtube account",
)


def _says_deleted(why: str | None) -> bool:
    text = (why or "").lower()
    return any(phrase in text for phrase in _DELETED_PHRASES)
