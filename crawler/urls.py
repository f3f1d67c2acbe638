"""Resource identity of URLs: :func:`canonical_url`, :func:`site_of`, :func:`kind_of`, :func:`site_id_of`.

A canonical URL answers "is this the same resource?", never "what exactly did the list
write?" (that is :attr:`trilha.model.Mention.written`).  The rules are documented, with
examples, in ``docs/reader.md`` and tested in ``tests/test_crawler_urls.py``:

* generic: w3lib's :func:`w3lib.url.canonicalize_url` (sorted query, percent-encoding
  normalised, fragment dropped), lower-case scheme and host, default port dropped,
  tracking parameters dropped (``utm_*``, ``fbclid``, ``gclid``, ``feature``,
  ``ab_channel``, ``app=desktop``), trailing slash kept (a server may tell them apart);
* YouTube: every video form is ``https://www.youtube.com/watch?v=ID`` (``youtu.be/ID``,
  ``/embed/ID``, ``/shorts/ID``, ``/live/ID``, ``/v/ID``, ``m.``/``music.`` hosts; ``t``,
  ``index``, ``list``, ``si``, ``pp`` are context, not identity); ``playlist?list=L`` keeps
  ``list``; channel paths keep their path without the trailing slash;
* arXiv: ``abs``, ``pdf``, ``.pdf``, ``html``, versioned ``vN``, ``export.``/``www.`` hosts and
  old-style ``hep-th/9901001`` → ``https://arxiv.org/abs/<bare id>`` (arXiv IDs: the
  identifier scheme at https://info.arxiv.org/help/arxiv_identifier.html);
* Kaggle: host ``www.kaggle.com``; old notebook form ``/<user>/<slug>`` and ``/code/<user>/<slug>/notebook``
  → ``/code/<user>/<slug>``; ``/c/<slug>`` → ``/competitions/<slug>``; ``scriptVersionId`` dropped;
* GitHub: host ``github.com``; owner and repo lower-cased (GitHub names are case-insensitive),
  ``.git`` and the trailing slash stripped;
* Twitter/X: ``twitter.com``, ``mobile.twitter.com``, ``x.com`` are one site → ``https://x.com/...``,
  handle lower-cased, query dropped (``s``, ``t``, ``ref_src`` are share trackers).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from trilha.model import ResourceKind

#: Query parameters that never change the resource (any site).
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "feature", "ab_channel", "dclid", "msclkid", "igshid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}

_YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com",
                            "youtube-nocookie.com", "www.youtube-nocookie.com"})
_YT_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_YT_VIDEO_PATHS = ("embed", "shorts", "live", "v", "e")
_ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
_ARXIV_NEW = re.compile(r"^(\d{4}\.\d{4,5})(v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7})(v\d+)?$")
_KAGGLE_HOSTS = frozenset({"kaggle.com", "www.kaggle.com"})
#: First path segments of kaggle.com that are not user names.
_KAGGLE_RESERVED = frozenset({
    "c", "competitions", "datasets", "code", "learn", "discussions", "discussion", "models", "docs",
    "account", "kernels", "organizations", "search", "rankings", "static", "settings", "work",
    "benchmarks", "general", "progression", "contact", "terms", "privacy", "product-feedback",
})
_GITHUB_HOSTS = frozenset({"github.com", "www.github.com"})
_TWITTER_HOSTS = frozenset({"twitter.com", "www.twitter.com", "mobile.twitter.com", "x.com", "www.x.com",
                            "mobile.x.com"})
_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp")



class _Parts(NamedTuple):
    scheme: str
    host: str                     # lower-case, "" when none
    path: str
    query: str
    segs: tuple[str, ...]         # non-empty path segments


#: A plain web URL that ``urlsplit`` splits at "://", then at the first "/", "?" and "#"
#: without any cleaning or checks (no whitespace, control characters, brackets or backslashes).
_PLAIN_URL = re.compile(r"https?://[!#-Z^-~]*")


def split_url(url: str) -> SplitResult:
    """``urllib.parse.urlsplit(url)``, built directly for a plain ``http(s)://`` URL (:data:`_PLAIN_URL`).

    ``tests/test_crawler_urls.py`` checks both agree on the URLs of the real lists and on
    random ones.
    """
    if _PLAIN_URL.fullmatch(url) is None:
        return urlsplit(url)
    colon = url.index(":")
    rest = url[colon + 3:]
    fragment = query = ""
    if "#" in rest:
        rest, fragment = rest.split("#", 1)
    if "?" in rest:
        rest, query = rest.split("?", 1)
    slash = rest.find("/")
    netloc, path = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
    return SplitResult(url[:colon], netloc, path, query, fragment)


@lru_cache(maxsize=8192)
def _parse(url: str) -> _Parts | None:
    """One ``urlsplit`` per URL string (the helpers below ask many questions of the same URL)."""
    try:
        p = split_url(url.strip())
        netloc = p.netloc
        if "@" in netloc or ":" in netloc or "[" in netloc or "%" in netloc:
            host = (p.hostname or "").lower()
        else:                         # what .hostname gives for a plain host, without re-parsing
            host = netloc.lower()
    except ValueError:
        return None
    return _Parts(p.scheme.lower(), host, p.path, p.query, tuple(s for s in p.path.split("/") if s))


def host_of(url: str) -> str:
    """The lower-case host of ``url`` ("" when it has none or cannot be parsed)."""
    parts = _parse(url)
    return parts.host if parts else ""


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _drop_params(query: str, *, extra: frozenset[str] = frozenset()) -> str:
    if not query:
        return ""
    pairs = [
        (k, v) for k, v in parse_qsl(query, keep_blank_values=True)
        if not k.lower().startswith("utm_")
        and k.lower() not in TRACKING_PARAMS
        and k.lower() not in extra
        and not (k.lower() == "app" and v.lower() == "desktop")
    ]
    return urlencode(pairs)


def _youtube_id(parts: _Parts | None) -> str | None:
    if parts is None:
        return None
    host, segs = parts.host, parts.segs
    candidate: str | None = None
    if host in ("youtu.be", "www.youtu.be"):
        candidate = segs[0] if segs else None
    elif host in _YOUTUBE_HOSTS:
        if segs[:1] == ("watch",):
            candidate = dict(parse_qsl(parts.query)).get("v")
        elif len(segs) >= 2 and segs[0] in _YT_VIDEO_PATHS:
            candidate = segs[1]
    if candidate and _YT_VIDEO_ID.match(candidate):
        return candidate
    return None


def _arxiv_id(parts: _Parts | None) -> str | None:
    if parts is None or parts.host not in _ARXIV_HOSTS:
        return None
    segs = parts.segs
    if len(segs) < 2 or segs[0] not in ("abs", "pdf", "html", "format", "ps"):
        return None
    rest = "/".join(segs[1:])
    if rest.lower().endswith(".pdf"):
        rest = rest[:-4]
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        m = pattern.match(rest)
        if m:
            return m.group(1)
    return None


def _kaggle_path(segs: list[str]) -> list[str]:
    if not segs:
        return segs
    head = segs[0].lower()
    if head == "c" and len(segs) >= 2:
        return ["competitions", *segs[1:]]
    if head == "code" and len(segs) >= 3:
        segs = segs[:3] + [s for s in segs[3:] if s.lower() != "notebook"]
        return segs
    if head not in _KAGGLE_RESERVED and len(segs) >= 2:
        # old notebook form /<user>/<slug>[/notebook]
        rest = [s for s in segs[2:] if s.lower() != "notebook"]
        return ["code", segs[0], segs[1], *rest]
    return segs


_SIMPLE_PATH = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/]*")
_DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:/|$)")


def w3lib_canonical(raw: str, *, fast: bool = True) -> str:
    """``w3lib.url.canonicalize_url(raw, keep_fragments=False)``, with a shortcut.

    For the common case — ASCII, no query, no percent-escapes, no userinfo, no dot segments,
    a path of RFC 3986 unreserved/sub-delim characters only — w3lib's answer is just the
    lower-cased scheme and host with the path (``/`` when empty), so it is built directly
    (``tests/test_crawler_urls.py`` checks both ways agree on every URL of the real lists).
    """
    if fast:
        simple = _simple_parts(raw)
        if simple is not None:
            return f"{simple[0]}://{simple[1]}{simple[2]}"
    return canonicalize_url(raw, keep_fragments=False)


def _simple_parts(raw: str) -> tuple[str, str, str] | None:
    """(scheme, netloc, path) of w3lib's answer for the common case of :func:`w3lib_canonical`, else None."""
    head = raw.split("#", 1)[0]
    if head.isascii() and "?" not in head and "%" not in head:
        p = split_url(head)
        if "@" not in p.netloc and _SIMPLE_PATH.fullmatch(p.path) and not _DOT_SEGMENT.search(p.path):
            return p.scheme.lower(), p.netloc.lower(), p.path or "/"
    return None


