"""Data-driven adapter tests: one test per directory under ``tests/fixtures/adapters/``.

Each case feeds recorded (real or documented-model) HTTP exchanges to an adapter and
compares the outcome with ``expected.json``; the format is described in
``tests/adapters_support.py`` and every case's ``doc`` names its source.
"""

from __future__ import annotations

import importlib

import pytest

from tests.adapters_support import all_cases, load, make_exchanges, make_fetched, mismatches

CASES = all_cases()


def _adapter(name: str):
    return importlib.import_module(f"crawler.adapters.{name}").ADAPTER


def test_there_are_cases_for_every_adapter() -> None:
    names = {case.parent.name for case in CASES}
    assert names >= {
        "arxiv",
        "youtube",
        "github",
        "kaggle",
        "semanticscholar",
        "wayback",
        "generic",
        "pdf",
        "social",
    }


@pytest.mark.parametrize("case_dir", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_case(case_dir) -> None:
    case, expected = load(case_dir)
    adapter = _adapter(case_dir.parent.name)
    mode = case.get("mode", "assess")
    problems: list[str] = []
    if "first_request" in expected:
        call = adapter.first_request(case["url"])
        for key, value in expected["first_request"].items():
            if getattr(call, key) != value:
                problems.append(f"first_request.{key}: {getattr(call, key)!r} != {value!r}")
    if mode == "batch":
        fetched = make_fetched(case["fetched"], case_dir)
        results = adapter.parse_batch(case["keys"], fetched)
        assert set(results) == set(case["keys"])
        for key, want in expected["results"].items():
            problems += [f"{key}: {p}" for p in mismatches(results[key], want)]
    elif mode == "wayback":
        module = importlib.import_module("crawler.adapters.wayback")
        snapshot, timestamp = module.parse_lookup(make_fetched(case["fetched"], case_dir))
        assert (snapshot, timestamp) == (expected["snapshot"], expected["timestamp"])
    else:
        assert adapter.matches(case["url"]), f"{adapter.name} does not match {case['url']}"
        result = adapter.assess(case["url"], make_exchanges(case, case_dir))
        problems += mismatches(result, expected)
    assert not problems, "\n".join(problems)
