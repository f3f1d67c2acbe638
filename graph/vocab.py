"""Namespaces: the standard vocabularies trilha reuses, and its own few terms (``trl:``).

Reused (see docs/graph.md and ../shared/research/metadata-sources.md §C): SKOS for the
list and its topics/concepts, schema.org for resources and people, Dublin Core terms,
FaBiO/BIBO/CiTO for papers and citations, EARL + PROV-O for checks and crawls.  Own
terms only where those lack one: a qualified prerequisite (reason + source) and the
fine-grained verdict.  The terms are described in ``data/vocab/trilha.ttl``.

The ``trl:`` namespace is the vocabulary, not data: it stays ``https://trilha.example/ns#``
whatever ``base_iri`` a maintainer publishes their data IRIs under (see docs/graph.md).
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace
from rdflib.term import URIRef

from trilha.config import DEFAULT_BASE_IRI

#: where data IRIs live (topics, resources, people, checks) unless the ``base_iri`` setting
#: says otherwise; the base is passed to the builder (graph.iris.Minter), never read from here
DEFAULT_BASE = DEFAULT_BASE_IRI

SCHEMA = Namespace("https://schema.org/")
FABIO = Namespace("http://purl.org/spar/fabio/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
CITO = Namespace("http://purl.org/spar/cito/")
EARL = Namespace("http://www.w3.org/ns/earl#")
SH = Namespace("http://www.w3.org/ns/shacl#")
#: VoID (https://www.w3.org/TR/void/): the graph's own description (void:uriSpace = the base)
VOID = Namespace("http://rdfs.org/ns/void#")


class TRL(DefinedNamespace):
    """trilha's own terms (``https://trilha.example/ns#``)."""

    _NS = Namespace("https://trilha.example/ns#")
    _fail = True

    # classes
    Topic: URIRef            # a heading of a list (also a skos:Concept)
    Prerequisite: URIRef     # a qualified "requires" edge (qualified relation pattern)
    # properties
    requires: URIRef         # X trl:requires Y  = learn Y before X (direct, unqualified)
    qualifiedPrerequisite: URIRef   # X -> its trl:Prerequisite nodes
    dependent: URIRef        # Prerequisite -> X
    prerequisite: URIRef     # Prerequisite -> Y
    reason: URIRef           # Prerequisite -> free text
    source: URIRef           # Prerequisite -> "curated" | "list-order" | "citation"
    comesBefore: URIRef      # weak order: topic A comes before topic B in the list
    conceptKind: URIRef      # keyword | step | item
    kind: URIRef             # trilha.model.ResourceKind value of a resource
    site: URIRef             # adapter site name (arxiv, youtube, github, kaggle, …)
    siteId: URIRef           # e.g. "arxiv:1706.03762"
    handle: URIRef           # a person's handle, e.g. "@hinepo"
    sectionPath: URIRef      # " › "-joined heading path of a topic
    lookupKey: URIRef        # a label folded (case, accents, spaces) for exact-match lookup
    verdict: URIRef          # fine-grained verdict of a check (trilha.model.Verdict)
    changedFrom: URIRef      # a check result's earlier verdict, when the previous crawl's differs
    httpStatus: URIRef
    finalUrl: URIRef
    suggestedUrl: URIRef
    checkReason: URIRef
    crawlStatus: URIRef      # running | finished | interrupted | failed
    anchorText: URIRef       # the link text as written in the list
    durationSeconds: URIRef  # duration in seconds (xsd:integer, for sorting and sums)
    line: URIRef             # line of the first mention / heading in the list


TRL_NS = TRL._NS

PREFIXES: dict[str, object] = {
    "trl": TRL_NS, "schema": SCHEMA, "skos": SKOS, "dct": DCTERMS, "fabio": FABIO, "bibo": BIBO,
    "cito": CITO, "earl": EARL, "prov": PROV, "void": VOID, "xsd": XSD, "rdfs": RDFS, "rdf": RDF,
}

#: SPARQL prologue with every prefix above (named queries may rely on it).  Vocabularies
#: only: no BASE and no prefix for data IRIs, so a query works whatever base the graph has.
SPARQL_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def bind_prefixes(graph: object, base: str | None = None) -> None:
    """Bind the usual prefixes on an rdflib graph (for readable Turtle), and ``id:`` to
    ``base`` when given (a graph read from a file keeps the prefixes the file declares)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)  # type: ignore[attr-defined]
    if base is not None:
        graph.bind("id", Namespace(base), override=True, replace=True)  # type: ignore[attr-defined]
