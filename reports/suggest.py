"""Suggested fixes, one per link that is not ok (docs/reports.md §3).

* ``moved``: the permanent-redirect target — the check's ``suggested_url`` (adapters
  set it for API renames, e.g. GitHub), else its ``final_url``, else the last hop.
* ``malformed``: the reader's repair (``Finding.repair``), else the check's
  ``suggested_url``.
* ``dead`` (and ``failing`` with a definitive signal): the Wayback snapshot — the
  newest check's ``archived_url``, else the snapshot stored once per resource.
  Without one: "remove or replace".
"""

from __future__ import annotations

from trilha.model import Health
from trilha.store.history import MentionInfo, ResourceHistory

from reports.health import Assessment
from reports.model import Suggestion


def moved_target(assessment: Assessment) -> str | None:
    if assessment.latest is None:
        return None
    r = assessment.latest.result
    if r.suggested_url:
        return r.suggested_url
    if r.final_url and r.final_url != r.url:
        return r.final_url
    if r.redirects:
        return r.redirects[-1].url
    return None


def archived_copy(resource: ResourceHistory | None) -> str | None:
    """The newest check's ``archived_url``, else the snapshot stored once for the resource."""
    if resource is not None:
        for obs in reversed(resource.observations):
            if obs.result.archived_url:
                return obs.result.archived_url
        if resource.snapshot_url:
            return resource.snapshot_url
    return None


def suggest(
    health: Health, mention: MentionInfo, assessment: Assessment | None, resource: ResourceHistory | None
) -> Suggestion | None:
    """The fix for this link, or None when there is nothing to do."""
    if health is Health.MALFORMED:
        repair = next((f.repair for f in mention.findings if f.repair), None)
        if repair is None and assessment is not None and assessment.latest is not None:
            repair = assessment.latest.result.suggested_url
        if repair:
            return Suggestion(action="repair", url=repair, note=f"repair the URL as written to {repair}")
        return Suggestion(action="none", url=None, note="the URL as written cannot be used: fix it by hand")
    if health is Health.MOVED and assessment is not None:
        target = moved_target(assessment)
        if target:
            return Suggestion(action="update", url=target, note=f"permanent redirect: update to {target}")
        return None
    if health in (Health.DEAD, Health.FAILING):
        snap = archived_copy(resource)
        if snap:
            return Suggestion(action="archive", url=snap, note=f"archived copy: {snap}")
        if health is Health.DEAD:
            return Suggestion(action="none", url=None, note="no archived copy known: remove or replace the link")
    return None
