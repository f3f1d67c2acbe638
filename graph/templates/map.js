/* trilha map: search, filters, side panel, "show the path".  Inlined by graph/htmlmap.py.
 * Safety rules: web strings are only ever written with textContent / new Option(text) /
 * element.href after an http(s) check; never innerHTML.  vis-network shows string
 * titles with innerText.  window.open is only called for http(s) URLs, with "noopener". */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("trilha-data").textContent);
  var meta = D.meta;
  var nodes = new vis.DataSet(D.nodes);
  var edges = new vis.DataSet(D.edges);
  var container = document.getElementById("network");
  var state = { readyMs: null, selected: null, path: null, hidden: {} };
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, D.options);
  /* start readable at the beginning of the path (the basics, left); "Fit all" shows everything */
  var START_SCALE = 0.6;
  function startView() {        /* bounds from our own positions: no second fit() over every label */
    if (!D.nodes.length) return;
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    D.nodes.forEach(function (n) {
      if (n.x < minX) minX = n.x; if (n.x > maxX) maxX = n.x; if (n.y < minY) minY = n.y; if (n.y > maxY) maxY = n.y;
    });
    var w = container.clientWidth, h = container.clientHeight;
    var fitScale = Math.min(w / (maxX - minX + 400), h / (maxY - minY + 200));
    if (fitScale >= START_SCALE) { network.fit({ animation: false }); return; }
    network.moveTo({ position: { x: minX - 180 + w / 2 / START_SCALE, y: 0 }, scale: START_SCALE, animation: false });
  }
  startView();
  network.once("afterDrawing", function () {
    state.readyMs = performance.now();
    document.documentElement.setAttribute("data-ready", "true");
  });

  function $(id) { return document.getElementById(id); }
  function isWebUrl(url) { return typeof url === "string" && /^https?:\/\//i.test(url); }
  function openUrl(url) {
    if (isWebUrl(url)) { window.open(url, "_blank", "noopener"); return true; }
    return false;
  }
  function el(tag, text) { var e = document.createElement(tag); if (text != null) e.textContent = text; return e; }

  /* ---------- indexes */
  var prereqsOf = {}, narrowerOf = {}, anchorsOf = {}, resOfNode = {};
  D.edges.forEach(function (e) {
    if (e.rel === "prerequisite") (prereqsOf[e.to] = prereqsOf[e.to] || []).push(e.from);
    else if (e.rel === "narrower") (narrowerOf[e.from] = narrowerOf[e.from] || []).push(e.to);
    else if (e.rel === "teaches") { (anchorsOf[e.from] = anchorsOf[e.from] || []).push(e.to); (resOfNode[e.to] = resOfNode[e.to] || []).push(e.from); }
    else if (e.rel === "mentions") { (anchorsOf[e.to] = anchorsOf[e.to] || []).push(e.from); (resOfNode[e.from] = resOfNode[e.from] || []).push(e.to); }
  });
  var haystack = [], cats = [];
  meta.forEach(function (m, i) {
    haystack[i] = [D.nodes[i].label, m.title, m.authors, m.channel, m.url, m.section, m.kind].join("\n").toLowerCase();
    var c = {};
    if (m.category) c[m.category] = true;
    (D.resources[i] || []).forEach(function (r) { c[r.category] = true; });
    (resOfNode[i] || []).forEach(function (j) { if (meta[j].category) c[meta[j].category] = true; });
    cats[i] = c;
  });

  var healthColour = {};
  D.legend.health.forEach(function (h) { healthColour[h.category] = h.colour; });

  /* ---------- filter controls (options built with new Option(text, value): no markup) */
  D.topics.forEach(function (t) { $("f-topic").add(new Option(t.label, String(t.idx))); });
  var kinds = {}; meta.forEach(function (m) { kinds[m.kind] = (kinds[m.kind] || 0) + 1; });
  Object.keys(kinds).sort().forEach(function (k) { $("f-type").add(new Option(k + " (" + kinds[k] + ")", k)); });
  D.legend.health.forEach(function (h) {
    var used = meta.some(function (m, i) { return cats[i][h.category]; });
    if (used) $("f-health").add(new Option(h.label, h.category));
  });

  function topicSet(idx) {
    var set = {}, stack = [idx];
    while (stack.length) { var t = stack.pop(); if (set[t]) continue; set[t] = true; (narrowerOf[t] || []).forEach(function (c) { stack.push(c); }); }
    return set;
  }

  function visibleCount() { return meta.length - Object.keys(state.hidden).length; }
  function visibleEdgeCount() { return network.body.edgeIndices.length; }   /* what vis draws */

  /* Fast visibility and dimming.  vis-network 9.1.2 (pinned: inlined from the pyvis wheel)
   * re-parses every option of a node on DataSet.update: 2,500 `hidden` updates took
   * 1.9 s at 5,000 nodes.  So we set the parsed options of the drawn nodes/edges
   * directly and ask for a redraw; edges whose end is hidden are skipped by
   * vis-network's own _updateVisibleIndices.  The DataSets keep the graph as written. */
  var body = network.body;
  function refresh(structure) {
    body.emitter.emit(structure ? "_dataChanged" : "_requestRedraw");
  }

  function applyFilters() {
    var q = $("search").value.trim().toLowerCase();
    var tv = $("f-topic").value, kv = $("f-type").value, hv = $("f-health").value;
    var topics = tv === "" ? null : topicSet(Number(tv));
    var hidden = {}, matches = [], changed = false;
    meta.forEach(function (m, i) {
      var ok = (!q || haystack[i].indexOf(q) >= 0)
        && (!topics || topics[i] || topics[m.topicIdx])
        && (!kv || m.kind === kv)
        && (!hv || cats[i][hv]);
      if (!ok) hidden[i] = true; else if (q) matches.push(i);
      if (!!state.hidden[i] !== !ok) { body.nodes[i].options.hidden = !ok; changed = true; }
    });
    state.hidden = hidden;
    if (changed) refresh(true);
    $("count").textContent = "Showing " + visibleCount() + " of " + meta.length + " nodes";
    showResults(q ? matches : null);
  }
  var filterTimer = null;
  function applyFiltersSoon() {      /* typing on a big map: one filter pass after a short pause */
    clearTimeout(filterTimer);
    if (meta.length > 1500) filterTimer = setTimeout(applyFilters, 200); else applyFilters();
  }

  function showResults(matches) {
    var box = $("results-box"), list = $("results");
    list.textContent = "";
    if (!matches) { box.hidden = true; return; }
    box.hidden = false;
    $("results-title").textContent = matches.length + " match" + (matches.length === 1 ? "" : "es");
    matches.slice(0, 25).forEach(function (i) {
      var li = el("li"), b = el("button", meta[i].title || D.nodes[i].label);
      b.type = "button"; b.addEventListener("click", function () { select(i, true); });
      li.appendChild(b); list.appendChild(li);
    });
  }

  /* ---------- side panel (textContent only) */
  function field(dl, name, value) { if (!value) return; dl.appendChild(el("dt", name)); dl.appendChild(el("dd", value)); }

  function select(i, focus) {
    var m = meta[i]; state.selected = i;
    $("panel-title").textContent = m.title || D.nodes[i].label;
    $("panel-hint").hidden = true;
    var dl = $("panel-fields"); dl.textContent = "";
    field(dl, "Type", m.kind); field(dl, "Section", m.section); field(dl, "Authors", m.authors);
    field(dl, "Channel", m.channel); field(dl, "Date", m.date); field(dl, "Duration", m.duration);
    if (m.nodeType === "resource") {
      field(dl, "Verdict", m.verdict || "unchecked"); field(dl, "Health", m.health);
      field(dl, "Last checked", m.checkedAt || "never"); field(dl, "URL", m.url);
    } else if (m.nodeType !== "person") field(dl, "Depth", String(m.level));
    $("panel-actions").hidden = false;
    var a = $("panel-open");
    if (isWebUrl(m.url)) { a.href = m.url; a.hidden = false; } else { a.removeAttribute("href"); a.hidden = true; }
    var pl = $("prereqs"); pl.textContent = "";
    (prereqsOf[i] || []).forEach(function (p) {
      var li = el("li"), b = el("button", meta[p].title || D.nodes[p].label);
      b.type = "button"; b.addEventListener("click", function () { select(p, true); });
      li.appendChild(b); pl.appendChild(li);
    });
    $("prereqs-box").hidden = !(prereqsOf[i] || []).length;
    var rl = $("res"); rl.textContent = "";
    var res = (D.resources[i] || []).slice();
    (resOfNode[i] || []).forEach(function (j) {
      res.push({ title: meta[j].title, url: meta[j].url, kind: meta[j].kind, category: meta[j].category,
        verdict: meta[j].health || meta[j].verdict || "unchecked" });
    });
    res.forEach(function (r) {
      var li = el("li"), link = el("a", r.title || r.url), dot = el("span");
      dot.className = "swatch"; dot.style.background = healthColour[r.category] || healthColour.unknown;
      li.appendChild(dot);
      if (isWebUrl(r.url)) { link.href = r.url; link.target = "_blank"; link.rel = "noopener noreferrer"; }
      li.appendChild(link); li.appendChild(el("span", " (" + r.kind + ", " + r.verdict + ")")); rl.appendChild(li);
    });
    $("res-box").hidden = !res.length;
    if (focus) {
      network.selectNodes([i]);
      network.focus(i, { scale: Math.max(network.getScale(), 0.8), animation: false });
    }
  }

  /* ---------- "show the path to this node": its prerequisites, transitively */
  function pathTo(i) {
    var set = {}, stack = [i].concat(anchorsOf[i] || []);
    while (stack.length) {
      var n = stack.pop(); if (set[n]) continue; set[n] = true;
      (prereqsOf[n] || []).forEach(function (p) { stack.push(p); });
    }
    return set;
  }
  var saved = null, PATH_COLOUR = "#d84315";
  function showPath(i) {
    clearPath();
    var set = pathTo(i);
    saved = { nodes: [], edges: [] };
    meta.forEach(function (m, j) {
      if (set[j]) return;
      var n = body.nodes[j];
      saved.nodes.push([n, n.options.opacity, n.labelModule.fontOptions.color]);
      n.options.opacity = 0.15; n.labelModule.fontOptions.color = "#c4c4c4";
    });
    D.edges.forEach(function (e) {
      var ed = body.edges[e.id]; if (!ed) return;
      var c = ed.options.color;
      saved.edges.push([ed, c.color, c.highlight, c.hover, c.opacity, ed.options.width]);
      if (set[e.from] && set[e.to] && (e.rel === "prerequisite" || e.from === i || e.to === i)) {
        c.color = c.highlight = c.hover = PATH_COLOUR; c.opacity = 1; ed.options.width = 4;
      } else c.opacity = 0.12;
    });
    refresh(false);
    state.path = Object.keys(set).map(Number).sort(function (a, b) { return a - b; });
    return state.path;
  }
  function clearPath() {
    if (!saved) return;
    saved.nodes.forEach(function (s) { s[0].options.opacity = s[1]; s[0].labelModule.fontOptions.color = s[2]; });
    saved.edges.forEach(function (s) {
      var c = s[0].options.color; c.color = s[1]; c.highlight = s[2]; c.hover = s[3]; c.opacity = s[4]; s[0].options.width = s[5];
    });
    saved = null; state.path = null;
    refresh(false);
  }
  function dimmed() {       /* for tests: ids drawn dimmed */
    return meta.map(function (m, j) { return j; }).filter(function (j) { return body.nodes[j].options.opacity === 0.15; });
  }

  /* ---------- legend (SVG swatches built with DOM calls) */
  var SVG = "http://www.w3.org/2000/svg";
  function shapeSvg(shape, border, dashed, fill) {
    var s = document.createElementNS(SVG, "svg"); s.setAttribute("width", "18"); s.setAttribute("height", "18");
    s.setAttribute("aria-hidden", "true");
    var pts = { triangle: "9,2 16,15 2,15", triangleDown: "2,3 16,3 9,16", diamond: "9,1 17,9 9,17 1,9",
      star: "9,1 11,7 17,7 12,11 14,17 9,13 4,17 6,11 1,7 7,7", hexagon: "5,2 13,2 17,9 13,16 5,16 1,9" }[shape];
    var e;
    if (pts) { e = document.createElementNS(SVG, "polygon"); e.setAttribute("points", pts); }
    else if (shape === "dot" || shape === "ellipse") { e = document.createElementNS(SVG, "ellipse"); e.setAttribute("cx", "9"); e.setAttribute("cy", "9"); e.setAttribute("rx", shape === "dot" ? "7" : "8"); e.setAttribute("ry", shape === "dot" ? "7" : "5"); }
    else { e = document.createElementNS(SVG, "rect"); e.setAttribute("x", "2"); e.setAttribute("y", shape === "box" ? "4" : "2"); e.setAttribute("width", "14"); e.setAttribute("height", shape === "box" ? "10" : "14"); }
    e.setAttribute("fill", fill); e.setAttribute("stroke", border); e.setAttribute("stroke-width", "2");
    if (dashed) e.setAttribute("stroke-dasharray", "3,2");
    s.appendChild(e); return s;
  }
  D.legend.types.forEach(function (t) {
    var li = el("li"); li.appendChild(shapeSvg(t.shape, t.border, t.dashed, D.fills[t.kind] || "#ffffff"));
    li.appendChild(el("span", t.label)); $("legend-types").appendChild(li);
  });
  D.legend.health.forEach(function (h) {
    var li = el("li"), sw = el("span"); sw.className = "swatch"; sw.style.background = h.colour;
    li.appendChild(sw); li.appendChild(el("span", h.label)); $("legend-health").appendChild(li);
  });

  /* ---------- events */
  network.on("click", function (p) {
    if (!p.nodes.length) return;
    var i = p.nodes[0]; select(i, false);
    if (meta[i].nodeType === "resource" && $("open-on-click").checked) openUrl(meta[i].url);
  });
  $("search").addEventListener("input", applyFiltersSoon);
  $("search").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      clearTimeout(filterTimer); applyFilters();
      for (var i = 0; i < meta.length; i++) if (!state.hidden[i]) { select(i, true); break; }
    } else if (ev.key === "Escape") { $("search").value = ""; applyFilters(); }
  });
  ["f-topic", "f-type", "f-health"].forEach(function (id) { $(id).addEventListener("change", applyFilters); });
  $("panel-path").addEventListener("click", function () {
    if (state.selected == null) return;
    network.fit({ nodes: showPath(state.selected), animation: false });
  });
  $("panel-clear").addEventListener("click", clearPath);
  $("fit-all").addEventListener("click", function () { network.fit({ animation: false }); });

  applyFilters();

  window.trilhaMap = {
    network: network, nodes: nodes, edges: edges, data: D, state: state,
    visibleCount: visibleCount, visibleEdgeCount: visibleEdgeCount,
    select: select, startView: startView, showPath: showPath, clearPath: clearPath, dimmed: dimmed, applyFilters: applyFilters, isWebUrl: isWebUrl
  };
})();
