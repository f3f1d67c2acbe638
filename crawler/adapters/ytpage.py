"""Reading YouTube pages: the JSON embedded in watch pages, and channel/playlist pages.

MODELLED ON DOCS (no real capture exists): yt-dlp's extractor reads
``ytInitialPlayerResponse = {…};`` (``playabilityStatus``, ``videoDetails``,
``microformat.playerMicroformatRenderer``) and ``ytInitialData = {…};`` (``alerts``,
``metadata.channelMetadataRenderer``) from inline scripts (research A2 [S26][S27]).
Pure and defensive: garbage in → ``None``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from crawler.adapters.base import Assessment, Fetched
from crawler.adapters.htmlmeta import extract
from crawler.adapters.util import (
    base_meta,
    clean_text,
    decode_html,
    iso_duration_seconds,
    ok_status,
    status_assessment,
    status_verdict,
    to_int,
)
from trilha.model import ResourceKind, ResourceMeta, Verdict


def embedded_json(html: str, name: str) -> dict[str, Any] | None:
    """The object assigned to ``name`` in an inline script (``ytInitialPlayerResponse = {…};``)."""
    for match in re.finditer(re.escape(name) + r"\s*=\s*(?=\{)", html):
        try:
            value, _end = json.JSONDecoder().raw_decode(html, match.end())
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            return value
    return None


def get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def runs_text(value: Any) -> str | None:
    if isinstance(value, dict):
        if isinstance(value.get("simpleText"), str):
            return clean_text(value["simpleText"])
        runs = value.get("runs")
        if isinstance(runs, list):
            return clean_text("".join(r.get("text", "") for r in runs if isinstance(r, dict)))
    return clean_text(value) if isinstance(value, str) else None


def player_meta(player: dict[str, Any], html: str, sid: str, url: str) -> ResourceMeta:
    details = player.get("videoDetails") if isinstance(player.get("videoDetails"), dict) else {}
    micro = get(player, "microformat", "playerMicroformatRenderer") or {}
    duration = to_int(details.get("lengthSeconds"))
    if duration is None:
        m = re.search(r'<meta\s+itemprop="duration"\s+content="([^"]+)"', html)
        duration = iso_duration_seconds(m.group(1)) if m else None
    channel_id = clean_text(details.get("channelId"))
    return base_meta(
        sid,
        ResourceKind.VIDEO,
        title=clean_text(details.get("title")) or runs_text(micro.get("title")),
        description=clean_text(details.get("shortDescription"), limit=1000),
        channel=clean_text(details.get("author")) or clean_text(micro.get("ownerChannelName")),
        channel_url=clean_text(micro.get("ownerProfileUrl"))
        or (f"https://www.youtube.com/channel/{channel_id}" if channel_id else None),
        published=clean_text(micro.get("publishDate") or micro.get("uploadDate")),
        duration_s=duration,
        canonical_url=url,
        extra={
            k: v
            for k, v in {"channel_id": channel_id, "views": to_int(details.get("viewCount"))}.items()
            if v is not None
        },
    )


def alert_error(data: dict[str, Any] | None) -> str | None:
    alerts = (data or {}).get("alerts")
    for alert in alerts if isinstance(alerts, list) else []:
        renderer = get(alert, "alertRenderer") or get(alert, "alertWithButtonRenderer")
        if isinstance(renderer, dict) and renderer.get("type") == "ERROR":
            return runs_text(renderer.get("text")) or "error alert"
    return None


def is_home(url: str) -> bool:
    return urlsplit(url).path in ("", "/") or urlsplit(url).path.startswith("/feed")


# ---------------------------------------------------------------- the adapter


def assess_listing(
    page: Fetched, url: str, sid: str | None, kind: ResourceKind, oembed_status: int | None
) -> Assessment:
    stub = base_meta(sid, kind)
    if not ok_status(page):
        verdict, reason = status_verdict(page)
        return Assessment(verdict=verdict, reason=reason, meta=stub, want_archive=verdict == Verdict.DEAD)
    if page.redirects and is_home(page.url) and not is_home(url):
        return Assessment(
            verdict=Verdict.SOFT_404, reason="redirects to the home page", meta=stub, want_archive=True
        )
    html = decode_html(page)
    data = embedded_json(html, "ytInitialData")
    error = alert_error(data)
    if error:
        return Assessment(
            verdict=Verdict.SOFT_404, reason=f"YouTube alert: {error}", meta=stub, want_archive=True
        )
    pm = extract(html, page.url)
    channel_meta = get(data, "metadata", "channelMetadataRenderer") or {}
    playlist_meta = get(data, "metadata", "playlistMetadataRenderer") or {}
    title = (
        clean_text(channel_meta.get("title"))
        or clean_text(playlist_meta.get("title"))
        or clean_text(pm.opengraph.get("og:title"))
        or pm.title
    )
    if title in (None, "YouTube") and data is None:
        return Assessment(
            verdict=Verdict.BLOCKED, reason="page without YouTube data (consent wall or bot check)", meta=stub
        )
    meta = base_meta(
        sid,
        kind,
        title=title,
        description=clean_text(
            channel_meta.get("description") or playlist_meta.get("description"), limit=1000
        )
        or pm.description,
        channel=clean_text(channel_meta.get("title")) if kind == ResourceKind.CHANNEL else None,
        channel_url=clean_text(channel_meta.get("vanityChannelUrl") or channel_meta.get("channelUrl")),
        canonical_url=pm.canonical,
        extra={"external_id": channel_meta["externalId"]} if channel_meta.get("externalId") else {},
    )
    return status_assessment(page, meta)
