"""The map in a real browser: Playwright driving Debian's chromium (``tests/browser.py``).

Every page is opened from a ``file://`` URL with every other request aborted and
recorded; the tests assert that nothing was requested, that the counts the page holds
(``network.body.data``, vis-network 9.1's DataSets) equal the graph's for the view, and
that search, filters, clicks and "show the path" behave.  The hostile fixture checks
that no dialog opens and nothing is injected.  Skipped loudly without chromium; a
failure under ``CI``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.htmlmap import write_map
from tests.browser import block_network, fail_on_dialog, launch_chromium, require_chromium, screenshot_path
from tests.mapgraphs import BASE, HOSTILE_TITLES, contract_graph, hostile_graph

pytestmark = pytest.mark.browser

#: window.open is stubbed before any page script runs (Playwright init scripts are not subject to the page CSP)
STUB_OPEN = "window.__opened = []; window.open = function (u, t, f) { window.__opened.push([u, t, f]); return null; };"


@pytest.fixture(scope="module")
def browser() -> Any:
    require_chromium()
    with launch_chromium() as b:
        yield b


class Opened:
    """A page on a map file, with its blocked requests, dialogs and console errors recorded."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.blocked = block_network(self.page)
        self.dialogs = fail_on_dialog(self.page)
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.add_init_script(STUB_OPEN)
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("html[data-ready=true]", timeout=30_000)

    def js(self, expr: str, arg: Any = None) -> Any:
        return self.page.evaluate(expr, arg)

    def idx(self, iri: str) -> int:
        return int(self.js("iri => trilhaMap.data.meta.findIndex(m => m.iri === iri)", iri))

    def click_node(self, idx: int) -> None:
        x, y = self.js("""i => { const n = trilhaMap.network; n.focus(i, {scale: 1.5, animation: false});
            const p = n.canvasToDOM(n.getPosition(i)); const r = document.getElementById('network').getBoundingClientRect();
            return [r.left + p.x, r.top + p.y]; }""", idx)
        self.page.mouse.click(x, y)

    def hover_node(self, idx: int) -> None:
        x, y = self.js("""i => { const n = trilhaMap.network; n.focus(i, {scale: 1.5, animation: false});
            const p = n.canvasToDOM(n.getPosition(i)); const r = document.getElementById('network').getBoundingClientRect();
            return [r.left + p.x, r.top + p.y]; }""", idx)
        self.page.mouse.move(x - 40, y - 40)
        self.page.mouse.move(x, y)

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def opener(browser: Any) -> Any:
    pages: list[Opened] = []

    def open_(path: Path) -> Opened:
        pages.append(Opened(browser, path))
        return pages[-1]

    yield open_
    for p in pages:
        p.close()


# Counted by hand from tests/mapgraphs.contract_graph (independent of graph.htmlmap.VIEWS):
# 4 topics + 2 concepts; 4 prerequisite + 1 narrower edges; + 6 resources with 6 mentions,
# 1 teaches, 1 cites; + 1 person with 1 "about" edge.
@pytest.mark.parametrize(("view", "n_nodes", "n_edges"),
                         [("prerequisites", 6, 5), ("resources", 12, 13), ("all", 13, 14)])
def test_counts_match_the_graph_and_nothing_leaves_the_page(tmp_path: Path, opener: Any, view: str,
                                                           n_nodes: int, n_edges: int) -> None:
    stats = write_map(contract_graph(), tmp_path / "map.html", view=view)
    assert (stats.nodes, stats.edges) == (n_nodes, n_edges)
    m = opener(stats.path)
    assert m.js("[trilhaMap.network.body.data.nodes.length, trilhaMap.network.body.data.edges.length]") == [
        n_nodes, n_edges]
    assert m.js("trilhaMap.visibleCount()") == n_nodes
    assert m.page.text_content("#count") == f"Showing {n_nodes} of {n_nodes} nodes"
    assert m.js("trilhaMap.visibleEdgeCount()") == n_edges
    assert m.blocked == []
    assert m.errors == [], m.errors          # includes CSP refusals: the script hashes match
    m.page.screenshot(path=str(screenshot_path(f"map-{view}.png")))


def test_search_and_filters_change_what_is_visible(tmp_path: Path, opener: Any) -> None:
    m = opener(write_map(contract_graph(), tmp_path / "map.html", view="resources").path)
    m.page.fill("#search", "attention")
    assert m.js("trilhaMap.visibleCount()") == 1
    assert m.page.text_content("#count") == "Showing 1 of 12 nodes"
    assert m.page.text_content("#results") == "Attention Is All You Need"
    m.page.fill("#search", "")
    assert m.js("trilhaMap.visibleCount()") == 12
    m.page.select_option("#f-type", "paper")
    assert m.js("trilhaMap.visibleCount()") == 2
    assert m.js("trilhaMap.visibleEdgeCount()") == 1   # only the cites edge between the two papers
    assert m.js("trilhaMap.network.body.data.edges.length") == 13   # the data is untouched
    m.page.select_option("#f-type", "")
    # ResNet: health "flaky" wins over verdict "dead"; its topic "Papers" stays (it lists it)
    m.page.select_option("#f-health", "flaky")
    visible = m.js("trilhaMap.data.meta.filter((x, i) => !trilhaMap.state.hidden[i]).map(x => x.title).sort()")
    assert visible == ["Deep Residual Learning", "Papers"]
    m.page.select_option("#f-health", "")
    m.page.select_option("#f-topic", str(m.idx(BASE + "topic/dl")))
    # Deep Learning, its subtopic Papers, Backpropagation, the repo, and the two papers under Papers
    assert m.js("trilhaMap.visibleCount()") == 6
    assert m.blocked == [] and m.errors == []


