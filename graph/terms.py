"""A light literal for the builder's hot loop, convertible to rdflib or N-Triples.

rdflib's ``Literal()`` parses every lexical value into a Python value, which made up half
of the build time at 100,000 resources; the builder yields :class:`Lit` instead and the
edges convert: :meth:`Lit.to_rdflib` for an rdflib graph, :func:`nt_term` for N-Triples
(https://www.w3.org/TR/n-triples/ §2.4: ``"…"`` with ``\\\\ \\" \\n \\r`` escaped, then
``@lang`` or ``^^<datatype>``) that Oxigraph bulk-loads.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from rdflib import BNode, Literal, URIRef

XSD = "http://www.w3.org/2001/XMLSchema#"
_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


class Lit(NamedTuple):
    value: str
    datatype: str | None = None
    lang: str | None = None

    @staticmethod
    def of(value: Any, datatype: Any = None, lang: str | None = None) -> Lit:
        if isinstance(value, bool):
            return Lit("true" if value else "false", XSD + "boolean")
        if isinstance(value, int):
            return Lit(str(value), XSD + "integer")
        return Lit(str(value), str(datatype) if datatype is not None else None, lang)

    def to_rdflib(self) -> Literal:
        if self.lang:
            return Literal(self.value, lang=self.lang)
        return Literal(self.value, datatype=URIRef(self.datatype) if self.datatype else None)


def to_rdflib(term: Any) -> Any:
    return term.to_rdflib() if isinstance(term, Lit) else term


def nt_term(term: Any) -> str:
    """One term in N-Triples syntax (IRIs are trusted: the builder validates them)."""
    if isinstance(term, Lit):
        body = '"' + term.value.translate(_ESCAPE) + '"'
        if term.lang:
            return body + "@" + term.lang
        if term.datatype and term.datatype != XSD + "string":
            return body + "^^<" + term.datatype + ">"
        return body
    if isinstance(term, URIRef):
        return "<" + str.__str__(term) + ">"
    if isinstance(term, Literal):
        return nt_term(Lit(str(term), str(term.datatype) if term.datatype else None, term.language))
    if isinstance(term, BNode):
        return "_:" + str.__str__(term)
    raise TypeError(f"not an RDF term: {term!r}")
