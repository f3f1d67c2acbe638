"""Assemble a :class:`trilha.model.StudyList` from Markdown text (pure; no I/O).

Steps: repair mojibake (one note) → walk the Markdown (``markdown.py``) → sections with
GitHub anchors (``anchors.py``) → for each link: resolve as written, findings
(``findings.py``), internal-or-not, canonical identity and site facts (``crawler.urls``),
annotations (``annotations.py``) → list items without links become concepts.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from trilha import gcpolicy
from trilha.model import ConceptItem, ConceptKind, Finding, Mention, ResourceKind, Section, StudyList

from ..urls import canonical_url, host_of, url_facts
from .anchors import anchors_of
from .annotations import annotations_of, date_hint, kind_hint
from .findings import resolve
from .markdown import RawBlock, RawDocument, RawLink, walk
from .mojibake import repair_text

_KEYWORDS = re.compile(r"^(?P<lead>[^:]{0,160}?\b(?:keywords?|conceitos?|concepts?)\b[^:]*):\s*(?P<terms>.+)$",
                       re.IGNORECASE)
_LABEL_LIST = re.compile(r"^(?P<lead>[^:,]{1,40}):\s*(?P<terms>[^:]+)$")
#: "Pesquisar sobre Boosting, Bagging" → "Boosting", "Bagging"
_LEAD_IN = re.compile(r"^(?:pesquisar sobre|pesquisar|estudar|aprender|research|learn about|study)\s+",
                      re.IGNORECASE)
_ELLIPSIS = re.compile(r"(?:\.{2,}|…)+$")
_WEAK_KINDS = (ResourceKind.PAGE, ResourceKind.PDF)
_MIN_TOC_LINKS = 3


def split_terms(terms: str) -> list[str]:
    """Split "a, b (c, d), e..." on top-level commas; trailing "..."/"…" removed."""
    out, depth, cur = [], 0, []
    for ch in terms:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    cleaned = [_ELLIPSIS.sub("", t.strip()).strip().rstrip(".;").strip() for t in out]
    if cleaned:
        cleaned[0] = _LEAD_IN.sub("", cleaned[0])
    return [t for t in cleaned if t]


def _without_fragment(url: str) -> str:
    try:
        p = urlsplit(url)
        return urlunsplit((p.scheme, p.netloc, p.path, p.query, ""))
    except ValueError:
        return url


def own_key(url: str) -> str:
    """Identity key of a list's own page: raw.githubusercontent.com is read as its github.com blob page."""
    url = _without_fragment(url)
    try:
        p = urlsplit(url)
    except ValueError:
        return url
    segs = [s for s in p.path.split("/") if s]
    if (p.hostname or "").lower() == "raw.githubusercontent.com" and len(segs) >= 4:
        url = f"https://github.com/{segs[0]}/{segs[1]}/blob/{'/'.join(segs[2:])}"
    return canonical_url(url)


def own_url_aliases(url: str) -> set[str]:
    """Keys (:func:`own_key`) under which a list published at ``url`` links to itself.

    A GitHub README is the same page as its ``raw.githubusercontent.com`` file and, when it
    is the root README, as the repository page (which renders it with the same anchors).
    """
    key = own_key(url)
    out = {key}
    segs = [s for s in urlsplit(key).path.split("/") if s]
    if (urlsplit(key).hostname or "") == "github.com" and len(segs) == 5 and segs[2] == "blob" \
            and segs[4].lower() in ("readme.md", "readme.markdown", "readme"):
        out.add(canonical_url(f"https://github.com/{segs[0]}/{segs[1]}"))
    return out