def canonical_url(url: str) -> str:
    """The resource identity of ``url`` (see the module docstring and docs/reader.md).

    Never raises for a string: an unparseable URL is returned stripped, unchanged.
    """
    raw = url.strip()
    first = _parse(raw)
    if first is None:
        return raw
    if first.scheme not in ("http", "https"):
        return raw if not first.scheme else first.scheme + raw[len(first.scheme):]
    try:
        vid = _youtube_id(first)
        if vid:
            return f"https://www.youtube.com/watch?v={vid}"
        aid = _arxiv_id(first)
        if aid:
            return f"https://arxiv.org/abs/{aid}"
        simple = _simple_parts(raw)
        if simple is not None and ":" not in simple[1] and "[" not in simple[1]:
            # w3lib's answer is scheme://host/path: no port, user or query to look at
            scheme, host, path = simple
            netloc, query = host, ""
        else:
            # a port or IPv6 host (simple) still has w3lib's answer at hand
            canon = "{}://{}{}".format(*simple) if simple is not None else w3lib_canonical(raw, fast=False)
            parts = urlsplit(canon)
            host = (parts.hostname or "").lower()
            port = parts.port
            scheme = parts.scheme.lower()
            netloc = host
            if port is not None and port != _DEFAULT_PORTS.get(scheme):
                netloc = f"{host}:{port}"
            if parts.username:
                netloc = f"{parts.username}@{netloc}"
            path = parts.path or "/"
            query = _drop_params(parts.query)
    except ValueError:
        return raw
    segs = _segments(path)
    if host in _YOUTUBE_HOSTS:
        scheme, netloc = "https", "www.youtube.com"
        query = _drop_params(query, extra=frozenset({"si", "pp"}))
        if segs and segs[0] == "playlist":
            lst = dict(parse_qsl(query)).get("list")
            query = urlencode([("list", lst)]) if lst else ""
        path = "/" + "/".join(segs) if segs else "/"
    elif host in _KAGGLE_HOSTS:
        scheme, netloc = "https", "www.kaggle.com"
        query = _drop_params(query, extra=frozenset({"scriptversionid"}))
        segs = _kaggle_path(segs)
        path = "/" + "/".join(segs) if segs else "/"
    elif host in _GITHUB_HOSTS:
        scheme, netloc = "https", "github.com"
        if segs:
            segs[0] = segs[0].lower()
        if len(segs) >= 2:
            repo = segs[1][:-4] if segs[1].lower().endswith(".git") else segs[1]
            segs[1] = repo.lower()
        path = "/" + "/".join(segs) if segs else "/"
    elif host in _TWITTER_HOSTS:
        scheme, netloc, query = "https", "x.com", ""
        if segs:
            segs[0] = segs[0].lower()
        path = "/" + "/".join(segs) if segs else "/"
    return urlunsplit((scheme, netloc, path, query, ""))


