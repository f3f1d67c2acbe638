"""trilha's configuration: flags > environment (``TRILHA_*``) > file > defaults.

The file is ``trilha.toml`` (top level) or the ``[tool.trilha]`` table of
``pyproject.toml`` in the working directory (or ``--config FILE``).  Every setting is
declared ONCE in :data:`SETTINGS` with its type, default and help text; per-host
overrides live in ``[hosts."<host>"]`` tables (file only)::

    timeout = 20
    exclude = ['^https://localhost']
    remap = ['^https://old\\.example\\.org/(.*)$ https://example.org/\\1']
    [hosts."arxiv.org"]
    concurrency = 1
    delay = 3.0
    headers = { Accept = "text/html" }
    accept = [200, 403]

A bad value raises :class:`trilha.errors.ConfigError` naming the key.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from trilha.errors import ConfigError

PROJECT_URL = "https://github.com/HinePo/Trilha-de-Estudos-de-Data-Science"
DEFAULT_USER_AGENT = f"trilha/0.1 (+{PROJECT_URL}; study-list link checker)"
#: where the graph's data IRIs live unless ``base_iri`` says otherwise (a placeholder domain)
DEFAULT_BASE_IRI = "https://trilha.example/id/"

#: characters RFC 3987 allows nowhere in an IRI (and control characters, space)
_NOT_IN_IRI = re.compile(r'[\x00-\x20\x7f<>"{}|\\^`]')


def check_base_iri(value: str) -> str:
    """``value`` if it can prefix data IRIs: an absolute http(s) IRI ending in ``/`` or ``#``.

    No query, and a ``#`` only as the last character (then every IRI is ``base#kind/key``).
    Raises :class:`ValueError` with a one-line reason.
    """
    if _NOT_IN_IRI.search(value):
        raise ValueError(f"{value!r} is not an IRI (no spaces, quotes or <>{{}}|\\^` allowed)")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValueError(f"{value!r} is not an absolute http(s) IRI") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an absolute http(s) IRI")
    if not value.endswith(("/", "#")):
        raise ValueError(f"{value!r} must end with '/' or '#'")
    if parts.query or value.count("#") > 1 or ("#" in value and not value.endswith("#")):
        raise ValueError(f"{value!r} must have no query, and '#' only as its last character")
    from pyoxigraph import NamedNode  # RFC 3987, as the graph store will read it (e.g. no "%zz")

    try:
        NamedNode(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an IRI ({exc})") from None
    return value


def resolve_base_iri(flag: str | None) -> str:
    """The base IRI to build a graph with: ``--base-iri`` > ``TRILHA_BASE_IRI`` > config
    file > default (the layering of :func:`load_config`; a bad env or file value is a
    ConfigError)."""
    return str(load_config({"base_iri": flag}).base_iri)


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    kind: type
    default: Any
    help: str
    env: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    check: Callable[[str], object] | None = None    # raises ValueError on a bad text value


#: every setting, declared once (name, type, default, help, extra environment names)
SETTINGS: tuple[Setting, ...] = (
    Setting("include", list, [], "Regexes: URLs matching one are checked even when an exclude matches (lychee's --include)."),
    Setting("exclude", list, [], "Regexes: URLs matching one of them are skipped (verdict skipped)."),
    Setting("remap", list, [], "'REGEX REPLACEMENT' rules: where requests go; the stored URL stays the original."),
    Setting("allow_private", bool, False, "Allow private, loopback and link-local addresses (refused by default)."),
    Setting("timeout", float, 20.0, "Download timeout per request, seconds (connect + read)."),
    Setting("retries", int, 2, "Retries for 5xx, 408, 429 and timeouts (exponential backoff)."),
    Setting("retry_base_delay", float, 1.0, "First retry delay in seconds; doubles each retry."),
    Setting("retry_max_delay", float, 30.0, "Cap on a retry delay, including a server's Retry-After."),
    Setting("max_page_bytes", int, 512 * 1024, "Stop reading an HTML page after this many bytes."),
    Setting("max_bytes", int, 16 * 1024 * 1024, "Hard cap on any response body, bytes."),
    Setting("concurrency", int, 16, "Requests in flight in total."),
    Setting("per_host_concurrency", int, 2, "Requests in flight per host (hosts table may override)."),
    Setting("delay", float, 0.25, "Delay between requests to one host, seconds (AutoThrottle adapts it)."),
    Setting("autothrottle", bool, True, "Adapt per-host delays to the server's latency (Scrapy AutoThrottle)."),
    Setting("user_agent", str, DEFAULT_USER_AGENT, "User-Agent header (names trilha and its project URL)."),
    Setting("github_token", str, "", "GitHub token for the REST API (60 requests/hour without).",
            ("GITHUB_TOKEN",)),
    Setting("redis_url", str, "", "Redis URL: share one crawl between several worker processes."),
    Setting("batch_size", int, 10, "Checks written to the store per transaction."),
    Setting("fragments", bool, True, "Check #fragments on pages fetched anyway."),
    Setting("wayback", bool, True, "Look up a Wayback snapshot for dead, soft-404 and moved links."),
    Setting("enrich", bool, True, "Enrich papers from Semantic Scholar (year, venue, citations, references)."),
    Setting("robots", bool, False, "Obey robots.txt (off: a link checker fetches single URLs a person listed)."),
    Setting("offline_probe", bool, True, "When most hosts fail DNS/connect, probe the network before saying offline."),
    Setting("video_durations", bool, False,
            "Also read each YouTube video's watch page for its duration (one more request per video)."),
    Setting("http_engine", str, "asyncio",
            "HTTP stack: asyncio (Scrapy's aiohttp handler on a plain asyncio loop, no Twisted reactor; "
            "about twice as fast) or twisted (Scrapy's Twisted HTTP/1.1 client).", choices=("asyncio", "twisted")),
    Setting("workers", int, 0, "Crawler processes on this machine sharing one crawl, hosts split between them "
            "(0: one per core, at most 4, for crawls of 2,000 links or more; else 1)."),
    Setting("base_iri", str, DEFAULT_BASE_IRI,
            "Graph: where data IRIs live (topics, resources, people, checks): an absolute http(s) IRI ending "
            "in / or #, e.g. https://you.github.io/trilha/id/. The vocabulary (trl:) stays fixed.",
            check=check_base_iri),
)
_BY_NAME = {s.name: s for s in SETTINGS}

#: stricter defaults for sites that rate-limit (per-host overrides win)
POLITE_HOSTS: dict[str, dict[str, Any]] = {
    "arxiv.org": {"concurrency": 1, "delay": 3.0},
    "export.arxiv.org": {"concurrency": 1, "delay": 3.0},
    "github.com": {"concurrency": 2, "delay": 1.0},
    "api.github.com": {"concurrency": 1, "delay": 1.0},
    "www.youtube.com": {"concurrency": 2, "delay": 1.0},
    "youtube.com": {"concurrency": 2, "delay": 1.0},
    "www.kaggle.com": {"concurrency": 1, "delay": 2.0},
    "kaggle.com": {"concurrency": 1, "delay": 2.0},
}


@dataclass(frozen=True, slots=True, kw_only=True)
class HostOverride:
    """Per-host settings (``[hosts."<host>"]``)."""

    concurrency: int | None = None
    delay: float | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    accept: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    remap: tuple[str, ...] = ()
    allow_private: bool = False
    timeout: float = 20.0
    retries: int = 2
    retry_base_delay: float = 1.0
    retry_max_delay: float = 30.0
    max_page_bytes: int = 512 * 1024
    max_bytes: int = 16 * 1024 * 1024
    concurrency: int = 16
    per_host_concurrency: int = 2
    delay: float = 0.25
    autothrottle: bool = True
    user_agent: str = DEFAULT_USER_AGENT
    github_token: str = ""
    redis_url: str = ""
    batch_size: int = 10
    fragments: bool = True
    wayback: bool = True
    enrich: bool = True
    robots: bool = False
    offline_probe: bool = True
    video_durations: bool = False
    http_engine: str = "asyncio"
    workers: int = 0
    base_iri: str = DEFAULT_BASE_IRI
    hosts: Mapping[str, HostOverride] = field(default_factory=dict)
    source: str = "defaults"

    def host(self, host: str) -> HostOverride:
        """The override for ``host`` (exact, then without ``www.``), else the polite default."""
        host = host.lower()
        for name in (host, host.removeprefix("www.")):
            if name in self.hosts:
                return self.hosts[name]
        polite = POLITE_HOSTS.get(host)
        return HostOverride(**polite) if polite else HostOverride()


def _coerce(setting: Setting, value: Any, origin: str) -> Any:
    key = f"{setting.name} ({origin})"
    try:
        if setting.kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(f"not a boolean: {value!r}")
        if setting.kind is list:
            items = value if isinstance(value, list | tuple) else [v for v in str(value).split("\n") if v.strip()]
            out = tuple(str(v) for v in items)
            if setting.name in ("include", "exclude"):
                for pattern in out:
                    re.compile(pattern)
            return out
        if setting.kind is int:
            if isinstance(value, bool):
                raise ValueError("not an integer")
            result = int(value)
            if result < 0:
                raise ValueError("must not be negative")
            return result
        if setting.kind is float:
            result = float(value)
            if result < 0:
                raise ValueError("must not be negative")
            return result
        text = str(value)
        if setting.choices and text not in setting.choices:
            raise ValueError(f"{text!r} is not one of {', '.join(setting.choices)}")
        if setting.check is not None:
            setting.check(text)
        return text
    except (ValueError, TypeError, re.error) as exc:
        raise ConfigError(f"config key {key}: {exc}") from None


def _hosts(raw: Any) -> dict[str, HostOverride]:
    if not isinstance(raw, dict):
        raise ConfigError("config key hosts: must be a table of host tables")
    out: dict[str, HostOverride] = {}
    for host, spec in raw.items():
        if not isinstance(spec, dict):
            raise ConfigError(f"config key hosts.{host}: must be a table")
        unknown = set(spec) - {"concurrency", "delay", "headers", "accept"}
        if unknown:
            raise ConfigError(f"config key hosts.{host}.{sorted(unknown)[0]}: unknown setting")
        try:
            out[host.lower()] = HostOverride(
                concurrency=int(spec["concurrency"]) if "concurrency" in spec else None,
                delay=float(spec["delay"]) if "delay" in spec else None,
                headers={str(k): str(v) for k, v in (spec.get("headers") or {}).items()},
                accept=tuple(int(c) for c in spec.get("accept") or ()),
            )
        except (TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"config key hosts.{host}: {exc}") from None
    return out


def read_file(path: Path) -> dict[str, Any]:
    """The trilha table of a TOML file (``[tool.trilha]`` in pyproject.toml)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("trilha", {})
    return data


