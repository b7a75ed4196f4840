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
    var list = table.msList;  /* a long model table sorts its compact list, then shows the first page */
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
        if (list) { list.sort(index, type, ascending); return; }
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

  /* -- Long model tables (more rows than data-ms-page): the HTML holds the first page; the whole
     table is a compact list in <script type="application/json" data-ms-rows>, one array per model
     (views.home_list_row): name, url, type, labels, description, latest, [[stage, version, broken
     rules?, claiming source?]], last
     activity, registered, the longer description searched when the table cuts it. Filtering runs on the list; only a page of the matches is
     in the DOM, and "Show more" adds the next page. */
  var L = { name: 0, url: 1, type: 2, labels: 3, desc: 4, latest: 5, badges: 6, when: 7, registered: 8, text: 9, source: 10 };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* StageBadge.label: "prod: v1.2.0" with a no-break space. */
  function badgeLabel(b) { return b[1] ? b[0] + ":\u00a0" + b[1] : b[0]; }

  /* The rule_warning macro's words: "(warning sign) breaks 2 rules", "(per source S)" when a hub's source claims it. */
  function warningText(b) {
    var n = b[2].length;
    return "\u26a0 breaks " + n + " rule" + (n === 1 ? "" : "s") + (b[3] ? " (per source " + b[3] + ")" : "");
  }
  function broken(b) { return Array.isArray(b[2]) && b[2].length > 0; }
  /* A badge as its cell shows it, warning and its title included: the key fillRow compares. */
  function badgeText(b) { return broken(b) ? badgeLabel(b) + " " + warningText(b) + " (" + b[2].join("; ") + ")" : badgeLabel(b); }

  function fmtWhen(stamp) { return stamp.slice(0, 10) + " " + stamp.slice(11, 16) + " UTC"; }  /* views.fmt_time */

  /* The same markup as the model_table macro (macros.html), built with textContent only: one
     builder per column, each filling an empty <td>. */
  function nameCell(td, r) {
    td.appendChild(el("a", { "class": "ms-model-link", href: r[L.url] }, r[L.name]));
    if (!r[L.registered]) {
      td.appendChild(document.createTextNode(" "));
      td.appendChild(el("span", { "class": "ms-tag ms-tag--muted", title: "declared, no version registered yet" }, "not registered"));
    }
  }
  function labelsCell(td, r) {
    r[L.labels].forEach(function (label, i) {
      if (i) td.appendChild(document.createTextNode(" "));
      td.appendChild(el("span", { "class": "ms-label" }, label));
    });
  }
  function latestCell(td, r) {
    if (r[L.latest]) td.appendChild(el("code", {}, r[L.latest])); else td.textContent = "\u2014";
  }
  function badgesCell(td, r, colors) {
    r[L.badges].forEach(function (b, i) {
      if (i) td.appendChild(document.createTextNode(" "));
      var badge = el("span", { "class": "ms-badge", "data-stage": b[0] }, badgeLabel(b));
      var c = colors[b[0]];
      if (c) { badge.style.setProperty("--ms-stage", c[0]); badge.style.setProperty("--ms-stage-text", c[1]); }
      td.appendChild(badge);
      if (broken(b)) {
        var attrs = { "class": "ms-rule-warning", title: b[2].join("; "), "data-ms-rules": String(b[2].length) };
        if (b[3]) attrs["data-ms-claimed-by"] = b[3];
        td.appendChild(el("span", attrs, warningText(b)));
      }
    });
  }
  function whenCell(td, r) {
    if (r[L.when]) td.appendChild(el("time", { datetime: r[L.when] }, fmtWhen(r[L.when]))); else td.textContent = "\u2014";
  }
  function textCell(field) {
    return function (td, r) { td.textContent = r[field] || (field === L.type ? "\u2014" : ""); };
  }
  /* Per column: [its data-sort, its builder]. The data-sort doubles as the key of the cell's content. */
  var COLUMNS = [
    [function (r) { return r[L.name]; }, nameCell],
    [function (r) { return r[L.type]; }, textCell(L.type)],
    [function (r) { return r[L.labels].join(" "); }, labelsCell],
    [function (r) { return r[L.desc]; }, textCell(L.desc)],
    [function (r) { return r[L.latest]; }, latestCell],
    [function (r) { return r[L.badges].map(badgeText).join(" "); }, badgesCell],
    [function (r) { return r[L.when]; }, whenCell]
  ];

  function listRow() {
    var tr = el("tr");
    COLUMNS.forEach(function (col, i) { tr.appendChild(el("td", i === 3 ? { "class": "ms-desc" } : {})); });
    return tr;
  }

  /* Show model r in a pooled <tr>: only the cells whose content differs from what the row shows
     are touched, and the name cell of a registered model keeps its link and changes its text and
     href. New elements cost Chromium a style recalc each (Material's many descendant rules);
     changed text only costs layout. */
  function fillRow(tr, r, colors) {
    var prev = tr.msRow;
    if (prev === r) return;
    tr.msRow = r;
    COLUMNS.forEach(function (col, i) {
      var td = tr.cells[i], key = col[0](r) || "";
      var sameShape = prev && i === 0 && prev[L.registered] && r[L.registered] && td.firstChild && !td.firstChild.nextSibling;
      if (prev && key === td.getAttribute("data-sort") && (i !== 0 || prev[L.registered] === r[L.registered] && prev[L.url] === r[L.url])) return;
      td.setAttribute("data-sort", key);
      if (sameShape) {
        var a = td.firstChild;
        a.setAttribute("href", r[L.url]);
        a.firstChild.data = r[L.name];
        return;
      }
      td.textContent = "";
      col[1](td, r, colors);
    });
  }

  function sortKey(r, index) {
    switch (index) {
      case 0: return r[L.name].toLowerCase();
      case 1: return r[L.type].toLowerCase();
      case 2: return r[L.labels].join(" ").toLowerCase();
      case 3: return r[L.desc].toLowerCase();
      case 4: return r[L.latest];
      case 5: return r[L.badges].map(badgeLabel).join(" ").toLowerCase();
      default: return r[L.when];
    }
  }

  function ModelList(table, rows) {
    this.table = table;
    this.rows = rows;
    this.text = new Map();  /* row -> the lowercase text the filter searches (as data-text in the HTML) */
    rows.forEach(function (r) {
      this.text.set(r, (r[L.name] + " " + (r[L.text] || r[L.desc]) + " " + r[L.labels].join(" ")).toLowerCase());
    }, this);
    this.page = parseInt(table.getAttribute("data-ms-page"), 10) || 100;
    this.limit = this.page;
    this.matches = rows;
    this.pool = [];  /* the <tr>s shown, reused from keystroke to keystroke (render, fillRow) */
    this.shown = [];
    try { this.colors = JSON.parse(table.getAttribute("data-ms-stage-colors") || "{}"); } catch (e) { this.colors = {}; }
    var more = document.querySelector("[data-ms-more='" + table.getAttribute("data-ms-table") + "']");
    this.more = more;
    if (more) {
      more.textContent = "";
      this.status = el("span", { "class": "ms-more__status", "aria-live": "polite" });
      this.button = el("button", { type: "button", "class": "ms-more__button" });
      var self = this;
      this.button.addEventListener("click", function () { self.limit += self.page; self.render(); });
      more.appendChild(this.status);
      more.appendChild(document.createTextNode(" "));
      more.appendChild(this.button);
    }
  }

  ModelList.prototype.filter = function (want) {
    var labels = want.label, stage = want.stage, text = this.text;
    this.matches = this.rows.filter(function (r) {
      return (!want.text || text.get(r).indexOf(want.text) >= 0) &&
        (!want.type || r[L.type].toLowerCase() === want.type) &&
        (!labels || r[L.labels].some(function (l) { return l.toLowerCase() === labels; })) &&
        (!stage || r[L.badges].some(function (b) { return b[0].toLowerCase() === stage; })) &&
        (!want.source || (r[L.source] || "").toLowerCase() === want.source);
    });
    this.limit = this.page;
    this.render();
    return this.matches.length;
  };

  ModelList.prototype.sort = function (index, type, ascending) {
    var keyed = this.rows.map(function (r, i) { return [sortKey(r, index), i, r]; });
    keyed.sort(function (a, b) {
      var c = type === "version" ? compareVersions(String(a[0]), String(b[0])) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
      return (ascending ? c : -c) || a[1] - b[1];
    });
    this.rows = keyed.map(function (k) { return k[2]; });
    var wanted = this.matches;
    var set = new Set(wanted);
    this.matches = this.rows.filter(function (r) { return set.has(r); });
    this.render();
  };

  ModelList.prototype.render = function () {
    var body = this.table.tBodies[0], colors = this.colors, pool = this.pool;
    var shown = this.matches.slice(0, this.limit), before = this.shown;
    var same = shown.length === before.length && shown.every(function (r, i) { return r === before[i]; });
    if (!same || body.rows.length !== shown.length) {
      /* A fixed pool of <tr>s, filled in place: a keystroke rewrites the text of the rows that
         change instead of swapping in new elements (see fillRow). */
      if (!this.pooled) { body.textContent = ""; this.pooled = true; }
      while (pool.length < shown.length) pool.push(listRow());
      shown.forEach(function (r, i) { fillRow(pool[i], r, colors); });
      var rows = body.rows;
      while (rows.length > shown.length) body.removeChild(rows[rows.length - 1]);
      if (rows.length < shown.length) {
        var fragment = document.createDocumentFragment();
        for (var i = rows.length; i < shown.length; i++) fragment.appendChild(pool[i]);
        body.appendChild(fragment);
      }
      this.shown = shown;
    }
    if (!this.more) return;
    var rest = this.matches.length - shown.length;
    this.status.textContent = "Showing " + shown.length + " of " + this.matches.length +
      (this.matches.length === this.rows.length ? "" : " matching") + ".";
    this.button.textContent = "Show " + Math.min(rest, this.page) + " more";
    this.button.hidden = rest <= 0;
  };

  function bindList(table) {
    if (table.msList !== undefined) return;
    var script = document.querySelector("script[data-ms-rows='" + table.getAttribute("data-ms-table") + "']");
    var rows = null;
    if (script) { try { rows = JSON.parse(script.textContent); } catch (e) { rows = null; } }
    table.msList = Array.isArray(rows) ? new ModelList(table, rows) : null;
    if (table.msList) table.msList.render();
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
        if (table.msList) {
          total += table.msList.rows.length;
          shown += table.msList.filter(want);
          return;
        }
        Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
          total++;
          var ok = (!want.text || (row.getAttribute("data-text") || "").indexOf(want.text) >= 0) &&
            (!want.type || (row.getAttribute("data-type") || "").toLowerCase() === want.type) &&
            (!want.label || parseList(row.getAttribute("data-labels")).map(function (s) { return s.toLowerCase(); }).indexOf(want.label) >= 0) &&
            (!want.stage || parseList(row.getAttribute("data-stages")).map(function (s) { return s.toLowerCase(); }).indexOf(want.stage) >= 0) &&
            (!want.source || (row.getAttribute("data-source") || "").toLowerCase() === want.source);
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
    Array.prototype.forEach.call(document.querySelectorAll("table[data-ms-page]"), bindList);
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
