"""Pure helpers about one resource: its kind, schema.org types, label and people.

Kinds come from the reader (``Mention.kind`` / ``kind_hint``) when set, else from
the URL's shape.  People come from the URL (twitter.com/<handle>, kaggle.com/<user>/…),
from the list's annotations ("@hinepo", "Abhishek Thakur") and from crawl metadata
(authors, YouTube channel).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from collections.abc import Iterator

from rdflib import URIRef

from graph.iris import Minter
from graph.terms import RDF, TRL, XSD, Lit, date_literal, iso_duration, url_term
from graph.terms import SCHEMA as S
from graph.vocab import FABIO, SCHEMA
from trilha.model import Mention, ResourceMeta
from trilha.model import ResourceKind as K

Triple = tuple[URIRef, URIRef, URIRef | Lit]

TYPES: dict[K, tuple[URIRef, ...]] = {
    K.VIDEO: (SCHEMA.VideoObject,),
    K.PLAYLIST: (SCHEMA.CreativeWorkSeries,),
    K.CHANNEL: (SCHEMA.ProfilePage,),
    K.PAPER: (SCHEMA.ScholarlyArticle,),
    K.NOTEBOOK: (SCHEMA.SoftwareSourceCode,),
    K.COMPETITION: (SCHEMA.WebPage,),
    K.DATASET: (SCHEMA.Dataset,),
    K.COURSE: (SCHEMA.Course,),
    K.DOCS: (SCHEMA.TechArticle,),
    K.REPO: (SCHEMA.SoftwareSourceCode,),
    K.CODE_FILE: (SCHEMA.SoftwareSourceCode,),
    K.PERSON: (SCHEMA.ProfilePage,),
    K.POST: (SCHEMA.SocialMediaPosting,),
    K.BOOK: (SCHEMA.Book,),
    K.IMAGE: (SCHEMA.ImageObject,),
    K.PDF: (SCHEMA.DigitalDocument,),
    K.PAGE: (SCHEMA.WebPage,),
    K.SECTION: (SCHEMA.WebPage,),
}

_PAPER_SUFFIX = re.compile(r"\s+-\s+(?:\w+\s+)?paper\b.*$", re.IGNORECASE)
_TWITTER_HOSTS = {"twitter.com", "x.com", "mobile.twitter.com", "www.twitter.com", "www.x.com"}
_TWITTER_RESERVED = {"i", "home", "search", "hashtag", "intent", "share", "explore"}
_KAGGLE_RESERVED = {"c", "learn", "datasets", "code", "competitions", "discussions", "docs", "models", "k"}
_PEOPLE_SITES = ("twitter.com", "x.com", "youtube.com", "kaggle.com")
_KIND_WORDS = {"vídeo", "video", "paper", "blog", "website", "curso", "notebook", "tendências", "thread"}


_LEARNING, _BLOG, _WEB, _PREPRINT = (URIRef(x) for x in (SCHEMA.LearningResource, SCHEMA.BlogPosting,
                                                         SCHEMA.WebPage, FABIO.Preprint))


def types_for(kind: K, site: str | None) -> tuple[URIRef, ...]:
    extra = (_PREPRINT,) if kind is K.PAPER and site == "arxiv" else ()
    if kind is K.POST and site not in ("twitter", "x"):
        return (_LEARNING, _BLOG)
    return (_LEARNING, *TYPES.get(kind, (_WEB,)), *extra)


def guess_kind(url: str) -> K:
    """A kind from the URL alone (used when the reader gave none)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    segs = [s for s in parts.path.split("/") if s]
    low = parts.path.lower()
    if host == "arxiv.org" or low.endswith("-paper.pdf"):
        return K.PAPER
    if host in ("youtube.com", "m.youtube.com", "youtu.be"):
        if "list=" in parts.query and "v=" not in parts.query:
            return K.PLAYLIST
        if segs[:1] in (["c"], ["channel"], ["user"]) or (segs and segs[0].startswith("@")):
            return K.CHANNEL
        return K.VIDEO
    if host in _TWITTER_HOSTS:
        return K.POST if "status" in segs else K.PERSON
    if host == "kaggle.com":
        if segs[:1] == ["c"]:
            return K.COMPETITION
        if segs[:1] == ["learn"]:
            return K.COURSE
        if segs[:1] == ["datasets"]:
            return K.DATASET
        return K.NOTEBOOK if len(segs) >= 2 else K.PERSON
    if host == "github.com":
        return K.REPO if len(segs) <= 2 else K.CODE_FILE
    if host == "colab.research.google.com":
        return K.NOTEBOOK
    if host in ("udemy.com", "coursera.org", "huggingface.co") and "course" in low:
        return K.COURSE
    if low.endswith(".pdf"):
        return K.PDF
    if low.endswith((".png", ".jpg", ".jpeg", ".gif", ".svg")):
        return K.IMAGE
    if host.startswith("docs.") or "/docs" in low or host.endswith("readthedocs.io"):
        return K.DOCS
    if host in ("medium.com", "towardsdatascience.com") or host.endswith(".medium.com"):
        return K.POST
    return K.PAGE


