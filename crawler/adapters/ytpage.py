"""Reading YouTube pages: the JSON objects embedded in watch and channel pages.

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

from crawler.adapters.util import base_meta, clean_text, iso_duration_seconds, to_int
from trilha.model import ResourceKind, ResourceMeta


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
        sid, ResourceKind.VIDEO,
        title=clean_text(details.get("title")) or runs_text(micro.get("title")),
        description=clean_text(details.get("shortDescription"), limit=1000),
        channel=clean_text(details.get("author")) or clean_text(micro.get("ownerChannelName")),
        channel_url=clean_text(micro.get("ownerProfileUrl"))
        or (f"https://www.youtube.com/channel/{channel_id}" if channel_id else None),
        published=clean_text(micro.get("publishDate") or micro.get("uploadDate")),
        duration_s=duration,
        canonical_url=url,
        extra={k: v for k, v in {"channel_id": channel_id,
                                 "views": to_int(details.get("viewCount"))}.items() if v is not None},
    )


def alert_error(data: dict[str, Any] | None) -> str | None:
    alerts = (data or {}).get("alerts")
    for alert in alerts if isinstance(alerts, list) else []:
        renderer = get(alert, "alertRenderer") or get(alert, "alertWithButtonRenderer")
        if isinstance(renderer, dict) and renderer.get("type") == "ERROR":
            return runs_text(renderer.get("text")) or "error alert"
    return None