def infer_own_url(doc: RawDocument, anchors: set[str]) -> str | None:
    """The list's own URL, inferred from a table of contents that links to its headings.

    A document URL counts when at least three links point to it with fragments and at
    least 80 % of those fragments are anchors of this list's headings.
    """
    hits: dict[str, list[bool]] = {}
    for block in doc.blocks:
        for link in block.links:
            w = link.written.strip()
            if "#" not in w or not w.lower().startswith(("http://", "https://")):
                continue
            page, frag = w.split("#", 1)
            hits.setdefault(page, []).append(unquote(frag) in anchors)
    best = None
    for page, marks in hits.items():
        if len(marks) >= _MIN_TOC_LINKS and sum(marks) >= 0.8 * len(marks):
            if best is None or len(marks) > len(hits[best]):
                best = page
    return best


def _mojibake_finding(written: str, original_line: str) -> Finding | None:
    if written.isascii():
        return None
    for charset in ("mac_roman", "cp1252"):
        garbled = written.encode("utf-8").decode(charset, errors="replace")
        if garbled != written and garbled in original_line:
            return Finding(code="mojibake",
                           message=f"written with mojibake as {garbled!r}; read repaired with the list",
                           repair=written)
    return None


def _sections(doc: RawDocument) -> list[Section]:
    anchors = anchors_of([h.text for h in doc.headings])
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    for i, (h, anchor) in enumerate(zip(doc.headings, anchors, strict=True)):
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        stack.append((h.level, h.text))
        sections.append(Section(title=h.text, level=h.level, line=h.line, order=i,
                                path=tuple(t for _, t in stack), anchor=anchor))
    return sections


def _concepts(block: RawBlock, section: Section | None, start: int) -> list[ConceptItem]:
    if block.links or block.kind != "paragraph" or not block.text:
        return []
    path = section.path if section else ()
    order = section.order if section else None

    def item(text: str, kind: ConceptKind, n: int) -> ConceptItem:
        return ConceptItem(text=text, kind=kind, line=block.line, order=start + n, section_path=path,
                           section_order=order)

    m = _KEYWORDS.match(block.text)
    if m:
        return [item(t, ConceptKind.KEYWORD, n) for n, t in enumerate(split_terms(m.group("terms")))]
    if not block.in_list_item:
        return []
    if section is not None and "workflow" in section.title.lower():
        return [item(block.text, ConceptKind.STEP, 0)]
    m = _LABEL_LIST.match(block.text)
    if m:
        terms = split_terms(m.group("terms"))
        if len(terms) >= 3 and all(len(t.split()) <= 5 for t in terms):
            return [item(t, ConceptKind.KEYWORD, n) for n, t in enumerate(terms)]
    return [item(block.text, ConceptKind.ITEM, 0)]


def _title(doc: RawDocument, source: str) -> str:
    for h in doc.headings:
        if h.level == 1 and h.text:
            return h.text
    return doc.headings[0].text if doc.headings else source.rsplit("/", 1)[-1]


def parse_study_list(text: str, *, source: str, base_url: str | None = None,
                     notes: tuple[str, ...] = (), markdown_engine: str | None = None) -> StudyList:
    """Parse a study list's Markdown ``text`` (see the module docstring).

    ``markdown_engine`` picks the Markdown engine (``auto``, ``py``, ``rs``; see
    :func:`crawler.reader.markdown.choose_engine`): the result is the same with either.

    The cyclic garbage collector is paused meanwhile: reading creates a few objects per
    byte, none in reference cycles, and each full collection would walk them all again
    (10 % of the CPU for 100,000 links).
    """
    with gcpolicy.paused():
        return _parse(text, source=source, base_url=base_url, notes=notes, markdown_engine=markdown_engine)


