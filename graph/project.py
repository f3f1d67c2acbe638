"""Project the RDF graph onto a NetworkX ``DiGraph`` with plain attributes.

The attribute contract is in docs/architecture.md ("NetworkX projection contract"):
node id = IRI; every attribute a str/int/float/bool, never None.  Extra (additive)
node attribute: ``alt_labels`` ("|"-joined alternative labels, for name lookup).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from graph.vocab import CITO, EARL, SCHEMA, TRL

_SOURCE_RANK = {"curated": 0, "citation": 1, "list-order": 2}


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _i(value: Any) -> int:
    try:
        return int(str(value)) if value is not None else 0
    except ValueError:
        return 0


def _base(node_type: str, kind: str) -> dict[str, Any]:
    return {
        "node_type": node_type, "kind": kind, "label": "", "title": "", "url": "", "topic": "", "section": "",
        "level": 0, "order": 0, "authors": "", "channel": "", "date": "", "duration_s": 0, "stars": 0,
        "citations": 0, "degree": 0, "verdict": "", "health": "", "checked_at": "", "alt_labels": "",
    }


def _latest_checks(g: Graph) -> dict[URIRef, tuple[str, str]]:
    """resource → (verdict, checked_at) of the most recent crawl that checked it."""
    started = {a: _s(t) for a, t in g.subject_objects(PROV.startedAtTime)}
    best: dict[URIRef, tuple[str, str, str]] = {}
    for x in g.subjects(RDF.type, EARL.Assertion):
        r = g.value(x, EARL.subject)
        res = g.value(x, EARL.result)
        crawl = g.value(x, PROV.wasGeneratedBy)
        key = started.get(crawl, "")
        if r is None or res is None:
            continue
        if r not in best or key >= best[r][0]:
            best[r] = (key, _s(g.value(res, TRL.verdict)), _s(g.value(res, DCTERMS.date)))
    return {r: (v, at) for r, (_, v, at) in best.items()}


def to_networkx(g: Graph) -> nx.DiGraph:
    """The projection: topics, concepts, resources and people, with typed edges."""
    nxg = nx.DiGraph()
    topics = set(g.subjects(RDF.type, TRL.Topic))
    for t in topics:
        a = _base("topic", "topic")
        a.update(label=_s(g.value(t, SKOS.prefLabel)), title=_s(g.value(t, SKOS.prefLabel)),
                 section=_s(g.value(t, TRL.sectionPath)), order=_i(g.value(t, SCHEMA.position)),
                 topic=_s(g.value(t, SKOS.broader)))
        nxg.add_node(str(t), **a)
    for c in set(g.subjects(RDF.type, SKOS.Concept)) - topics:
        a = _base("concept", "concept")
        parents = sorted((p for p in g.objects(c, SKOS.broader) if p in topics),
                         key=lambda p: _i(g.value(p, SCHEMA.position)))
        a.update(label=_s(g.value(c, SKOS.prefLabel)), title=_s(g.value(c, SKOS.prefLabel)),
                 order=_i(g.value(c, SCHEMA.position)))
        if parents:
            a.update(topic=str(parents[0]), section=_s(g.value(parents[0], TRL.sectionPath)))
        nxg.add_node(str(c), **a)
    for n in list(nxg.nodes):
        alts = sorted({_s(x) for x in g.objects(URIRef(n), SKOS.altLabel)})
        nxg.nodes[n]["alt_labels"] = "|".join(alts)

    people = set(g.subjects(RDF.type, SCHEMA.Person)) | set(g.subjects(RDF.type, SCHEMA.Organization))
    for p in people:
        a = _base("person", _s(g.value(p, TRL.kind)) or "person")
        a.update(label=_s(g.value(p, SCHEMA.name)), title=_s(g.value(p, SCHEMA.name)), url=_s(g.value(p, SCHEMA.url)))
        nxg.add_node(str(p), **a)

    checks = _latest_checks(g)
    cited = defaultdict(int)
    for _, b in g.subject_objects(CITO.cites):
        cited[b] += 1
    for r in set(g.subjects(RDF.type, SCHEMA.LearningResource)):
        a = _base("resource", _s(g.value(r, TRL.kind)) or "page")
        subjects = sorted((t for t in g.objects(r, DCTERMS.subject) if t in topics),
                          key=lambda t: _i(g.value(t, SCHEMA.position)))
        authors = [g.value(p, SCHEMA.name) for p in g.objects(r, SCHEMA.author)]
        channels = [_s(g.value(p, SCHEMA.name)) for p in g.objects(r, SCHEMA.author)
                    if (p, RDF.type, SCHEMA.Organization) in g]
        stars = g.value(g.value(r, SCHEMA.interactionStatistic) or URIRef("urn:x"), SCHEMA.userInteractionCount)
        verdict, checked_at = checks.get(r, ("", ""))
        a.update(
            label=_s(g.value(r, RDFS.label)), title=_s(g.value(r, SCHEMA.name)), url=_s(g.value(r, SCHEMA.url)),
            order=_i(g.value(r, SCHEMA.position)),
            authors="; ".join(sorted(_s(x) for x in authors if x is not None)),
            channel="; ".join(sorted(channels)),
            date=_s(g.value(r, SCHEMA.datePublished) or g.value(r, DCTERMS.issued)),
            duration_s=_i(g.value(r, TRL.durationSeconds)), stars=_i(stars), citations=cited.get(r, 0),
            verdict=verdict, checked_at=checked_at,
        )
        if subjects:
            a.update(topic=str(subjects[0]), section=_s(g.value(subjects[0], TRL.sectionPath)))
        nxg.add_node(str(r), **a)

    def edge(u: Any, v: Any, rel: str, source: str = "", reason: str = "") -> None:
        if str(u) in nxg and str(v) in nxg and u != v:
            nxg.add_edge(str(u), str(v), rel=rel, source=source, reason=reason)

    for t in topics:
        for sub in g.objects(t, SKOS.narrower):
            edge(t, sub, "narrower")
    for r, t in g.subject_objects(DCTERMS.subject):
        edge(t, r, "mentions")
    for r, c in g.subject_objects(SCHEMA.teaches):
        if not nxg.has_edge(str(c), str(r)):
            edge(r, c, "teaches")
    for pred in (SCHEMA.author, SCHEMA.about):
        for r, p in g.subject_objects(pred):
            edge(r, p, "about")
    for a_, b in g.subject_objects(CITO.cites):
        edge(a_, b, "cites")
    quals = sorted(
        ((_s(g.value(q, TRL.source)), g.value(q, TRL.prerequisite), g.value(q, TRL.dependent), _s(g.value(q, TRL.reason)))
         for q in g.subjects(RDF.type, TRL.Prerequisite)),
        key=lambda x: -_SOURCE_RANK.get(x[0], 3),
    )
    for source, pre, dep, reason in quals:            # strongest source written last, so it wins
        edge(pre, dep, "prerequisite", source, reason)

    from graph.analytics import levels

    for n, lv in levels(nxg).items():
        nxg.nodes[n]["level"] = lv
    for n in nxg.nodes:
        nxg.nodes[n]["degree"] = int(nxg.degree(n))
    return nxg
