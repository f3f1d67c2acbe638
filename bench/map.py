"""Benchmark the prerequisite map (run by hand; figures go in docs/map.md).

For synthetic contract graphs of 500 and 5,000 nodes (``tests/mapgraphs.synthetic_graph``:
2 % topics, 18 % concepts, 80 % resources), and each view:

* generation time of ``graph.htmlmap.write_map`` (layout + pyvis + template + write),
* the HTML size,
* in Debian chromium (Playwright, every non-file request aborted): the time from
  navigation start until the first frame is drawn with the final positions
  (``trilhaMap.state.readyMs``: ``performance.now()`` at vis-network's first
  ``afterDrawing``; physics is off, so there is nothing left to settle), the
  renderer main thread's CPU time until then (CDP ``Performance.getMetrics``
  ``TaskDuration`` in thread ticks: what the page costs without other load), the
  wall time of ``goto`` + wait, and the time one search (filter pass + redraw) takes
  (typing is debounced by 200 ms on maps over 1,500 nodes).

Usage::

    .venv/bin/python bench/map.py            # 500 and 5000
    .venv/bin/python bench/map.py 500 20000  # other sizes
    .venv/bin/python bench/map.py screenshot out/map.html docs/img/map.png "Deep Learning - Neural Networks"

``screenshot`` opens a written map, clicks the topic with that label (side panel with
its resources), shows the path to it and saves a 1400×860 PNG (the README image).
"""

from __future__ import annotations

import os
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
    load0 = f"{os.getloadavg()[0]:.1f}"
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
                    ready, wall, search, cpu = [], [], [], []
                    for _ in range(REPEAT):
                        page = browser.new_page(viewport={"width": 1400, "height": 900})
                        blocked = block_network(page)
                        cdp = page.context.new_cdp_session(page)
                        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
                        t0 = time.perf_counter()
                        page.goto(row["path"].as_uri())
                        page.wait_for_selector("html[data-ready=true]", timeout=120_000)
                        wall.append(time.perf_counter() - t0)
                        ready.append(page.evaluate("trilhaMap.state.readyMs") / 1000)
                        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
                        cpu.append(metrics["TaskDuration"])
                        search.append(page.evaluate("""() => { const t = performance.now();
                            document.getElementById('search').value = 'resource 1';
                            trilhaMap.applyFilters(); trilhaMap.network.redraw();
                            return (performance.now() - t) / 1000; }"""))
                        assert blocked == [], blocked
                        page.close()
                    row.update(ready_s=statistics.median(ready), wall_s=statistics.median(wall),
                               search_s=statistics.median(search), cpu_s=statistics.median(cpu))
    print(f"chromium: {'/usr/bin/chromium' if reason is None else 'SKIPPED: ' + reason}; median of {REPEAT}; "
          f"load average {load0} before, {os.getloadavg()[0]:.1f} after, {os.cpu_count()} CPUs")
    print("| graph | view | nodes | edges | generate | HTML | first frame (settled) | main-thread CPU | goto+ready "
          "| search |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        extra = (f"{r['ready_s']:.2f} s | {r['cpu_s']:.2f} s | {r['wall_s']:.2f} s | {r['search_s'] * 1000:.0f} ms"
                 if "ready_s" in r else "– | – | – | –")
        print(f"| {r['n']} | {r['view']} | {r['nodes']} | {r['edges']} | {r['gen_s']:.2f} s | "
              f"{r['kib']:,.0f} KiB | {extra} |")


def screenshot(html: Path, png: Path, label: str) -> None:
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 860})
        blocked = block_network(page)
        page.add_init_script("window.open = function () { return null; };")
        page.goto(html.resolve().as_uri())
        page.wait_for_selector("html[data-ready=true]", timeout=60_000)
        idx = page.evaluate("l => trilhaMap.data.nodes.findIndex(n => n.label === l)", label)
        if idx < 0:
            raise SystemExit(f"no node labelled {label!r}")
        page.evaluate("i => trilhaMap.select(i, true)", idx)
        page.click("#panel-path")
        page.evaluate("""i => { const n = trilhaMap.network, p = n.getPosition(i);
            n.moveTo({position: {x: p.x - 420, y: p.y}, scale: 0.62, animation: false}); }""", idx)
        page.evaluate("() => document.querySelector('details.legend').open = false")
        page.wait_for_timeout(300)
        png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(png))
        assert blocked == [], blocked
    print(png)


if __name__ == "__main__":
    if sys.argv[1:2] == ["screenshot"]:
        screenshot(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
    else:
        main([int(a) for a in sys.argv[1:]] or [500, 5000])
