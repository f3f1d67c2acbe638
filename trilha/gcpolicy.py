"""When Python's cyclic garbage collector runs during trilha's bulk work.

Two patterns, both measured (docs/benchmarks.md):

* :func:`paused`: reading a list or storing its rows makes a few objects per byte and
  no reference cycles, so every collection in between only walks them again
  (10 % of the CPU for 100,000 links).
* :func:`crawling`: a crawl holds a large, long-lived heap (Scrapy, the targets, the
  store) while each response makes short-lived objects.  Freezing what exists when the
  crawl starts takes it out of every later collection, and a larger first-generation
  threshold collects the per-response objects less often (10 % less crawler CPU on
  20,000 loopback links).  Both are undone when the crawl ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: allocations between first-generation collections during a crawl (CPython's default: 700)
CRAWL_GEN0_THRESHOLD = 10_000


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block (re-enabled after, if it was enabled)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def crawling() -> Iterator[None]:
    """Collect once, freeze the heap as it is, and collect the young generation less often
    until the block ends; then the frozen objects rejoin the oldest generation and the
    thresholds are restored."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(CRAWL_GEN0_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
