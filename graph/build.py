"""Build the RDF graph of a study list from a :class:`~trilha.store.snapshot.Snapshot`.

Pure: ``build_graph(snapshot, curated, base=…)`` depends only on its arguments, uses no
clock and no counters, and emits no blank nodes, so the same input gives the same triples
build after build.  Every data IRI is minted under ``base`` (the ``base_iri`` setting;
default :data:`graph.vocab.DEFAULT_BASE`) by a :class:`graph.iris.Minter` the builder
owns: no module-level state, so graphs with different bases can be built side by side.
Triples are produced by :func:`iter_triples` so a large build can stream them straight
into Oxigraph (:func:`graph.io.to_oxigraph`).

What goes in (vocabulary in ``data/vocab/trilha.ttl``, shapes in ``data/vocab/shapes.ttl``):
the list as a ``skos:ConceptScheme``; headings as ``trl:Topic``/``skos:Concept`` with
``schema:position`` and ``skos:broader`` nesting; concept items as ``skos:Concept``;
resources typed by kind (``schema:LearningResource`` + VideoObject, ScholarlyArticle…)
with ``dct:subject`` (their section) and ``schema:teaches``; people and channels;
``cito:cites`` between listed papers; prerequisites (qualified ``trl:Prerequisite``
nodes plus the direct ``trl:requires`` / weak ``trl:comesBefore``); crawls as
``prov:Activity`` and checks as ``earl:Assertion``; and the graph itself as a
``void:Dataset`` whose ``void:uriSpace`` is the base.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from graph import iris
from graph.iris import Minter
from graph.health import crawl_triples
from graph.health import outcome as outcome  # noqa: PLC0414 - re-exported
from graph.iris import fold
from graph.prerequisites import Curated, PrereqEdge, describe_cycle, find_cycles, resolve_curated
from graph.resources import PersonRef, guess_kind, meta_triples, people_triples, short_label, types_for
from graph.terms import (
    BIBO,
    CITO,
    DCTERMS,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    TRL,
    Lit,
    arxiv_id,
    date_literal,
    iso_duration,
    to_rdflib,
    url_term,
)
from graph.vocab import DEFAULT_BASE, PREFIXES, VOID, bind_prefixes
from trilha.model import Mention, ResourceKind, ResourceMeta
from trilha.store.snapshot import Snapshot

__all__ = ["BuildReport", "build_graph", "date_literal", "iso_duration", "iter_triples", "outcome", "url_term"]

logger = logging.getLogger(__name__)


Triple = tuple[URIRef, URIRef, URIRef | Lit]


@dataclass(slots=True)
class BuildReport:
    """What a build noticed: warnings (unmatched curated names, cycles, empty store) and counts."""

    warnings: list[str] = field(default_factory=list)
    cycles: list[tuple[PrereqEdge, ...]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    prerequisites: list[PrereqEdge] = field(default_factory=list)


#: vocabularies a graph uses, for its VoID description (not xsd/rdf/rdfs: datatypes and RDF itself)
_VOCABULARIES = tuple(sorted(str(ns) for p, ns in PREFIXES.items()
                             if p not in ("xsd", "rdf", "rdfs", "void")))


class _Builder:
    def __init__(self, snap: Snapshot, curated: Curated | None, mint: Minter) -> None:
        self.snap = snap
        self.curated = curated
        self.mint = mint
        self.report = BuildReport()
        self.scheme = mint.list_iri(snap.source)
        self.names: dict[str, list[URIRef]] = {}
        self.topics: dict[tuple[str, ...], URIRef] = {}
        self.concepts: dict[URIRef, str] = {}
        self.labels: dict[URIRef, str] = {}  # resource labels (for cycle messages)
        self.keys: set[tuple[URIRef, str]] = set()

    def key(self, iri: URIRef, label: str) -> Iterator[Triple]:
        """``trl:lookupKey``: the label folded, once per concept (named queries match it exactly)."""
        k = fold(label)
        if k and (iri, k) not in self.keys:
            self.keys.add((iri, k))
            yield iri, TRL.lookupKey, Lit(k)

    def name(self, text: str, iri: URIRef) -> None:
        key = fold(text)
        if key and iri not in self.names.setdefault(key, []):
            self.names[key].append(iri)

    # ------------------------------------------------------------ structure
    def triples(self) -> Iterator[Triple]:
        s = self.snap
        yield self.scheme, RDF.type, SKOS.ConceptScheme
        yield self.scheme, RDF.type, SCHEMA.ItemList
        yield self.scheme, DCTERMS.title, Lit.of(s.title or iris.list_key(s.source))
        yield self.scheme, DCTERMS.source, Lit.of(s.source)
        yield from self.dataset_triples()
        yield from self.topic_triples()
        yield from self.concept_triples()
        yield from self.resource_triples()
        yield from self.prerequisite_triples()
        yield from self.check_triples()

    def dataset_triples(self) -> Iterator[Triple]:
        """VoID (https://www.w3.org/TR/void/, W3C Note 2011): the graph is a ``void:Dataset``;
        ``void:uriSpace`` (a literal, "a URI that is a common string prefix of all the entity
        URIs in a void:Dataset") is the base, ``void:rootResource`` the list, and
        ``void:vocabulary`` each vocabulary used (``trl:`` among them: it is not under the base)."""
        ds = self.mint.dataset_iri(self.snap.source)
        yield ds, RDF.type, VOID.Dataset
        yield ds, VOID.uriSpace, Lit(self.mint.base)
        yield ds, VOID.rootResource, self.scheme
        title = self.snap.title or iris.list_key(self.snap.source)
        yield ds, DCTERMS.title, Lit.of(f"trilha graph of {title}")
        for ns in _VOCABULARIES:
            yield ds, VOID.vocabulary, str.__new__(URIRef, ns)

    def topic_for(self, path: tuple[str, ...]) -> URIRef | None:
        while path:
            if path in self.topics:
                return self.topics[path]
            path = path[:-1]
        return None

    def topic_triples(self) -> Iterator[Triple]:
        secs = sorted(self.snap.sections, key=lambda x: x.order)
        for sec in secs:
            path = sec.path or (sec.title,)
            self.topics.setdefault(path, self.mint.topic_iri(self.snap.source, path))
        for sec in secs:
            path = sec.path or (sec.title,)
            t = self.topics[path]
            if t in self.concepts:
                continue                      # a repeated heading path: first one wins
            self.concepts[t] = sec.title
            yield t, RDF.type, TRL.Topic
            yield t, RDF.type, SKOS.Concept
            yield t, SKOS.inScheme, self.scheme
            yield t, SKOS.prefLabel, Lit.of(sec.title)
            yield from self.key(t, sec.title)
            yield t, SCHEMA.position, Lit.of(sec.order)
            yield t, TRL.sectionPath, Lit.of(" › ".join(path))
            yield t, TRL.line, Lit.of(sec.line)
            parent = self.topic_for(path[:-1])
            if parent is not None:
                yield t, SKOS.broader, parent
                yield parent, SKOS.narrower, t
            else:
                yield t, SKOS.topConceptOf, self.scheme
                yield self.scheme, SKOS.hasTopConcept, t
            self.name(sec.title, t)
            self.name(" / ".join(path), t)
            short = re.split(r"\s+-\s+", sec.title)[0]
            if short != sec.title:
                yield t, SKOS.altLabel, Lit.of(short)
                yield from self.key(t, short)
                self.name(short, t)
            yield from self._extra_labels(sec.title, t)

    def _extra_labels(self, name: str, iri: URIRef) -> Iterator[Triple]:
        if self.curated is None:
            return
        for lang, labels in sorted(self.curated.labels.get(name, {}).items()):
            for label in labels:
                yield iri, SKOS.altLabel, Lit.of(label, lang=lang)
                yield from self.key(iri, label)
                self.name(label, iri)

    def concept_triples(self) -> Iterator[Triple]:
        for item in sorted(self.snap.concepts, key=lambda c: c.order):
            c = self.mint.concept_iri(item.text)
            topic = self.topic_for(item.section_path)
            if c not in self.concepts:
                self.concepts[c] = item.text
                yield c, RDF.type, SKOS.Concept
                yield c, SKOS.inScheme, self.scheme
                yield c, SKOS.prefLabel, Lit.of(item.text)
                yield from self.key(c, item.text)
                yield c, TRL.conceptKind, Lit.of(str(item.kind))
                yield c, SCHEMA.position, Lit.of(item.order)
                yield c, TRL.line, Lit.of(item.line)
                self.name(item.text, c)
                yield from self._extra_labels(item.text, c)
            if topic is not None:
                yield c, SKOS.broader, topic
                yield topic, SKOS.narrower, c
            else:
                yield c, SKOS.topConceptOf, self.scheme

    # ------------------------------------------------------------ resources
    def resource_triples(self) -> Iterator[Triple]:
        meta = self.snap.latest_meta()
        by_canonical: dict[str, list[Mention]] = {}
        for m in sorted(self.snap.mentions, key=lambda m: m.order):
            if m.is_internal or not m.canonical or not m.url:
                continue
            by_canonical.setdefault(m.canonical, []).append(m)
        teach = _ConceptMatcher({c: label for c, label in self.concepts.items()
                                 if not self.mint.is_kind(c, "topic")})
        front: URIRef | None = None
        self.resources: dict[str, URIRef] = {}
        self.papers: dict[str, URIRef] = {}
        described: set[PersonRef] = set()
        for canonical, mentions in by_canonical.items():
            first = mentions[0]
            md = meta.get(canonical)
            site_id = first.site_id or (md.site_id if md else None)
            r = self.mint.resource_iri(canonical, site_id)
            self.resources[canonical] = r
            self.labels[r] = short_label(first.text) or canonical
            kind = first.kind or first.kind_hint or guess_kind(first.url or canonical)
            label = short_label(first.text) or first.url or canonical
            title = (md.title if md and md.title else None) or label
            for t in types_for(kind, first.site):
                yield r, RDF.type, t
            yield r, SCHEMA.url, url_term(first.url or canonical)
            yield r, SCHEMA.name, Lit.of(title)
            yield r, RDFS.label, Lit.of(label)
            if first.text != label:
                yield r, TRL.anchorText, Lit.of(first.text)
            yield r, TRL.kind, Lit.of(str(kind))
            yield r, SCHEMA.learningResourceType, Lit.of(str(kind))
            yield r, SCHEMA.position, Lit.of(first.order)
            yield r, TRL.line, Lit.of(first.line)
            if first.site:
                yield r, TRL.site, Lit.of(first.site)
            if site_id:
                yield r, TRL.siteId, Lit.of(site_id)
            self.name(label, r)
            if site_id:
                self.name(site_id, r)
            for m in mentions:
                topic = self.topic_for(m.section_path)
                if topic is None:
                    if front is None:
                        front = self.mint.topic_iri(self.snap.source, ("_front",))
                        yield from self._front_topic(front)
                    topic = front
                yield r, DCTERMS.subject, topic
                yield r, SCHEMA.teaches, topic
                for c in teach.find(m.text + " \n " + m.item_text):
                    if c != topic:
                        yield r, SCHEMA.teaches, c
            if kind is ResourceKind.PAPER:
                yield from self._paper(r, first, site_id, md)
            if md is not None:
                yield from meta_triples(r, md)
            elif first.date_hint and (d := date_literal(first.date_hint)) is not None:
                yield r, SCHEMA.datePublished, d
            yield from people_triples(r, mentions, md, kind, self.mint, described)

    def _front_topic(self, t: URIRef) -> Iterator[Triple]:
        self.concepts[t] = self.snap.title or "(before the first heading)"
        yield t, RDF.type, TRL.Topic
        yield t, RDF.type, SKOS.Concept
        yield t, SKOS.inScheme, self.scheme
        yield t, SKOS.prefLabel, Lit.of(self.concepts[t])
        yield from self.key(t, self.concepts[t])
        yield t, SCHEMA.position, Lit.of(-1)
        yield t, TRL.sectionPath, Lit.of("")
        yield t, SKOS.topConceptOf, self.scheme
        yield self.scheme, SKOS.hasTopConcept, t

    def _paper(self, r: URIRef, m: Mention, site_id: str | None, md: ResourceMeta | None) -> Iterator[Triple]:
        if site_id and site_id.startswith("arxiv:"):
            aid = arxiv_id(site_id)
            self.papers[aid] = r
            self.name(f"arxiv:{aid}", r)
            yield r, DCTERMS.identifier, Lit.of(f"arXiv:{aid}")
            yield r, BIBO.doi, Lit.of(f"10.48550/arXiv.{aid}")
        issued = date_literal(md.published if md and md.published else None) or date_literal(m.date_hint)
        if issued is not None:
            yield r, DCTERMS.issued, issued

    # ------------------------------------------------------------ prerequisites
    def prerequisite_triples(self) -> Iterator[Triple]:
        edges: list[PrereqEdge] = []
        if self.curated is not None:
            curated, warnings = resolve_curated(self.curated, self.names)
            edges += curated
            self.report.warnings += warnings
        edges += self._list_order()
        edges += self._citations()
        seen: set[tuple[URIRef, URIRef, str]] = set()
        unique = []
        for e in edges:
            if (e.dependent, e.prerequisite, e.source) not in seen:
                seen.add((e.dependent, e.prerequisite, e.source))
                unique.append(e)
        self.report.prerequisites = unique
        self.report.cycles = find_cycles(unique)
        for cycle in self.report.cycles:
            self.report.warnings.append("prerequisite cycle (kept, not broken): " + describe_cycle(cycle, {**self.concepts, **self.labels}))
        for e in unique:
            q = self.mint.prerequisite_iri(e.dependent, e.prerequisite, e.source)
            yield q, RDF.type, TRL.Prerequisite
            yield q, TRL.dependent, e.dependent
            yield q, TRL.prerequisite, e.prerequisite
            yield q, TRL.source, Lit.of(e.source)
            if e.reason:
                yield q, TRL.reason, Lit.of(e.reason)
            yield e.dependent, TRL.qualifiedPrerequisite, q
            if e.source == "list-order":
                yield e.prerequisite, TRL.comesBefore, e.dependent
            else:
                yield e.dependent, TRL.requires, e.prerequisite
                if self._is_resource(e.dependent) and not self._is_resource(e.prerequisite):
                    yield e.dependent, SCHEMA.competencyRequired, e.prerequisite

    def _is_resource(self, iri: URIRef) -> bool:
        return self.mint.is_kind(iri, "res")

    def _list_order(self) -> list[PrereqEdge]:
        top = [(sec.order, self.topics.get(sec.path or (sec.title,))) for sec in self.snap.sections
               if len(sec.path or (sec.title,)) == 1]
        chain = [t for _, t in sorted(top, key=lambda x: x[0]) if t is not None]
        return [
            PrereqEdge(dependent=b, prerequisite=a, source="list-order", reason="earlier in the list")
            for a, b in zip(chain, chain[1:], strict=False)
        ]

    def _citations(self) -> list[PrereqEdge]:
        out = []
        meta = self.snap.latest_meta()
        for canonical, md in sorted(meta.items()):
            r = self.resources.get(canonical)
            refs = md.extra.get("references_arxiv") if md.extra else None
            if r is None or not isinstance(refs, list):
                continue
            for ref in refs:
                cited = self.papers.get(arxiv_id(str(ref)))
                if cited is not None and cited != r:
                    out.append(PrereqEdge(dependent=r, prerequisite=cited, source="citation",
                                          reason="cites it"))
        self.cites = [(e.dependent, e.prerequisite) for e in out]
        return out

    # ------------------------------------------------------------ checks
    def check_triples(self) -> Iterator[Triple]:
        for (a, b) in getattr(self, "cites", []):
            yield a, CITO.cites, b
        yield from crawl_triples(self.snap.crawls, self.resources, self.scheme, self.mint)


class _ConceptMatcher:
    """Finds the concepts a text names (whole words, case and accents ignored)."""

    def __init__(self, labels: dict[URIRef, str]) -> None:
        """``labels``: the concepts (not topics) that a text may name."""
        self.by_key: dict[str, list[URIRef]] = {}
        for iri, label in labels.items():
            key = fold(label)
            if 2 <= len(key) <= 40:
                self.by_key.setdefault(key, []).append(iri)
        keys = sorted(self.by_key, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<![\w])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w])") if keys else None
        )

    def find(self, text: str) -> list[URIRef]:
        if self.pattern is None:
            return []
        out: list[URIRef] = []
        for match in self.pattern.finditer(fold(text)):
            for iri in self.by_key[match.group(1)]:
                if iri not in out:
                    out.append(iri)
        return out


def iter_triples(snapshot: Snapshot, curated: Curated | None = None,
                 report: BuildReport | None = None, *, base: str = DEFAULT_BASE) -> Iterator[Triple]:
    """Every triple of the graph, in a deterministic order (may contain duplicates); data
    IRIs under ``base`` (checked at the call: :class:`trilha.errors.ConfigError` if it is unfit)."""
    return _triples(_Builder(snapshot, curated, Minter(base)), report)


def _triples(builder: _Builder, report: BuildReport | None) -> Iterator[Triple]:
    """The builder's triples; its warnings, cycles and prerequisites go to ``report`` at the end."""
    yield from builder.triples()
    if report is not None:
        report.warnings += builder.report.warnings
        report.cycles += builder.report.cycles
        report.prerequisites += builder.report.prerequisites


def build_graph(
    snapshot: Snapshot | None, curated: Curated | None = None, *, store: str = "default",
    base: str = DEFAULT_BASE,
) -> tuple[Graph, BuildReport]:
    """The graph of ``snapshot`` (an empty but valid graph with a warning when there is none),
    its data IRIs under ``base`` (``id:`` in Turtle)."""
    report = BuildReport()
    mint = Minter(base)                      # checks the base before anything is built
    graph = Graph(store=store)
    bind_prefixes(graph, mint.base)
    if snapshot is None or snapshot.is_empty:
        report.warnings.append("the store holds no list (or an empty one): the graph is empty")
        if snapshot is None:
            return graph, report
    triples = _triples(_Builder(snapshot, curated, mint), report)
    graph.addN((s, p, to_rdflib(o), graph) for s, p, o in triples)
    report.counts = {"triples": len(graph)}
    for w in report.warnings:
        logger.info("%s", w)
    return graph, report