def _parse(text: str, *, source: str, base_url: str | None, notes: tuple[str, ...],
           markdown_engine: str | None) -> StudyList:
    original = text
    repaired = repair_text(text)
    text = repaired.text
    all_notes = list(notes)
    if repaired.note:
        all_notes.append(repaired.note)
    original_lines = original.splitlines() if repaired.note else []

    doc = walk(text, engine=markdown_engine)
    sections = _sections(doc)
    anchor_set = {s.anchor for s in sections}
    anchor_set.update(doc.anchors)       # ids and <a name>s in raw HTML (docs/reader.md)
    own: set[str] = set()
    if base_url:
        own |= own_url_aliases(base_url)
    if source.lower().startswith(("http://", "https://")):
        own |= own_url_aliases(source)
    if not own:
        inferred = infer_own_url(doc, anchor_set)
        if inferred:
            own |= own_url_aliases(inferred)
            base_url = inferred
            all_notes.append(f"base URL inferred from the table of contents: {inferred}")

    own_hosts = {host_of(u) for u in own}
    own_hosts |= {"www." + h for h in own_hosts} | ({"raw.githubusercontent.com"} if own else set())
    ctx = _Context(base_url=base_url, own=frozenset(own), own_hosts=frozenset(own_hosts),
                   anchors=frozenset(anchor_set), original_lines=original_lines)
    concepts: list[ConceptItem] = []
    jobs: list[_Job] = []
    for block in doc.blocks:
        section = sections[block.heading_index] if block.heading_index is not None else None
        path = section.path if section else ()
        sec_order = section.order if section else None
        concepts.extend(_concepts(block, section, len(concepts)))
        jobs.extend((link, block, path, sec_order) for link in block.links)
    mentions = _all_mentions(jobs, ctx)

    return StudyList(
        source=source, title=_title(doc, source), base_url=base_url,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(), text=text,
        sections=tuple(sections), mentions=tuple(mentions), concepts=tuple(concepts),
        notes=tuple(all_notes),
    )


@dataclass(frozen=True, slots=True)
class _Context:
    """What every mention of one list is judged against."""

    base_url: str | None
    own: frozenset[str]              # own_key()s of the list's own page
    own_hosts: frozenset[str]
    anchors: frozenset[str]          # GitHub anchors of the list's headings
    original_lines: list[str]        # lines before mojibake repair ([] when nothing was repaired)


_Job = tuple[RawLink, RawBlock, tuple[str, ...], "int | None"]

#: Lists with at least this many links compute their mentions in two processes (fork, when the
#: platform has it, the machine two CPUs and the process one thread); fewer are not worth a fork.
PARALLEL_LINKS = 20_000
_FORK_JOBS: tuple[list[_Job], _Context] | None = None     # what a forked worker reads


def _all_mentions(jobs: list[_Job], ctx: _Context) -> list[Mention]:
    """Every link's :class:`Mention`, in order; the second half in a forked worker for big lists.

    The worker inherits ``jobs`` (copy-on-write) and sends back plain tuples, which pickle
    about five times faster than ``Mention`` objects (measured in docs/reader.md).
    """
    if len(jobs) < PARALLEL_LINKS or not _can_fork():
        return [_mention(link, block, path, sec_order, ctx, i) for i, (link, block, path, sec_order) in enumerate(jobs)]
    global _FORK_JOBS
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    half = len(jobs) // 2
    _FORK_JOBS = (jobs, ctx)
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            second = pool.submit(_mention_rows, half, len(jobs))
            first = [_mention(link, block, path, sec_order, ctx, i)
                     for i, (link, block, path, sec_order) in enumerate(jobs[:half])]
            try:
                rest = [_from_row(row) for row in second.result()]
            except (OSError, BrokenProcessPool):        # the worker died (killed, out of memory)
                rest = [_mention(link, block, path, sec_order, ctx, half + i)
                        for i, (link, block, path, sec_order) in enumerate(jobs[half:])]
    finally:
        _FORK_JOBS = None
    return first + rest


def _can_fork() -> bool:
    """Fork a helper only from a single-threaded process on a machine with a second core,
    and not when this process already runs children (e.g. ``trilha crawl``'s workers
    warming up while the list is read): they have the other core, and a fork would add
    its memory to theirs for nothing."""
    import multiprocessing
    import threading

    return ("fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) >= 2
            and threading.active_count() == 1 and not multiprocessing.active_children())


