"""trilha.gcpolicy: the collector's settings during bulk reading and crawling, restored after."""

from __future__ import annotations

import gc

import pytest

from trilha import gcpolicy


def test_paused_disables_collection_and_restores_it_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gcpolicy.paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_paused_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with gcpolicy.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_crawling_freezes_the_heap_raises_gen0_and_undoes_both() -> None:
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    kept = [object() for _ in range(100)]
    with pytest.raises(KeyError), gcpolicy.crawling():
        assert gc.get_freeze_count() >= len(kept)        # what existed is out of every collection
        assert gc.get_threshold() == (gcpolicy.CRAWL_GEN0_THRESHOLD, *before[1:])
        raise KeyError("spider failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
