/* modelshelf catalog: filter and sort the generated tables. No dependencies. */
(function () {
  "use strict";

  function cellKey(row, index, type) {
    var cell = row.cells[index];
    if (!cell) return "";
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (type === "number") {
      var n = parseFloat(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return raw.toLowerCase();
  }

  /* SemVer-ish compare: numeric parts numerically, a prerelease sorts before its release. */
  function compareVersions(a, b) {
    var pa = a.replace(/^v/, "").split(/[-+]/), pb = b.replace(/^v/, "").split(/[-+]/);
    var na = pa[0].split("."), nb = pb[0].split(".");
    for (var i = 0; i < Math.max(na.length, nb.length); i++) {
      var x = parseInt(na[i] || "0", 10), y = parseInt(nb[i] || "0", 10);
      if (isNaN(x) || isNaN(y)) return a < b ? -1 : a > b ? 1 : 0;
      if (x !== y) return x - y;
    }
    var ra = a.indexOf("-") >= 0, rb = b.indexOf("-") >= 0;
    if (ra !== rb) return ra ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function makeSortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      var type = th.getAttribute("data-sort-type");
      if (!type || th.hasAttribute("data-ms-bound")) return;
      th.setAttribute("data-ms-bound", "");
      th.classList.add("ms-sortable");
      th.setAttribute("tabindex", "0");
      th.setAttribute("aria-sort", "none");
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var a = cellKey(r1, index, type), b = cellKey(r2, index, type);
          var c = type === "version" ? compareVersions(String(a), String(b)) : a < b ? -1 : a > b ? 1 : 0;
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
  }

  function parseList(value) {
    try { var v = JSON.parse(value || "[]"); return Array.isArray(v) ? v : []; } catch (e) { return []; }
  }

  function bindFilters(box) {
    if (box.hasAttribute("data-ms-bound")) return;
    box.setAttribute("data-ms-bound", "");
    var tables = document.querySelectorAll("table[data-ms-table='models'], table[data-ms-table='deprecated']");
    var controls = box.querySelectorAll("[data-filter]");
    var counter = box.querySelector("[data-filter-count]");
    function apply() {
      var want = {};
      Array.prototype.forEach.call(controls, function (c) { want[c.getAttribute("data-filter")] = c.value.trim().toLowerCase(); });
      var shown = 0, total = 0;
      Array.prototype.forEach.call(tables, function (table) {
        Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
          total++;
          var ok = (!want.text || (row.getAttribute("data-text") || "").indexOf(want.text) >= 0) &&
            (!want.type || (row.getAttribute("data-type") || "").toLowerCase() === want.type) &&
            (!want.label || parseList(row.getAttribute("data-labels")).map(function (s) { return s.toLowerCase(); }).indexOf(want.label) >= 0) &&
            (!want.stage || parseList(row.getAttribute("data-stages")).map(function (s) { return s.toLowerCase(); }).indexOf(want.stage) >= 0);
          row.hidden = !ok;
          if (ok) shown++;
        });
      });
      var noun = total === 1 ? " model" : " models";
      if (counter) counter.textContent = shown === total ? total + noun : shown + " of " + total + noun;
    }
    Array.prototype.forEach.call(controls, function (c) {
      c.addEventListener("input", apply);
      c.addEventListener("change", apply);
    });
    apply();
  }

  /* Lineage diagrams of older versions are drawn when their <details> opens, the way
     Material draws the open one (a closed shadow root holding Mermaid's SVG), once Material
     has set Mermaid up (its theme), which it does for the first diagram. */
  var lazySequence = 0;

  function whenMermaidReady(container, then) {
    if (window.mermaid && container.querySelector("div.mermaid")) { then(); return; }
    var watch = new MutationObserver(function () {
      if (window.mermaid && container.querySelector("div.mermaid")) { watch.disconnect(); then(); }
    });
    watch.observe(container, { childList: true, subtree: true });
  }

  function drawLazy(pre) {
    if (pre.getAttribute("data-ms-drawing")) return;
    pre.setAttribute("data-ms-drawing", "1");
    var host = document.createElement("div");
    host.className = "mermaid";
    window.mermaid.render("ms_lineage_" + lazySequence++, pre.textContent).then(function (out) {
      var shadow = host.attachShadow({ mode: "closed" });
      shadow.innerHTML = out.svg;
      pre.replaceWith(host);
      if (out.bindFunctions) out.bindFunctions(shadow);
    }, function () { pre.removeAttribute("data-ms-drawing"); });  /* left as source text */
  }

  function bindLazyLineages(container) {
    Array.prototype.forEach.call(container.querySelectorAll("details.ms-lineage"), function (details) {
      var pre = details.querySelector("pre.ms-mermaid-lazy");
      if (!pre) return;
      function maybeDraw() { if (details.open) whenMermaidReady(container, function () { drawLazy(pre); }); }
      details.addEventListener("toggle", maybeDraw);
      maybeDraw();
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-ms-table]"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("[data-ms-filters]"), bindFilters);
    Array.prototype.forEach.call(document.querySelectorAll(".ms-lineages"), bindLazyLineages);
  }

  /* Material's instant navigation swaps pages without reloading: re-run on each page. */
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
