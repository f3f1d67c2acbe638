"""Benchmark the prerequisite map (run by hand; figures go in docs/map.md).

For synthetic contract graphs of 500 and 5,000 nodes (``tests/mapgraphs.synthetic_graph``:
2 % topics, 18 % concepts, 80 % resources), and each view:

* generation time of ``graph.htmlmap.write_map`` (layout + pyvis + template + write),
* the HTML size,
* in Debian chromium (Playwright, every non-file request aborted): the time from
  navigation start until the first frame is drawn with the final positions
  (``trilhaMap.state.readyMs``: ``performance.now()`` at vis-network's first
  ``afterDrawing``; physics is off, so there is nothing left to settle), and the
  wall time of ``goto`` + wait, and the time one search (filter pass + redraw) takes
  (typing is debounced by 200 ms on maps over 1,500 nodes).

Usage::

    .venv/bin/python bench/map.py            # 500 and 5000
    .venv/bin/python bench/map.py 500 20000  # other sizes
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.htmlmap import write_map  # noqa: E402
from tests.browser import block_network, chromium_missing_reason, launch_chromium  # noqa: E402
from tests.mapgraphs import synthetic_graph  # noqa: E402

REPEAT = 3


def main(sizes: list[int]) -> None:
    reason = chromium_missing_reason()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            G = synthetic_graph(n)
            for view in ("prerequisites", "resources"):
                gen = []
                for _ in range(REPEAT):
                    stats = write_map(G, Path(tmp) / f"map-{n}-{view}.html", view=view)
                    gen.append(stats.seconds)
                rows.append({"n": n, "view": view, "nodes": stats.nodes, "edges": stats.edges,
                             "gen_s": statistics.median(gen), "kib": stats.bytes / 1024, "path": stats.path})
        if reason is None:
            with launch_chromium() as browser:
                for row in rows:
                    ready, wall, search = [], [], []
                    for _ in range(REPEAT):
                        page = browser.new_page(viewport={"width": 1400, "height": 900})
                        blocked = block_network(page)
                        t0 = time.perf_counter()
                        page.goto(row["path"].as_uri())
                        page.wait_for_selector("html[data-ready=true]", timeout=120_000)
                        wall.append(time.perf_counter() - t0)
                        ready.append(page.evaluate("trilhaMap.state.readyMs") / 1000)
                        search.append(page.evaluate("""() => { const t = performance.now();
                            document.getElementById('search').value = 'resource 1';
                            trilhaMap.applyFilters(); trilhaMap.network.redraw();
                            return (performance.now() - t) / 1000; }"""))
                        assert blocked == [], blocked
                        page.close()
                    row.update(ready_s=statistics.median(ready), wall_s=statistics.median(wall),
                               search_s=statistics.median(search))
    print(f"chromium: {'/usr/bin/chromium' if reason is None else 'SKIPPED: ' + reason}; median of {REPEAT}")
    print("| graph | view | nodes | edges | generate | HTML | first frame (settled) | goto+ready | search |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        extra = (f"{r['ready_s']:.2f} s | {r['wall_s']:.2f} s | {r['search_s'] * 1000:.0f} ms"
                 if "ready_s" in r else "– | – | –")
        print(f"| {r['n']} | {r['view']} | {r['nodes']} | {r['edges']} | {r['gen_s']:.2f} s | "
              f"{r['kib']:,.0f} KiB | {extra} |")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [500, 5000])
