"""``--remap 'REGEX REPLACEMENT'``: send requests elsewhere, keep the identity.

Format as lychee's ``--remap`` (lycheeverse/lychee README: "Remap URI matching pattern to
different URI", one ``pattern replacement`` pair separated by whitespace).  The
replacement uses Python ``re`` group references (``\\1`` or ``\\g<name>``).  The first rule
whose pattern matches is applied; pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from trilha.errors import ConfigError


@dataclass(frozen=True, slots=True)
class RemapRule:
    pattern: re.Pattern[str]
    replacement: str

    @property
    def text(self) -> str:
        return f"{self.pattern.pattern} {self.replacement}"


def parse_remap(text: str) -> RemapRule:
    """``'REGEX REPLACEMENT'`` → a rule; ConfigError naming the flag when it is not one."""
    parts = text.strip().split(None, 1)
    if len(parts) != 2:
        raise ConfigError(f"remap: expected 'REGEX REPLACEMENT', got {text!r}")
    try:
        pattern = re.compile(parts[0])
    except re.error as exc:
        raise ConfigError(f"remap: invalid regex {parts[0]!r}: {exc}") from None
    rule = RemapRule(pattern, parts[1].strip())
    try:
        re.compile(r"(?s)(.*)").sub(_neutral(rule.replacement, pattern.groups), "x")
    except re.error as exc:
        raise ConfigError(f"remap: invalid replacement {parts[1]!r}: {exc}") from None
    return rule


def _neutral(replacement: str, groups: int) -> str:
    """The replacement with group references the pattern has turned into ``\\1``, for a syntax check."""
    if re.search(r"\\(\d+)", replacement) and any(int(g) > groups for g in re.findall(r"\\(\d+)", replacement)):
        raise re.error(f"refers to a group the pattern does not have ({groups} groups)")
    return re.sub(r"\\(\d+)|\\g<[^>]*>", r"\\1", replacement)


def parse_remaps(texts: Iterable[str]) -> tuple[RemapRule, ...]:
    return tuple(parse_remap(t) for t in texts)


def with_path(url: str) -> str:
    """``https://example.com`` → ``https://example.com/`` (a location needs a path)."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and not parts.path:
        return urlunsplit((parts.scheme, parts.netloc, "/", parts.query, parts.fragment))
    return url


def apply_remaps(rules: Sequence[RemapRule], url: str) -> str:
    """Where to send a request for ``url`` (the URL itself when no rule matches)."""
    if not rules:
        return url
    target = with_path(url)
    for rule in rules:
        if rule.pattern.search(target):
            try:
                return rule.pattern.sub(rule.replacement, target, count=1)
            except (re.error, IndexError) as exc:
                raise ConfigError(f"remap: {rule.text!r} cannot be applied to {url!r}: {exc}") from None
    return url