def find_file(cwd: Path) -> Path | None:
    if (cwd / "trilha.toml").is_file():
        return cwd / "trilha.toml"
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file() and read_file(pyproject):
        return pyproject
    return None


def load_config(
    flags: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    file: Path | None = None,
    cwd: Path | None = None,
) -> Config:
    """Merge defaults < file < environment < flags (flags with value None are not given)."""
    env = os.environ if env is None else env
    path = file if file is not None else find_file(cwd or Path.cwd())
    values: dict[str, Any] = {}
    source = "defaults"
    hosts: dict[str, HostOverride] = {}
    if path is not None:
        data = dict(read_file(path))
        source = str(path)
        if "hosts" in data:
            hosts = _hosts(data.pop("hosts"))
        for key, value in data.items():
            setting = _BY_NAME.get(key.replace("-", "_"))
            if setting is None:
                raise ConfigError(f"config key {key} ({path}): unknown setting")
            values[setting.name] = _coerce(setting, value, str(path))
    for setting in SETTINGS:
        for name in (f"TRILHA_{setting.name.upper()}", *setting.env):
            if env.get(name):
                values[setting.name] = _coerce(setting, env[name], f"env {name}")
                break
    for key, value in (flags or {}).items():
        if value is None or (isinstance(value, tuple | list) and not value):
            continue
        setting = _BY_NAME.get(key)
        if setting is None:
            raise ConfigError(f"config key {key}: unknown setting")
        values[setting.name] = _coerce(setting, value, "flag")
    config = Config(hosts=hosts, source=source)
    known = {f.name for f in fields(Config)}
    return replace(config, **{k: v for k, v in values.items() if k in known})


def describe() -> list[tuple[str, str, str]]:
    """(name, default, help) for every setting: for ``--help`` texts and docs."""
    return [(s.name, repr(s.default), s.help) for s in SETTINGS]