def site_of(url: str) -> str | None:
    """The adapter site name of ``url``: arxiv, youtube, github, kaggle, twitter, … or the host.

    Known sites get a short name; any other web URL gets its host without ``www.``;
    a URL without a host gives None.
    """
    return _site_of_host(host_of(url))


def _site_of_host(host: str) -> str | None:
    if not host:
        return None
    if host in _YOUTUBE_HOSTS or host in ("youtu.be", "www.youtu.be"):
        return "youtube"
    if host in _ARXIV_HOSTS:
        return "arxiv"
    if host in _KAGGLE_HOSTS:
        return "kaggle"
    if host in _GITHUB_HOSTS or host == "gist.github.com":
        return "github"
    if host in _TWITTER_HOSTS:
        return "twitter"
    if host == "medium.com" or host.endswith(".medium.com"):
        return "medium"
    if host == "colab.research.google.com":
        return "colab"
    if host == "huggingface.co":
        return "huggingface"
    if host.endswith("linkedin.com"):
        return "linkedin"
    if host.endswith("wikipedia.org"):
        return "wikipedia"
    return host[4:] if host.startswith("www.") else host


def kind_of(url: str) -> ResourceKind:
    """The kind of resource the URL's shape says it is (PAGE when nothing more is known)."""
    parts = _parse(url)
    if parts is None:
        return ResourceKind.PAGE
    return _kind(parts, _site_of_host(parts.host), _youtube_id(parts), _arxiv_id(parts))


