"""Loader for the data-driven adapter cases in ``tests/fixtures/adapters/<adapter>/<case>/``.

The web-poet idea: a case is recorded inputs plus the expected output, so adding a
directory adds a test.  ``case.json``::

    {"url": "...", "doc": "what this shows and where the format comes from",
     "mode": "assess" | "batch" | "wayback",          (default "assess")
     "keys": [...],                                     (batch mode)
     "exchanges": [{"call": {ApiCall fields}, "fetched": FETCHED}],   (assess mode)
     "fetched": FETCHED}                                (batch / wayback mode)

FETCHED is ``{"url", "status", "headers", "body": "<file in the case dir>" | "real:<file>",
"text": "<inline body>", "redirects": [[url, status]], "failure", "truncated"}``; or a
real recording: ``{"cassette": "real:<file.yml>#<n>"}`` (VCR / vcrpy interaction n) or
``{"octokit": "real:<file.json>#<n>"}`` (octokit raw fixture entry n), with any key above
overriding the recording.

``expected.json``: ``{"first_request": {"url", "purpose", "method"}}`` (optional) plus either
``{"result": "assessment", "verdict", "reason_contains", "suggested_url", "want_archive",
"meta": {field: value, "extra": {key: value}}}`` or ``{"result": "call", "url", "purpose"}``;
batch mode: ``{"results": {key: <one of those>}}``; wayback mode: ``{"snapshot", "timestamp"}``.
Only the keys present are compared.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import yaml

from crawler.adapters.base import ApiCall, Assessment, Exchange, Fetched

ROOT = Path(__file__).resolve().parent / "fixtures"
CASES = ROOT / "adapters"
REAL = ROOT / "real"


class _Loader(yaml.SafeLoader):
    """SafeLoader that also reads Ruby VCR's ``!binary`` (base64) scalars."""


_Loader.add_constructor("!binary", lambda loader, node: base64.b64decode(loader.construct_scalar(node)))


def read_cassette(name: str) -> list[dict[str, Any]]:
    data = yaml.load(_real(name).read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    return data.get("http_interactions") or data.get("interactions")


def all_cases() -> list[Path]:
    return sorted(p.parent for p in CASES.glob("*/*/case.json"))


def _real(name: str) -> Path:
    return REAL / name.removeprefix("real:")


def _recorded(spec: dict[str, Any]) -> dict[str, Any]:
    if "cassette" in spec:
        name, _, index = spec["cassette"].partition("#")
        item = read_cassette(name)[int(index or 0)]
        response = item["response"]
        headers = {
            k.lower(): (v[0] if isinstance(v, list) else v)
            for k, v in (response.get("headers") or {}).items()
        }
        body = response.get("body", {}).get("string", "")
        return {
            "url": item["request"]["uri"],
            "status": response["status"]["code"],
            "headers": headers,
            "body_bytes": body.encode("utf-8") if isinstance(body, str) else body,
        }
    if "octokit" in spec:
        name, _, index = spec["octokit"].partition("#")
        item = json.loads(_real(name).read_text(encoding="utf-8"))[int(index or 0)]
        raw = item["rawHeaders"]
        headers = {raw[i].lower(): raw[i + 1] for i in range(0, len(raw), 2)}
        body = item["response"]
        return {
            "url": item["scope"].replace(":443", "") + item["path"],
            "status": item["status"],
            "headers": headers,
            "body_bytes": body.encode() if isinstance(body, str) else json.dumps(body).encode(),
        }
    return {}


def make_fetched(spec: dict[str, Any], case_dir: Path) -> Fetched:
    base = _recorded(spec)
    body = base.get("body_bytes", b"")
    if spec.get("body"):
        name = spec["body"]
        body = (_real(name) if name.startswith("real:") else case_dir / name).read_bytes()
    elif "text" in spec:
        body = spec["text"].encode("utf-8")
    headers = {k.lower(): v for k, v in {**base.get("headers", {}), **(spec.get("headers") or {})}.items()}
    return Fetched(
        url=spec.get("url", base.get("url", "")),
        status=spec.get("status", base.get("status")),
        headers=headers,
        body=body,
        truncated=bool(spec.get("truncated", False)),
        redirects=tuple((u, int(c)) for u, c in spec.get("redirects", [])),
        failure=spec.get("failure"),
    )


def make_exchanges(case: dict[str, Any], case_dir: Path) -> list[Exchange]:
    out = []
    for item in case.get("exchanges", []):
        call = dict(item.get("call") or {})
        if "body" in call and isinstance(call["body"], str):
            call["body"] = call["body"].encode()
        out.append(Exchange(call=ApiCall(**call), fetched=make_fetched(item["fetched"], case_dir)))
    return out


def load(case_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    case = json.loads((case_dir / "case.json").read_text(encoding="utf-8"))
    expected = json.loads((case_dir / "expected.json").read_text(encoding="utf-8"))
    return case, expected


def mismatches(result: Assessment | ApiCall, expected: dict[str, Any]) -> list[str]:
    """Differences between a result and the expected subset (empty: it matches)."""
    problems: list[str] = []
    want = expected.get("result", "assessment")
    if want == "call":
        if not isinstance(result, ApiCall):
            return [f"expected an ApiCall, got {result!r}"]
        for key in ("url", "purpose", "method"):
            if key in expected and getattr(result, key) != expected[key]:
                problems.append(f"call.{key}: {getattr(result, key)!r} != {expected[key]!r}")
        return problems
    if not isinstance(result, Assessment):
        return [f"expected an Assessment, got {result!r}"]
    if "verdict" in expected:
        got = None if result.verdict is None else str(result.verdict)
        if got != expected["verdict"]:
            problems.append(f"verdict: {got!r} != {expected['verdict']!r} (reason {result.reason!r})")
    if (
        "reason_contains" in expected
        and expected["reason_contains"].lower() not in (result.reason or "").lower()
    ):
        problems.append(f"reason {result.reason!r} lacks {expected['reason_contains']!r}")
    for key in ("suggested_url", "want_archive"):
        if key in expected and getattr(result, key) != expected[key]:
            problems.append(f"{key}: {getattr(result, key)!r} != {expected[key]!r}")
    if "meta" in expected and expected["meta"] is None:
        if result.meta is not None:
            problems.append(f"meta: {result.meta!r} is not None")
        return problems
    for key, value in (expected.get("meta") or {}).items():
        if result.meta is None:
            problems.append("meta is None")
            break
        if key == "extra":
            for ekey, evalue in value.items():
                if result.meta.extra.get(ekey) != evalue:
                    problems.append(f"meta.extra[{ekey!r}]: {result.meta.extra.get(ekey)!r} != {evalue!r}")
            continue
        got = getattr(result.meta, key)
        if isinstance(got, tuple):
            got = list(got)
        if got != value:
            problems.append(f"meta.{key}: {got!r} != {value!r}")
    return problems
