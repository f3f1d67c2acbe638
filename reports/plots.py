"""Inline SVG plots for the HTML report (no external assets, no JavaScript).

* :func:`health_over_crawls`: one stacked bar per crawl (counts of resources per
  health as of that crawl; offline crawls drawn hatched-grey and labelled "offline");
* :func:`per_site_bars`: one horizontal stacked bar per site (links per health).

Every label is XML-escaped here (site names come from URLs in the list), so the SVG
strings can be inserted as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from reports.model import HEALTH_ORDER, CrawlPoint, SiteSummary

COLORS = {
    "dead": "#d62728", "failing": "#ff7f0e", "flaky": "#e6c229", "moved": "#9467bd",
    "malformed": "#8c564b", "blocked": "#7f7f7f", "unverifiable": "#bcbd22", "ok": "#2ca02c",
    "skipped": "#c7c7c7", "unchecked": "#e5e5e5",
}


def _legend(x: int, y: int, used: Sequence[str]) -> list[str]:
    out = []
    for i, name in enumerate(used):
        lx = x + (i % 5) * 110
        ly = y + (i // 5) * 18
        out.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{COLORS[name]}"/>'
                   f'<text x="{lx + 16}" y="{ly + 10}" font-size="11">{escape(name)}</text>')
    return out


def health_over_crawls(crawls: Sequence[CrawlPoint], *, width: int = 720, height: int = 260) -> str:
    if not crawls:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="30" role="img"><text x="0" y="20">no crawls yet</text></svg>'
    used = [h.value for h in HEALTH_ORDER if any(c.counts.get(h.value) for c in crawls)]
    top = max(sum(c.counts.values()) for c in crawls) or 1
    left, bottom, plot_h = 40, 40, height - 90
    days = [f"{c.started_at:%m-%d}" for c in crawls]
    fmt = "%m-%d" if len(set(days)) == len(days) else "%d %H:%M"    # several crawls a day: show the time
    step = (width - left - 10) / len(crawls)
    bar = max(4.0, step * 0.7)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" width="{width}" height="{height}" role="img" '
             f'aria-label="health of the links over the crawls">',
             f'<line x1="{left}" y1="{10 + plot_h}" x2="{width - 5}" y2="{10 + plot_h}" stroke="#999"/>',
             f'<text x="0" y="18" font-size="11">{top}</text><text x="0" y="{10 + plot_h}" font-size="11">0</text>']
    for i, c in enumerate(crawls):
        x = left + i * step
        y = 10 + plot_h
        title = f"crawl {c.crawl_id} {c.started_at:%Y-%m-%d %H:%M}" + (" (offline: ignored)" if c.offline else "")
        parts.append(f"<g><title>{escape(title)}: " + escape(", ".join(f"{k} {v}" for k, v in c.counts.items())) + "</title>")
        for name in used:
            n = c.counts.get(name, 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            fill = "#dddddd" if c.offline else COLORS[name]
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{fill}" '
                         f'data-health={quoteattr(name)} data-count="{n}"/>')
        parts.append("</g>")
        if len(crawls) <= 16 or i % max(1, len(crawls) // 8) == 0:
            label = c.started_at.strftime(fmt) + ("*" if c.offline else "")
            parts.append(f'<text x="{x:.1f}" y="{24 + plot_h}" font-size="10">{escape(label)}</text>')
    parts += _legend(left, height - 40, used)
    parts.append("</svg>")
    return "".join(parts)


def per_site_bars(sites: Sequence[SiteSummary], *, width: int = 720, limit: int = 25) -> str:
    shown = list(sites[:limit])
    if not shown:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="30" role="img"><text x="0" y="20">no links</text></svg>'
    used = [h.value for h in HEALTH_ORDER if any(s.counts.get(h.value) for s in shown)]
    row_h, left = 18, 170
    height = len(shown) * row_h + 60
    top = max(s.total for s in shown) or 1
    scale = (width - left - 40) / top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" width="{width}" height="{height}" role="img" '
             f'aria-label="links per site by health">']
    for i, s in enumerate(shown):
        y = 5 + i * row_h
        parts.append(f'<text x="{left - 6}" y="{y + 12}" font-size="11" text-anchor="end">{escape(s.site[:28])}</text>')
        x = float(left)
        for name in used:
            n = s.counts.get(name, 0)
            if not n:
                continue
            w = n * scale
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 4}" fill="{COLORS[name]}">'
                         f"<title>{escape(s.site)}: {n} {escape(name)}</title></rect>")
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 12}" font-size="10">{s.total}</text>')
    parts += _legend(left, height - 40, used)
    parts.append("</svg>")
    return "".join(parts)
