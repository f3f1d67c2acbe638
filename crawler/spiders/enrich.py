"""Pure helpers for what the spider adds after a verdict: enrichment metadata merged in.

``merge_meta(base, extra)``: the liveness adapter's metadata wins; the enrichment (e.g.
Semantic Scholar for an arXiv paper) fills only the empty typed fields and adds its
``extra`` keys that the base does not have.
"""

from __future__ import annotations

from dataclasses import fields, replace

from trilha.model import ResourceMeta


def merge_meta(base: ResourceMeta | None, extra: ResourceMeta | None) -> ResourceMeta | None:
    if extra is None:
        return base
    if base is None:
        return extra
    filled = {
        f.name: getattr(extra, f.name)
        for f in fields(ResourceMeta)
        if f.name != "extra" and getattr(base, f.name) in (None, (), "") and getattr(extra, f.name) not in (None, ())
    }
    return replace(base, **filled, extra={**extra.extra, **base.extra})