def _kind(parts: _Parts, site: str | None, vid: str | None, aid: str | None) -> ResourceKind:
    host, segs = parts.host, list(parts.segs)
    low_path = parts.path.lower()
    if site == "youtube":
        if vid:
            return ResourceKind.VIDEO
        if segs[:1] == ["playlist"] or (segs[:1] == ["watch"] and "list=" in parts.query):
            return ResourceKind.PLAYLIST
        if segs and (segs[0] in ("c", "channel", "user") or segs[0].startswith("@")):
            return ResourceKind.CHANNEL
        return ResourceKind.PAGE
    if site == "arxiv":
        return ResourceKind.PAPER if aid else ResourceKind.PAGE
    if low_path.endswith(_IMAGE_EXT) or host == "user-images.githubusercontent.com":
        return ResourceKind.IMAGE
    if site == "kaggle":
        if not segs:
            return ResourceKind.PAGE
        head = segs[0].lower()
        if head in ("c", "competitions"):
            return ResourceKind.COMPETITION
        if head == "datasets" and len(segs) >= 3:
            return ResourceKind.DATASET
        if head == "learn":
            return ResourceKind.COURSE
        if head == "code" and len(segs) >= 3 or head not in _KAGGLE_RESERVED and len(segs) >= 2:
            return ResourceKind.NOTEBOOK
        if head not in _KAGGLE_RESERVED and len(segs) == 1:
            return ResourceKind.PERSON
        return ResourceKind.PAGE
    if low_path.endswith(".pdf"):
        return ResourceKind.PDF
    if site == "github":
        if host == "gist.github.com":
            return ResourceKind.CODE_FILE
        if len(segs) == 1:
            return ResourceKind.PERSON
        if len(segs) == 2 or len(segs) >= 3 and segs[2] == "tree":
            return ResourceKind.REPO
        if len(segs) >= 3 and segs[2] in ("blob", "raw"):
            return ResourceKind.CODE_FILE
        return ResourceKind.PAGE
    if site == "twitter":
        if "status" in segs[1:-1]:
            return ResourceKind.POST
        if len(segs) == 1:
            return ResourceKind.PERSON
        return ResourceKind.PAGE
    if site == "colab" or low_path.endswith(".ipynb"):
        return ResourceKind.NOTEBOOK
    if site == "linkedin":
        if segs[:1] == ["in"]:
            return ResourceKind.PERSON
        if segs[:1] in (["posts"], ["pulse"], ["feed"]):
            return ResourceKind.POST
        return ResourceKind.PAGE
    if site == "medium" or host in ("towardsdatascience.com",) or "blog" in host or "/blog/" in low_path:
        return ResourceKind.POST
    if host.endswith((".udemy.com", "coursera.org")) or host in ("udemy.com",) or "/course" in low_path:
        return ResourceKind.COURSE
    if (host.startswith("docs.") or host.endswith(".readthedocs.io") or "/docs/" in low_path + "/"
            or low_path.startswith(("/docs", "/api/"))):
        return ResourceKind.DOCS
    return ResourceKind.PAGE


