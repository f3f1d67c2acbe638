"""Terms for the builder's hot loop: a light literal, cached namespaces, literal helpers.

rdflib's ``Literal()`` parses every lexical value into a Python value, which made up half
of the build time at 100,000 resources; the builder yields :class:`Lit` instead and the
edges convert: :meth:`Lit.to_rdflib` for an rdflib graph, :func:`nt_term` for N-Triples
(https://www.w3.org/TR/n-triples/ §2.4: ``"…"`` with ``\\\\ \\" \\n \\r`` escaped, then
``@lang`` or ``^^<datatype>``) that Oxigraph bulk-loads.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any, NamedTuple

import pyoxigraph as ox

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS as _DCTERMS
from rdflib.namespace import PROV as _PROV
from rdflib.namespace import RDF as _RDF
from rdflib.namespace import RDFS as _RDFS
from rdflib.namespace import SKOS as _SKOS
from rdflib.namespace import XSD as _XSD

from graph.vocab import BIBO as _BIBO
from graph.vocab import CITO as _CITO
from graph.vocab import EARL as _EARL
from graph.vocab import SCHEMA as _SCHEMA
from graph.vocab import TRL as _TRL

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


class Lit(NamedTuple):
    value: str
    datatype: str | None = None
    lang: str | None = None

    @staticmethod
    def of(value: Any, datatype: Any = None, lang: str | None = None) -> Lit:
        t = type(value)
        if t is str:                              # the common case first (hot loop)
            return _new_lit(Lit, (value, None if datatype is None else str(datatype), lang))
        if t is int:
            return _new_lit(Lit, (str(value), _XSD_INTEGER, None))
        if isinstance(value, bool):
            return Lit("true" if value else "false", XSD_NS + "boolean")
        if isinstance(value, int):
            return Lit(str(value), XSD_NS + "integer")
        return Lit(str(value), str(datatype) if datatype is not None else None, lang)

    def to_rdflib(self) -> Literal:
        if self.lang:
            return Literal(self.value, lang=self.lang)
        return Literal(self.value, datatype=URIRef(self.datatype) if self.datatype else None)


_new_lit = tuple.__new__
_XSD_INTEGER = XSD_NS + "integer"


def to_rdflib(term: Any) -> Any:
    return term.to_rdflib() if isinstance(term, Lit) else term


def nt_term(term: Any) -> str:
    """One term in N-Triples syntax (IRIs are trusted: the builder validates them)."""
    if isinstance(term, Lit):
        body = '"' + term.value.translate(_ESCAPE) + '"'
        if term.lang:
            return body + "@" + term.lang
        if term.datatype and term.datatype != XSD_NS + "string":
            return body + "^^<" + term.datatype + ">"
        return body
    if isinstance(term, URIRef):
        return "<" + str.__str__(term) + ">"
    if isinstance(term, Literal):
        return nt_term(Lit(str(term), str(term.datatype) if term.datatype else None, term.language))
    if isinstance(term, BNode):
        return "_:" + str.__str__(term)
    raise TypeError(f"not an RDF term: {term!r}")


class CachedNamespace:
    """Attribute access to a namespace with the IRIs cached (rdflib's lookup is slow in hot loops)."""

    def __init__(self, ns: object) -> None:
        self._ns = ns

    def __getattr__(self, name: str) -> URIRef:
        value = URIRef(getattr(self._ns, name))
        setattr(self, name, value)
        return value


BIBO, CITO, EARL, SCHEMA, TRL = (CachedNamespace(x) for x in (_BIBO, _CITO, _EARL, _SCHEMA, _TRL))
DCTERMS, PROV, RDF, RDFS, SKOS, XSD = (CachedNamespace(x) for x in (_DCTERMS, _PROV, _RDF, _RDFS, _SKOS, _XSD))


def url_term(url: str) -> URIRef | Lit:
    """An IRI for a well-formed URL; an ``xsd:anyURI`` literal for anything else."""
    if _SAFE_URL.match(url):
        try:
            ox.NamedNode(url)                 # RFC 3987 check, the same one Oxigraph applies on load
            return URIRef(url)
        except ValueError:
            pass
    return Lit.of(url, datatype=XSD.anyURI)


def date_literal(text: str | None) -> Lit | None:
    """ISO date text as a typed literal (xsd:gYear / gYearMonth / date / dateTime)."""
    if not text:
        return None
    t = text.strip()
    if re.fullmatch(r"\d{4}", t):
        return Lit.of(t, datatype=XSD.gYear)
    if re.fullmatch(r"\d{4}-\d{2}", t):
        return Lit.of(t, datatype=XSD.gYearMonth)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return Lit.of(t, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})?", t):
        return Lit.of(t, datatype=XSD.dateTime)
    return None


def iso_duration(seconds: int) -> str:
    """``5025`` → ``"PT1H23M45S"`` (ISO 8601, as ``schema:timeRequired`` expects)."""
    h, rest = divmod(max(0, int(seconds)), 3600)
    m, s = divmod(rest, 60)
    out = "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s or not (h or m) else "")
    return out


@functools.lru_cache(maxsize=4096)
def dt_literal(value: datetime) -> Lit:
    return Lit.of(value.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)


def arxiv_id(value: str) -> str:
    v = value.strip()
    v = re.sub(r"^(arxiv:|arXiv:)", "", v)
    return re.sub(r"v\d+$", "", v)



_SAFE_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>\"{}|\\^`]+$")