def short_label(text: str) -> str:
    """``"BERT - paper may/2019"`` → ``"BERT"``; other texts unchanged."""
    return _PAPER_SUFFIX.sub("", " ".join(text.split())) or text


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A person, channel or organisation named by a handle (with its site) or a name."""

    key: str               # handle without "@" or the display name
    name: str              # what to show
    site: str | None = None
    url: str | None = None
    is_channel: bool = False


def people_from_url(url: str) -> list[PersonRef]:
    """Twitter/X and Kaggle handles in a URL: the profile owner or the author of the item."""
    low = url.lower()
    if not any(site in low for site in _PEOPLE_SITES):
        return []                                 # cheap pre-filter: most URLs name nobody
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    segs = [s for s in parts.path.split("/") if s]
    if host in _TWITTER_HOSTS and segs and segs[0].lower() not in _TWITTER_RESERVED:
        handle = segs[0]
        return [PersonRef(key=handle.lower(), name="@" + handle, site="twitter",
                          url=f"https://twitter.com/{handle}")]
    if host.removeprefix("www.").removeprefix("m.") == "youtube.com" and segs:
        if segs[0] in ("c", "user", "channel") and len(segs) > 1:
            name = segs[1]
        elif segs[0].startswith("@"):
            name = segs[0][1:]
        else:
            return []
        return [PersonRef(key=name.lower(), name=name, site="youtube", is_channel=True,
                          url=f"https://www.youtube.com/{'/'.join(segs[:2] if segs[0] != name else segs[:1])}")]
    if host.removeprefix("www.") == "kaggle.com" and segs:
        owner = segs[1] if segs[0] == "datasets" and len(segs) > 1 else segs[0]
        if owner not in _KAGGLE_RESERVED:
            return [PersonRef(key=owner.lower(), name="@" + owner, site="kaggle",
                              url=f"https://www.kaggle.com/{owner}")]
    return []


def people_from_annotations(annotations: tuple[str, ...], site: str | None) -> list[PersonRef]:
    """``"@hinepo"`` (a handle on the resource's site) and names like ``"Abhishek Thakur"``."""
    out = []
    for raw in annotations:
        note = raw.strip()
        if re.fullmatch(r"@[A-Za-z0-9_.-]{2,40}", note):
            handle = note[1:]
            out.append(PersonRef(key=handle.lower(), name=note, site=site if site in ("kaggle", "twitter") else None))
        elif _looks_like_name(note):
            out.append(PersonRef(key=note, name=note))
    return out


def _looks_like_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 4 or any(ch.isdigit() for ch in text):
        return False
    if any(w.casefold() in _KIND_WORDS for w in words):
        return False
    return all(w[0].isupper() and w.replace("-", "").replace(".", "").isalpha() for w in words)


def meta_triples(r: URIRef, md: ResourceMeta) -> Iterator[Triple]:
    """What the crawl's metadata says about a resource (schema.org terms)."""
    if md.description:
        yield r, S.description, Lit.of(md.description)
    if (d := date_literal(md.published)) is not None:
        yield r, S.datePublished, d
    if md.duration_s:
        yield r, S.timeRequired, Lit.of(iso_duration(md.duration_s), datatype=XSD.duration)
        yield r, TRL.durationSeconds, Lit.of(int(md.duration_s))
    if md.language:
        yield r, S.inLanguage, Lit.of(md.language)
    if md.stars is not None:
        counter = URIRef(str(r) + "/stars")
        yield r, S.interactionStatistic, counter
        yield counter, RDF.type, S.InteractionCounter
        yield counter, S.interactionType, S.LikeAction
        yield counter, S.userInteractionCount, Lit.of(int(md.stars))
    if md.archived:
        yield r, S.creativeWorkStatus, Lit.of("archived")
    if md.withdrawn:
        yield r, S.creativeWorkStatus, Lit.of("withdrawn")


def people_triples(r: URIRef, mentions: list[Mention], md: ResourceMeta | None, kind: K, mint: Minter,
                   described: set[PersonRef] | None = None) -> Iterator[Triple]:
    """People and channels of a resource: from its URL, annotations and metadata.

    ``described`` (kept by the caller across resources) skips the description of a person
    already described the same way: a channel of 500 videos is described once, not 500 times.
    """
    first = mentions[0]
    refs: list[PersonRef] = people_from_url(first.url or "")
    for m in mentions:
        refs += people_from_annotations(m.annotations, m.site)
    if md is not None:
        refs += [PersonRef(key=a, name=a) for a in md.authors]
        if md.channel:
            refs.append(PersonRef(key=md.channel, name=md.channel, site=first.site,
                                  url=md.channel_url, is_channel=True))
    seen: set[URIRef] = set()
    for ref in refs:
        p = mint.person_iri(ref.key, ref.site)
        if p in seen:
            continue
        seen.add(p)
        yield r, S.about if kind in (K.PERSON, K.CHANNEL) else S.author, p
        if described is not None:
            if ref in described:
                continue
            described.add(ref)
        yield p, RDF.type, S.Organization if ref.is_channel else S.Person
        yield p, S.name, Lit.of(ref.name)
        yield p, TRL.kind, Lit.of("channel" if ref.is_channel else "person")
        if ref.site and ref.name.startswith("@"):
            yield p, TRL.handle, Lit.of(ref.name)
        if ref.url:
            yield p, S.url, url_term(ref.url)
