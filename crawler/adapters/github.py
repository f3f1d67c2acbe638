"""GitHub adapter: repositories, blob/tree paths, gists and users through the REST API.

Requests (GitHub REST docs; real captures ``tests/fixtures/real/github_rest__*.json``
from octokit/fixtures [S42]):

* repo: ``GET https://api.github.com/repos/{owner}/{repo}`` (``allow_redirects=False``);
* blob/tree: then ``GET /repos/{full_name}/contents/{path}?ref={ref}`` [S44] (the first
  path segment after ``blob/``/``tree/`` is taken as the ref);
* gist: ``GET /gists/{id}``; user/org: ``GET /users/{login}``.

The adapter never adds credentials: the engine injects ``Authorization: Bearer <token>``
into every call to ``api.github.com`` when a ``GITHUB_TOKEN`` is configured, and calls
:func:`api_budget_exhausted` on each API answer; once it says True the engine should use
``ADAPTER.page_request(url)`` instead of ``first_request`` for the rest of the crawl
(``assess`` accepts a first exchange with ``purpose="page"``).

Signals [S41][S42][S43]: 200 → ok (archived, stars, description, pushed_at…); 301 with
``Location: …/repositories/<id>`` → follow → new ``full_name`` → ``moved`` with
``https://github.com/<full_name>``; 404 → dead (missing or private); 403/429 with
``x-ratelimit-remaining: 0`` → a plain page check (never retry the API); 401 (bad token)
→ page check too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlsplit

from crawler.adapters.base import ApiCall, Assessment, Exchange, Fetched
from crawler.adapters.ghparts import gist_meta, parse_url, repo_meta, site_id, user_meta
from crawler.adapters.util import (
    base_meta,
    clean_text,
    header,
    known_site_id,
    not_modified,
    ok_status,
    parse_json,
    status_verdict,
    to_int,
)
from trilha.model import ResourceKind, ResourceMeta, Verdict

API = "https://api.github.com"
API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
#: "Get repository content" custom media type returning the rendered file [S44]
HTML_MEDIA = "application/vnd.github.html+json"
MARKUP = (".md", ".markdown", ".mdown", ".rst", ".adoc", ".org")


def api_budget_exhausted(fetched: Fetched) -> bool:
    """True when an api.github.com answer means the rate-limit budget is gone [S41]."""
    if fetched.status not in (403, 429):
        return False
    return header(fetched, "x-ratelimit-remaining") == "0" or (
        fetched.status == 429 and header(fetched, "retry-after") is not None
    )


def _kind(info: Mapping[str, str] | None) -> ResourceKind:
    if info is None:
        return ResourceKind.PAGE
    return {
        "blob": ResourceKind.CODE_FILE,
        "tree": ResourceKind.REPO,
        "user": ResourceKind.PERSON,
        "gist": ResourceKind.CODE_FILE,
    }.get(info["form"], ResourceKind.REPO)


def _api(url: str, purpose: str = "api") -> ApiCall:
    return ApiCall(url=url, purpose=purpose, headers=API_HEADERS, allow_redirects=False, max_bytes=512 * 1024)


def _web_url(full_name: str, info: Mapping[str, str]) -> str:
    base = f"https://github.com/{full_name}"
    if info["form"] in ("blob", "tree"):
        return f"{base}/{info['form']}/{info['ref']}/{info['path']}".rstrip("/")
    return base


class GitHubAdapter:
    name = "github"

    def matches(self, url: str) -> bool:
        return (urlsplit(url).hostname or "").lower() in ("github.com", "www.github.com", "gist.github.com")

    def first_request(self, url: str) -> ApiCall:
        info = parse_url(url)
        if info is None:
            return self.page_request(url)
        if info["form"] == "gist":
            return _api(f"{API}/gists/{quote(info['gist'])}")
        if info["form"] == "user":
            return _api(f"{API}/users/{quote(info['owner'])}")
        return _api(f"{API}/repos/{quote(info['owner'])}/{quote(info['repo'])}")

    def page_request(self, url: str) -> ApiCall:
        """The plain page check used without API budget (or for non-entity pages)."""
        return ApiCall(url=url, purpose="page", max_bytes=512 * 1024)

    def assess(self, url: str, exchanges: Sequence[Exchange]) -> Assessment | ApiCall:
        if (unchanged := not_modified(exchanges)) is not None:
            return unchanged
        info = parse_url(url)
        kind = _kind(info)
        sid = known_site_id(url) or (site_id(info) if info else None)
        stub = base_meta(sid, kind)
        latest = exchanges[-1]
        contents = latest.call.url.startswith(f"{API}/repos/") and "/contents/" in latest.call.url
        if latest.call.purpose == "page" and not contents:
            return _assess_page(latest.fetched, stub, budget=any(e.call.purpose != "page" for e in exchanges))
        fetched = latest.fetched
        if info is None:
            return Assessment(verdict=None, meta=stub)
        if api_budget_exhausted(fetched) or fetched.status == 401:
            return self.page_request(url)
        if fetched.status in (301, 302, 307, 308) and latest.call.purpose == "api":
            location = header(fetched, "location")
            if location and location.startswith(API + "/"):
                return _api(location, purpose="api-redirect")
            return self.page_request(url)
        if contents and info["form"] in ("blob", "tree"):
            return _after_contents(url, info, exchanges, stub)
        if fetched.status in (404, 410):
            return Assessment(
                verdict=Verdict.DEAD,
                meta=stub,
                want_archive=True,
                reason=f"GitHub API {fetched.status}: {info['form']} not found (or private)",
            )
        data = parse_json(fetched)
        if not ok_status(fetched) or not isinstance(data, dict):
            if fetched.status is None:
                return self.page_request(url)  # API unreachable: try the page once
            verdict, reason = status_verdict(fetched)
            return Assessment(
                verdict=verdict if verdict != Verdict.OK else None,
                reason=f"GitHub API {reason or 'answered no JSON object'}",
                meta=stub,
            )
        if info["form"] == "user":
            return Assessment(verdict=Verdict.OK, meta=user_meta(data, sid, kind))
        if info["form"] == "gist":
            return Assessment(verdict=Verdict.OK, meta=gist_meta(data, sid))
        meta = repo_meta(data, sid, kind)
        if info["form"] in ("blob", "tree"):
            full = clean_text(data.get("full_name")) or f"{info['owner']}/{info['repo']}"
            # Markup comes back rendered, with ids "user-content-<slug>": it is the page whose
            # #fragments the engine checks (it reads the last exchange with purpose "page")
            markup = info["path"].lower().endswith(MARKUP)
            return ApiCall(
                url=f"{API}/repos/{full}/contents/{quote(info['path'])}?ref={quote(info['ref'], safe='')}",
                purpose="page" if markup else "contents",
                allow_redirects=False,
                max_bytes=512 * 1024,
                headers={**API_HEADERS, "Accept": HTML_MEDIA} if markup else API_HEADERS,
            )
        return _repo_verdict(info, meta)


def _renamed(info: Mapping[str, str], meta: ResourceMeta) -> str | None:
    full = meta.extra.get("full_name")
    if full and full.lower() != f"{info['owner']}/{info['repo']}".lower():
        return full
    return None


def _repo_verdict(info: Mapping[str, str], meta: ResourceMeta) -> Assessment:
    renamed = _renamed(info, meta)
    if renamed:
        return Assessment(
            verdict=Verdict.MOVED,
            meta=meta,
            suggested_url=_web_url(renamed, info),
            want_archive=True,
            reason=f"repository renamed or transferred to {renamed}",
        )
    reason = "archived (read-only)" if meta.archived else None
    return Assessment(verdict=Verdict.OK, reason=reason, meta=meta)


def _after_contents(
    url: str, info: Mapping[str, str], exchanges: Sequence[Exchange], stub: ResourceMeta
) -> Assessment:
    repo_ex = next(
        (
            e
            for e in reversed(exchanges)
            if e.call.purpose in ("api", "api-redirect") and ok_status(e.fetched)
        ),
        None,
    )
    repo_data = parse_json(repo_ex.fetched) if repo_ex else None
    meta = repo_meta(repo_data, stub.site_id or "", _kind(info)) if isinstance(repo_data, dict) else stub
    contents = exchanges[-1].fetched
    if contents.status in (404, 410):
        return Assessment(
            verdict=Verdict.DEAD,
            meta=meta,
            want_archive=True,
            reason=f"{info['path'] or '/'} not found at ref {info['ref']}",
        )
    if api_budget_exhausted(contents) or not ok_status(contents):
        verdict, reason = status_verdict(contents)
        return Assessment(verdict=verdict, reason=f"contents API {reason}", meta=meta)
    data = parse_json(contents)
    extra = dict(meta.extra)
    if isinstance(data, dict):
        extra.update(
            {
                k: v
                for k, v in {
                    "path": clean_text(data.get("path")),
                    "sha": clean_text(data.get("sha")),
                    "file_size": to_int(data.get("size")),
                }.items()
                if v is not None
            }
        )
    elif isinstance(data, list):
        extra["entries"] = len(data)
    file_meta = base_meta(
        meta.site_id,
        _kind(info),
        title=f"{extra.get('full_name', '')}: {info['path']}".strip(": "),
        description=meta.description,
        channel=meta.channel,
        channel_url=meta.channel_url,
        updated=meta.updated,
        stars=meta.stars,
        archived=meta.archived,
        size_bytes=to_int(extra.get("file_size")),
        extra=extra,
    )
    return _repo_verdict(info, file_meta)


def _assess_page(page: Fetched, stub: ResourceMeta, *, budget: bool) -> Assessment:
    """Plain github.com page: 404 → dead, 301 chain → moved, otherwise the status reading."""
    verdict, reason = status_verdict(page)
    note = "API budget exhausted; page check" if budget else None
    if verdict == Verdict.MOVED:
        return Assessment(
            verdict=verdict, reason=reason, meta=stub, suggested_url=page.url, want_archive=True
        )
    if verdict is None:
        return Assessment(verdict=None, reason=note, meta=stub)
    return Assessment(verdict=verdict, reason=note or reason, meta=stub, want_archive=verdict == Verdict.DEAD)


ADAPTER = GitHubAdapter()
