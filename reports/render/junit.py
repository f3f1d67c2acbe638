"""JUnit XML for CI (``report.junit.xml``), the Surefire/Jenkins shape.

Follows Jenkins' ``junit-10.xsd`` (the dtkit JUnit model, also used by pytest's
``--junitxml``): ``<testsuites tests failures errors skipped time>`` holding one
``<testsuite name tests failures errors skipped time timestamp>`` per section of the
list, holding one ``<testcase classname name file line time>`` per link (every mention,
so duplicates are cases too).

Which links fail (docs/reports.md §4):

* with ``--fail-on H1,H2`` the links whose health is one of those get ``<failure
  type=HEALTH message=NOTE>``; everything else passes;
* without ``--fail-on``, the links whose health is ``dead``, ``failing``, ``moved``,
  ``malformed`` or ``flaky`` fail (``DEFAULT_FAILING``);
* links that are ``blocked``, ``unverifiable``, ``skipped`` or ``unchecked`` and not failing
  are ``<skipped message=…>`` — nothing could be said about them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from trilha.model import Health

from reports.model import LinkRow, Report

DEFAULT_FAILING = frozenset({"dead", "failing", "moved", "malformed", "flaky"})
SKIPPED = frozenset({Health.BLOCKED, Health.UNVERIFIABLE, Health.SKIPPED, Health.UNCHECKED})


#: characters XML 1.0 cannot carry (control characters from crawled text would break the file)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def failing_set(report: Report) -> frozenset[str]:
    return report.fail_on or DEFAULT_FAILING


def _case(row: LinkRow, suite: str, failing: frozenset[str], source: str) -> tuple[ET.Element, str]:
    case = ET.Element("testcase", {
        "classname": _x(suite), "name": _x(f"line {row.line}: {row.written}"), "file": _x(source),
        "line": str(row.line), "time": "0",
    })
    detail = (
        f"health: {row.health.value}\nverdict: {row.verdict or '-'}\nhttp: {row.http_status or '-'}\n"
        f"reason: {row.reason or '-'}\nsince: {row.since.isoformat() if row.since else '-'}\n"
        f"url: {row.url or row.written}\n"
    )
    if row.suggestion is not None:
        detail += f"fix: {row.suggestion.note}\n"
    if row.health.value in failing:
        failure = ET.SubElement(case, "failure", {"type": row.health.value, "message": _x(row.note)})
        failure.text = _x(detail)
        return case, "failure"
    if row.health in SKIPPED:
        ET.SubElement(case, "skipped", {"message": _x(row.note)})
        return case, "skipped"
    return case, "pass"


def render(report: Report) -> str:
    failing = failing_set(report)
    suites: dict[str, list[LinkRow]] = defaultdict(list)
    for row in report.rows:
        suites[" › ".join(row.section) or "(before the first heading)"].append(row)
    root = ET.Element("testsuites", {"name": _x(f"trilha link health: {report.list_source}")})
    totals = {"tests": 0, "failure": 0, "skipped": 0}
    stamp = report.generated_at.replace(microsecond=0, tzinfo=None).isoformat()
    for name, rows in suites.items():
        suite = ET.SubElement(root, "testsuite", {"name": _x(name), "timestamp": stamp, "time": "0", "errors": "0"})
        counts = {"failure": 0, "skipped": 0, "pass": 0}
        for row in rows:
            case, outcome = _case(row, name, failing, report.list_source)
            suite.append(case)
            counts[outcome] += 1
        suite.set("tests", str(len(rows)))
        suite.set("failures", str(counts["failure"]))
        suite.set("skipped", str(counts["skipped"]))
        totals["tests"] += len(rows)
        totals["failure"] += counts["failure"]
        totals["skipped"] += counts["skipped"]
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failure"]))
    root.set("errors", "0")
    root.set("skipped", str(totals["skipped"]))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
