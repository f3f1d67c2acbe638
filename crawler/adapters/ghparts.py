"""GitHub URL forms and the REST objects the adapter reads (repo, user, gist).

URL forms: ``github.com/<o>/<r>[/blob|tree/<ref>/<path>]``, ``github.com/<login>``,
``gist.github.com/<user>/<id>``.  Objects: GitHub REST "Get a repository", "Get a user",
"Get a gist" (fields as in the real capture
``tests/fixtures/real/github_rest__get_repository__2022-07.json`` [S42]).  Pure and
defensive: a field of the wrong type is ignored, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from crawler.adapters.util import base_meta, clean_text, to_int
from trilha.model import ResourceKind, ResourceMeta

#: First path segments of github.com that are not user names.
RESERVED = frozenset(
    {
        "about",
        "features",
        "topics",
        "marketplace",
        "orgs",
        "settings",
        "login",
        "join",
        "pricing",
        "explore",
        "trending",
        "collections",
        "sponsors",
        "search",
        "notifications",
        "issues",
        "pulls",
        "apps",
        "site",
        "security",
        "enterprise",
        "readme",
        "customer-stories",
        "events",
        "new",
        "codespaces",
    }
)


def parse_url(url: str) -> dict[str, str] | None:
    """{"form": repo|blob|tree|gist|user, "owner", "repo", "ref", "path", "gist"}; None: not an entity."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    segs = [s for s in parts.path.split("/") if s]
    if host == "gist.github.com":
        if len(segs) >= 2:
            return {"form": "gist", "owner": segs[0], "gist": segs[1]}
        if len(segs) == 1:
            return {"form": "gist", "owner": "", "gist": segs[0]}
        return None
    if host not in ("github.com", "www.github.com") or not segs or segs[0].lower() in RESERVED:
        return None
    if len(segs) == 1:
        return {"form": "user", "owner": segs[0]}
    owner, repo = segs[0], segs[1].removesuffix(".git")
    if len(segs) >= 4 and segs[2] in ("blob", "tree"):
        return {"form": segs[2], "owner": owner, "repo": repo, "ref": segs[3], "path": "/".join(segs[4:])}
    return {"form": "repo", "owner": owner, "repo": repo}


def site_id(info: Mapping[str, str]) -> str:
    if info["form"] == "gist":
        return f"github:gist:{info['gist']}"
    if info["form"] == "user":
        return f"github:{info['owner']}"
    base = f"github:{info['owner']}/{info['repo']}"
    return (
        f"{base}/{info['form']}/{info['ref']}/{info['path']}".rstrip("/")
        if info["form"] in ("blob", "tree")
        else base
    )


def repo_meta(data: dict[str, Any], sid: str, kind: ResourceKind) -> ResourceMeta:
    owner = data.get("owner") if isinstance(data.get("owner"), dict) else {}
    lic = data.get("license") if isinstance(data.get("license"), dict) else {}
    topics = data.get("topics") if isinstance(data.get("topics"), list) else []
    return base_meta(
        sid,
        kind,
        title=clean_text(data.get("full_name")),
        description=clean_text(data.get("description")),
        channel=clean_text(owner.get("login")),
        channel_url=clean_text(owner.get("html_url")),
        published=clean_text(data.get("created_at")),
        updated=clean_text(data.get("pushed_at")),
        stars=to_int(data.get("stargazers_count")),
        archived=bool(data.get("archived")) if "archived" in data else None,
        canonical_url=clean_text(data.get("html_url")),
        language=None,
        extra={
            k: v
            for k, v in {
                "full_name": clean_text(data.get("full_name")),
                "forks": to_int(data.get("forks_count")),
                "open_issues": to_int(data.get("open_issues_count")),
                "default_branch": clean_text(data.get("default_branch")),
                "license": clean_text(lic.get("spdx_id")),
                "topics": [t for t in topics if isinstance(t, str)],
                "programming_language": clean_text(data.get("language")),
                "homepage": clean_text(data.get("homepage")),
                "fork": data.get("fork") if isinstance(data.get("fork"), bool) else None,
                "disabled": data.get("disabled") if isinstance(data.get("disabled"), bool) else None,
            }.items()
            if v not in (None, [])
        },
    )


def user_meta(data: dict[str, Any], sid: str | None, kind: ResourceKind) -> ResourceMeta:
    return base_meta(
        sid,
        kind,
        title=clean_text(data.get("name")) or clean_text(data.get("login")),
        description=clean_text(data.get("bio")),
        channel=clean_text(data.get("login")),
        channel_url=clean_text(data.get("html_url")),
        published=clean_text(data.get("created_at")),
        canonical_url=clean_text(data.get("html_url")),
        extra={
            k: v
            for k, v in {
                "followers": to_int(data.get("followers")),
                "public_repos": to_int(data.get("public_repos")),
                "type": clean_text(data.get("type")),
            }.items()
            if v is not None
        },
    )


def gist_meta(data: dict[str, Any], sid: str | None) -> ResourceMeta:
    owner = data.get("owner") if isinstance(data.get("owner"), dict) else {}
    files = data.get("files") if isinstance(data.get("files"), dict) else {}
    return base_meta(
        sid,
        ResourceKind.CODE_FILE,
        title=clean_text(data.get("description")) or (next(iter(files), None)),
        channel=clean_text(owner.get("login")),
        channel_url=clean_text(owner.get("html_url")),
        published=clean_text(data.get("created_at")),
        updated=clean_text(data.get("updated_at")),
        canonical_url=clean_text(data.get("html_url")),
        extra={"files": sorted(str(f) for f in files)},
    )
