"""Stable IRIs: the same input always gives the same IRI (no counters, no clocks).

Every IRI is ``BASE`` + a kind + a key derived from the data itself: a slug of the
heading path for topics, of the text for concepts, the site id (``arxiv:1706.03762``)
or a hash of the canonical URL for resources, the handle or name for people.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from rdflib import URIRef

from graph.vocab import BASE


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


def _iri(*parts: str) -> URIRef:
    """``BASE`` + the parts.  Every part is a slug, a hex hash or a number, so the IRI is
    valid by construction: skip rdflib's per-character check in ``URIRef()`` (about 5 µs
    an IRI, a few seconds of a 100,000-resource build) and make the same ``URIRef``."""
    return str.__new__(URIRef, BASE + "/".join(parts))


def list_key(source: str) -> str:
    """Key of a list from its source: the file stem, or the URL's last path segment."""
    path = urlsplit(source).path if "://" in source else source
    stem = PurePosixPath(path.replace("\\", "/")).stem
    return slug(stem or source)


def list_iri(source: str) -> URIRef:
    return _iri("list", list_key(source))


def topic_iri(source: str, path: tuple[str, ...]) -> URIRef:
    return _iri("topic", list_key(source), *(slug(p, max_len=50) for p in path))


def concept_iri(text: str) -> URIRef:
    """Concepts are shared across sections and lists: the same text is the same concept."""
    return _iri("concept", slug(text))


def resource_iri(canonical: str, site_id: str | None = None) -> URIRef:
    if site_id:
        site, _, ident = site_id.partition(":")
        return _iri("res", slug(site, max_len=20) + "-" + slug(ident or site, max_len=60))
    host = urlsplit(canonical).hostname or "x"
    return _iri("res", slug(host, max_len=40) + "-" + short_hash(canonical))


@functools.lru_cache(maxsize=65_536)
def person_iri(key: str, site: str | None = None) -> URIRef:
    """A person or channel: by ``site`` + handle when known, else by the folded name."""
    handle = key.lstrip("@")
    return _iri("person", (slug(site, max_len=20) + "-" if site else "") + slug(handle, max_len=60))


def prerequisite_iri(dependent: URIRef, prerequisite: URIRef, source: str) -> URIRef:
    return _iri("prereq", short_hash(f"{dependent} {prerequisite} {source}", 16))


def crawl_iri(crawl_id: int) -> URIRef:
    return _iri("crawl", str(crawl_id))


def check_iri(crawl_id: int, resource: URIRef) -> URIRef:
    return _iri("check", str(crawl_id), resource.rsplit("/", 1)[-1])


def result_iri(crawl_id: int, resource: URIRef) -> URIRef:
    return _iri("check", str(crawl_id), resource.rsplit("/", 1)[-1], "result")


AGENT = _iri("agent", "trilha")