def _mention_rows(start: int, end: int) -> list[tuple[Any, ...]]:
    """In the forked worker: mentions ``start``..``end`` as tuples (:func:`_from_row` rebuilds them)."""
    assert _FORK_JOBS is not None
    jobs, ctx = _FORK_JOBS
    return [_to_row(_mention(link, block, path, sec_order, ctx, start + i))
            for i, (link, block, path, sec_order) in enumerate(jobs[start:end])]


_ROW_FIELDS = tuple(f.name for f in fields(Mention))


def _to_row(m: Mention) -> tuple[Any, ...]:
    row = [getattr(m, name) for name in _ROW_FIELDS]
    row[_KIND_HINT] = m.kind_hint.value if m.kind_hint is not None else None
    row[_KIND] = m.kind.value if m.kind is not None else None
    row[_FINDINGS] = tuple((f.code, f.message, f.repair) for f in m.findings)
    return tuple(row)


def _from_row(row: tuple[Any, ...]) -> Mention:
    values = dict(zip(_ROW_FIELDS, row, strict=True))
    values["kind_hint"] = ResourceKind(row[_KIND_HINT]) if row[_KIND_HINT] is not None else None
    values["kind"] = ResourceKind(row[_KIND]) if row[_KIND] is not None else None
    values["findings"] = tuple(Finding(code=c, message=msg, repair=r) for c, msg, r in row[_FINDINGS])
    return Mention(**values)


_KIND_HINT, _KIND, _FINDINGS = (_ROW_FIELDS.index(n) for n in ("kind_hint", "kind", "findings"))


def _missing_anchor(written: str, fragment: str, anchors: frozenset[str]) -> Finding | None:
    plain = unquote(fragment)
    if plain in anchors or plain.lower() in anchors or plain.removeprefix("user-content-") in anchors:
        return None
    close = difflib.get_close_matches(plain, sorted(anchors), n=1, cutoff=0.75)
    return Finding(code="missing-anchor", message=f"no heading of this list has the anchor #{plain}",
                   repair=written.split("#", 1)[0] + "#" + close[0] if close else None)


def _mention(link: RawLink, block: RawBlock, path: tuple[str, ...], sec_order: int | None, ctx: _Context,
             order: int) -> Mention:
    target = link.written
    if link.syntax == "bare" and target.lower().startswith("www."):
        target = "http://" + target     # GFM extended www autolink: "http" is inserted
    assessed = resolve(target, ctx.base_url)
    findings = list(assessed.findings)
    if ctx.original_lines and 0 < link.line <= len(ctx.original_lines):
        moj = _mojibake_finding(link.written, ctx.original_lines[link.line - 1])
        if moj and not any(f.code == "mojibake" for f in findings):
            findings.append(moj)
    url = assessed.url
    written = link.written.strip()
    internal = written.startswith("#") or (
        url is not None and bool(ctx.own) and host_of(url) in ctx.own_hosts and own_key(url) in ctx.own)
    annotations = annotations_of(link.text, link.tail)
    hint = kind_hint(annotations)
    if internal:
        missing = _missing_anchor(written, assessed.fragment, ctx.anchors) if assessed.fragment else None
        if missing is not None:
            findings.append(missing)
        canonical, kind, site, site_id = None, ResourceKind.SECTION, None, None
    else:
        canonical, site, site_id, kind = url_facts(url) if url else (None, None, None, None)
        if link.is_image and kind in _WEAK_KINDS:
            kind = ResourceKind.IMAGE
        if hint is not None and (kind is None or kind in _WEAK_KINDS):
            kind = hint
    return Mention(
        order=order, written=link.written, url=url, canonical=canonical, fragment=assessed.fragment,
        text=link.text, line=link.line, section_path=path, section_order=sec_order,
        item_text=block.text, annotations=annotations, kind_hint=hint, date_hint=date_hint(annotations),
        site=site, kind=kind, site_id=site_id, is_image=link.is_image, is_internal=internal,
        syntax=link.syntax, findings=tuple(findings),
    )
