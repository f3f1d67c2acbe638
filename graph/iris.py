"""Stable IRIs: the same input always gives the same IRI (no counters, no clocks).

Every IRI is a base + a kind + a key derived from the data itself: a slug of the
heading path for topics, of the text for concepts, the site id (``arxiv:1706.03762``)
or a hash of the canonical URL for resources, the handle or name for people.

The base is a parameter, not a global: a :class:`Minter` mints under one base
(``base_iri`` setting, default :data:`graph.vocab.DEFAULT_BASE`), so graphs with
different bases can be built in one process.  Keys never depend on the base: swapping
it changes the prefix of every data IRI and nothing else.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from rdflib import URIRef

from graph.vocab import DEFAULT_BASE
from trilha.config import check_base_iri
from trilha.errors import ConfigError


def fold(text: str) -> str:
    """Case- and accent-insensitive key: ``"Ciência  de Dados"`` → ``"ciencia de dados"``."""
    if text.isascii():
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def slug(text: str, *, max_len: int = 80) -> str:
    """ASCII slug (``"Deep Learning - Neural Networks"`` → ``deep-learning-neural-networks``)."""
    s = re.sub(r"[^a-z0-9.]+", "-", fold(text)).strip("-.")
    if len(s) > max_len:
        s = s[:max_len].rstrip("-.") + "-" + short_hash(text, 6)
    return s or "x-" + short_hash(text, 8)


def short_hash(text: str, n: int = 12) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def list_key(source: str) -> str:
    """Key of a list from its source: the file stem, or the URL's last path segment."""
    path = urlsplit(source).path if "://" in source else source
    stem = PurePosixPath(path.replace("\\", "/")).stem
    return slug(stem or source)


class Minter:
    """Mints every data IRI of a graph under one ``base`` (checked: absolute http(s), ends in / or #)."""

    __slots__ = ("_people", "agent", "base")

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        try:
            self.base = check_base_iri(base)
        except ValueError as exc:
            raise ConfigError(f"base IRI: {exc}") from None
        self._people: dict[tuple[str, str | None], URIRef] = {}   # person_iri memo (hot: once per mention)
        self.agent = self._iri("agent", "trilha")

    def __repr__(self) -> str:
        return f"Minter({self.base!r})"

    def _iri(self, *parts: str) -> URIRef:
        """base + the parts.  Every part is a slug, a hex hash or a number and the base is
        checked, so the IRI is valid by construction: skip rdflib's per-character check in
        ``URIRef()`` (about 5 µs an IRI, a few seconds of a 100,000-resource build)."""
        return str.__new__(URIRef, self.base + "/".join(parts))

    def is_kind(self, iri: URIRef, kind: str) -> bool:
        """Was ``iri`` minted here as a ``kind`` ("res", "topic", …)?"""
        return iri.startswith(self.base + kind + "/")

    def dataset_iri(self, source: str) -> URIRef:
        """The graph itself (its VoID description), one per list."""
        return self._iri("dataset", list_key(source))

    def list_iri(self, source: str) -> URIRef:
        return self._iri("list", list_key(source))

    def topic_iri(self, source: str, path: tuple[str, ...]) -> URIRef:
        return self._iri("topic", list_key(source), *(slug(p, max_len=50) for p in path))

    def concept_iri(self, text: str) -> URIRef:
        """Concepts are shared across sections and lists: the same text is the same concept."""
        return self._iri("concept", slug(text))

    def resource_iri(self, canonical: str, site_id: str | None = None) -> URIRef:
        if site_id:
            site, _, ident = site_id.partition(":")
            return self._iri("res", slug(site, max_len=20) + "-" + slug(ident or site, max_len=60))
        host = urlsplit(canonical).hostname or "x"
        return self._iri("res", slug(host, max_len=40) + "-" + short_hash(canonical))

    def person_iri(self, key: str, site: str | None = None) -> URIRef:
        """A person or channel: by ``site`` + handle when known, else by the folded name."""
        iri = self._people.get((key, site))
        if iri is None:
            handle = key.lstrip("@")
            prefix = slug(site, max_len=20) + "-" if site else ""
            iri = self._iri("person", prefix + slug(handle, max_len=60))
            if len(self._people) < 65_536:
                self._people[(key, site)] = iri
        return iri

    def prerequisite_iri(self, dependent: URIRef, prerequisite: URIRef, source: str) -> URIRef:
        """The key hashes both ends as if minted under the default base, so it is the same
        under every base (and unchanged for graphs built before bases were configurable)."""
        dep, pre = (DEFAULT_BASE + x.removeprefix(self.base) for x in (dependent, prerequisite))
        return self._iri("prereq", short_hash(f"{dep} {pre} {source}", 16))

    def crawl_iri(self, crawl_id: int) -> URIRef:
        return self._iri("crawl", str(crawl_id))

    def check_iri(self, crawl_id: int, resource: URIRef) -> URIRef:
        return self._iri("check", str(crawl_id), resource.rsplit("/", 1)[-1])

    def result_iri(self, crawl_id: int, resource: URIRef) -> URIRef:
        return self._iri("check", str(crawl_id), resource.rsplit("/", 1)[-1], "result")