def test_keyboard_search_enter_selects_the_first_match(tmp_path: Path, opener: Any) -> None:
    m = opener(write_map(contract_graph(), tmp_path / "map.html", view="resources").path)
    m.page.focus("#search")
    m.page.keyboard.type("titanic")
    m.page.keyboard.press("Enter")
    assert m.page.text_content("#panel-title") == "Titanic"
    assert m.js("trilhaMap.network.getSelectedNodes()") == [m.idx(BASE + "r/kaggle")]
    assert m.js("window.__opened") == []         # selecting from the keyboard does not open a tab
    assert m.page.get_attribute("#panel-open", "href") == "https://www.kaggle.com/competitions/titanic"
    assert m.page.get_attribute("#panel-open", "rel") == "noopener noreferrer"


def test_focus_order_and_labels(tmp_path: Path, opener: Any) -> None:
    m = opener(write_map(contract_graph(), tmp_path / "map.html").path)
    m.page.focus("#search")
    order = ["search"]
    for _ in range(6):
        m.page.keyboard.press("Tab")
        order.append(m.js("document.activeElement.id"))
    assert order == ["search", "f-topic", "f-type", "f-health", "open-on-click", "fit-all", "network"]
    unlabelled = m.js("""[...document.querySelectorAll('input, select')].filter(e =>
        !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.id)""")
    assert unlabelled == []


def test_click_shows_the_panel_and_opens_the_url(tmp_path: Path, opener: Any) -> None:
    m = opener(write_map(contract_graph(), tmp_path / "map.html", view="resources").path)
    paper = m.idx(BASE + "r/attention")
    m.click_node(paper)
    assert m.page.text_content("#panel-title") == "Attention Is All You Need"
    assert "Ashish Vaswani; Noam Shazeer" in m.page.text_content("#panel-fields")
    assert m.js("window.__opened") == [["https://arxiv.org/abs/1706.03762", "_blank", "noopener"]]
    # the style shared through a vis group is what the node is drawn with: square, ok-green
    drawn = m.js("i => { const o = trilhaMap.network.body.nodes[i].options; return [o.shape, o.color.background]; }",
                 paper)
    assert drawn == ["square", "#43a047"]
    m.click_node(m.idx(BASE + "topic/ml"))       # a topic: panel only, no tab
    assert m.page.text_content("#panel-title") == "Machine Learning"
    assert len(m.js("window.__opened")) == 1
    m.page.screenshot(path=str(screenshot_path("map-clicked.png")))


def test_show_the_path_highlights_the_prerequisites(tmp_path: Path, opener: Any) -> None:
    m = opener(write_map(contract_graph(), tmp_path / "map.html", view="prerequisites").path)
    target = m.idx(BASE + "concept/backprop")
    m.click_node(target)
    m.page.click("#panel-path")
    expected = sorted(m.idx(BASE + s) for s in ("concept/backprop", "concept/gd", "topic/ml", "topic/python"))
    assert m.js("trilhaMap.state.path") == expected
    assert m.js("trilhaMap.dimmed()") == sorted(set(range(6)) - set(expected))
    m.page.screenshot(path=str(screenshot_path("map-path.png")))
    m.page.click("#panel-clear")
    assert m.js("trilhaMap.state.path") is None
    assert m.js("trilhaMap.dimmed()") == []


def test_resources_on_demand_in_the_prerequisites_view(tmp_path: Path, opener: Any) -> None:
    m = opener(write_map(contract_graph(), tmp_path / "map.html", view="prerequisites").path)
    m.click_node(m.idx(BASE + "topic/ml"))
    links = m.js("[...document.querySelectorAll('#res a')].map(a => [a.textContent, a.href, a.rel, a.target])")
    assert ["Titanic", "https://www.kaggle.com/competitions/titanic", "noopener noreferrer", "_blank"] in links
    assert m.js("window.__opened") == []         # topics never open a tab


def test_hostile_titles_cannot_run_script(tmp_path: Path, opener: Any) -> None:
    G = hostile_graph()
    path = write_map(G, tmp_path / "map.html", view="all", title=HOSTILE_TITLES[0]).path
    m = opener(path)
    assert m.js("document.title") == HOSTILE_TITLES[0]
    assert m.page.text_content("h1") == HOSTILE_TITLES[0]
    for i in range(len(HOSTILE_TITLES)):
        idx = m.idx(BASE + f"r/hostile{i}")
        m.hover_node(idx)
        m.click_node(idx)
        assert m.page.text_content("#panel-title") == HOSTILE_TITLES[i]
    m.hover_node(m.idx(BASE + "r/hostile0"))
    m.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    assert HOSTILE_TITLES[0] in m.js("document.querySelector('div.vis-tooltip').innerText")
    m.click_node(m.idx(BASE + "topic/hostile"))
    m.page.fill("#search", "<img")
    assert m.js("trilhaMap.visibleCount()") >= 1
    options = m.js("[...document.querySelectorAll('#f-topic option')].map(o => o.textContent)")
    assert HOSTILE_TITLES[0] in options
    # only http(s) URLs are ever opened: the javascript: resource was clicked but not opened
    opened = [u for u, _, _ in m.js("window.__opened")]
    assert opened and all(u.startswith("https://evil.example/") for u in opened)
    assert m.dialogs == []
    assert m.js("document.querySelector('img[src=\"x\"]')") is None
    assert m.js("document.querySelectorAll('img').length") == 0
    assert m.js("document.scripts.length") == 3  # the data block, vis-network, map.js
    assert m.js("typeof window.__xss") == "undefined"
    assert m.blocked == [] and m.errors == []
    m.page.screenshot(path=str(screenshot_path("map-hostile.png")))