def site_id_of(url: str, *, canonical: str | None = None) -> str | None:
    """A site-specific identity: ``arxiv:1706.03762``, ``youtube:VIDEOID``, ``github:owner/repo``,
    ``kaggle:code/user/slug``, ``twitter:handle``; None for other sites.

    ``canonical`` may pass ``canonical_url(url)`` when the caller already has it.
    """
    parts = _parse(url)
    return _site_id(url, parts, _site_of_host(parts.host) if parts else None, _youtube_id(parts), _arxiv_id(parts),
                    canonical)


def _site_id(url: str, first: _Parts | None, site: str | None, vid: str | None, aid: str | None,
             canonical: str | None) -> str | None:
    if vid:
        return f"youtube:{vid}"
    if aid:
        return f"arxiv:{aid}"
    if site not in ("youtube", "github", "kaggle", "twitter"):
        return None
    canon = canonical or canonical_url(url)
    try:
        parts = urlsplit(canon)
    except ValueError:
        return None
    segs = _segments(parts.path)
    if not segs:
        return None
    if site == "youtube":
        if segs[0] == "playlist":
            lst = dict(parse_qsl(parts.query)).get("list")
            return f"youtube:playlist/{lst}" if lst else None
        if segs[0] in ("c", "channel", "user") and len(segs) >= 2:
            return f"youtube:{segs[0]}/{segs[1]}"
        if segs[0].startswith("@"):
            return f"youtube:{segs[0]}"
        return None
    if site == "github":
        if first is not None and first.host == "gist.github.com":
            return f"github:gist:{segs[-1]}"
        if len(segs) >= 4 and segs[2] in ("blob", "tree"):     # same form as crawler.adapters.github
            return f"github:{'/'.join(segs)}"
        return f"github:{segs[0]}/{segs[1]}" if len(segs) >= 2 else f"github:{segs[0]}"
    if site == "kaggle":
        head = segs[0]
        if head in ("code", "datasets") and len(segs) >= 3:
            return f"kaggle:{head}/{segs[1]}/{segs[2]}"
        if head == "competitions" and len(segs) >= 2:
            return f"kaggle:competitions/{segs[1]}"
        if head not in _KAGGLE_RESERVED and len(segs) == 1:
            return f"kaggle:{head}"
        return None
    if site == "twitter":
        if "status" in segs[1:-1]:           # /<handle>/status/<id>, /i/web/status/<id>
            return f"twitter:status/{segs[segs.index('status', 1) + 1]}"
        if len(segs) == 1:
            return f"twitter:{segs[0]}"
    return None


class UrlFacts(NamedTuple):
    """What the reader needs about one web URL (:func:`url_facts`)."""

    canonical: str
    site: str | None
    site_id: str | None
    kind: ResourceKind


@lru_cache(maxsize=65536)
def url_facts(url: str) -> UrlFacts:
    """``canonical_url``, ``site_of``, ``site_id_of`` and ``kind_of`` of ``url`` in one pass
    (one parse, one site and ID lookup; cached, a list names many URLs more than once)."""
    canonical = canonical_url(url)
    parts = _parse(url)
    if parts is None:
        return UrlFacts(canonical, None, _site_id(url, None, None, None, None, canonical), ResourceKind.PAGE)
    site = _site_of_host(parts.host)
    vid, aid = _youtube_id(parts), _arxiv_id(parts)
    return UrlFacts(canonical, site, _site_id(url, parts, site, vid, aid, canonical), _kind(parts, site, vid, aid))
