"""``report.html``: one self-contained page (inline CSS, inline SVG plots, a little inline JS).

Jinja2 with autoescape ON for everything; the only markup inserted unescaped is the SVG
that :mod:`reports.plots` builds (it escapes its own labels).  The script sorts and
filters tables using ``textContent`` / ``dataset`` only (never ``innerHTML``), so a
hostile title from a crawled page stays text.  No external URL is loaded: links in the
tables are plain ``<a href>`` the reader may click.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from reports import plots
from reports.model import HEALTH_ORDER, Report
from reports.render.junit import failing_set

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = lambda d: d.strftime("%Y-%m-%d %H:%M") if d else ""
    env.filters["iso"] = lambda d: d.isoformat() if d else ""
    env.filters["safe_href"] = _safe_href
    return env


def _safe_href(url: str | None) -> str:
    """Only http(s) URLs become links (a ``javascript:`` URL in the list stays text)."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return ""


def render(report: Report) -> str:
    template = _env().get_template("report.html.j2")
    return template.render(
        r=report,
        health_order=[h.value for h in HEALTH_ORDER],
        colors=plots.COLORS,
        failing=failing_set(report),
        plot_crawls=Markup(plots.health_over_crawls(report.crawls)),   # noqa: S704 - escaped by plots
        plot_sites=Markup(plots.per_site_bars(report.sites)),          # noqa: S704 - escaped by plots
    )
