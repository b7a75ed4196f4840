/* modelshelf compare page: versions and candidates side by side, plots overlaid as inline SVG.
 * Reads ?model=NAME&v=A&v=B (or the same after '#'), fetches api/models/<stem>.json and builds
 * everything with createElement / createElementNS / textContent: repository text is never parsed
 * as HTML. The rules follow modelshelf.compare.model (the CLI's `modelshelf compare`). */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var COLORS = ["#3f51b5", "#e65100", "#2e7d32", "#c2185b", "#00838f", "#6d4c41", "#5e35b1", "#9e9d24"];
  var INK = "#212121", AXIS = "#616161", GRID = "#e0e0e0";  // on the plot's white card, in both schemes
  var FILTER_FROM = 12;  // entries above which the version picker gets a filter box
  var CODE = /\.(py|ipynb|r|sh|js|ts|java|scala|jl|sql|go|rs|c|cc|cpp|h|m|rb|pl|lua)$/i;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function isNumber(v) { return typeof v === "number" && isFinite(v); }

  /* The site's one rule for metric and param values: views.fmt_value in Python (tests feed both
   * the same numbers). By value: from 0.001 up to a million, at most four decimals without
   * trailing zeros; smaller or larger magnitudes in four significant digits ("1.148e15"). */
  function fmt(v) {
    if (v === null || v === undefined) return "—";
    if (typeof v !== "number") return String(v);
    if (isNaN(v)) return "NaN";
    if (!isFinite(v)) return v > 0 ? "∞" : "-∞";
    if (v === 0) return "0";
    var size = Math.abs(v);
    if (size >= 1e6 || size < 1e-3) {
      var parts = v.toExponential(3).split("e");
      return parts[0].replace(/\.?0+$/, "") + "e" + Number(parts[1]);
    }
    return v.toFixed(4).replace(/\.?0+$/, "");
  }
  window.modelshelf = window.modelshelf || {};
  window.modelshelf.formatValue = fmt;  /* for tests and for scripts reusing the catalog's format */

  function short(s) { return /^[0-9a-f]{40}$/.test(s) ? s.slice(0, 7) : s; }

  function readQuery() {
    var q = new URLSearchParams(window.location.search);
    if (window.location.hash.length > 1) {
      var h = new URLSearchParams(window.location.hash.slice(1));
      if (h.get("model")) q = h;
    }
    return { model: q.get("model") || "", v: q.getAll("v") };
  }

  function lineageMap(lineage) {
    var map = {};
    ((lineage || {}).stages || []).forEach(function (stage) {
      map[[stage.name, "command", "cmd"].join("\u0000")] = stage.cmd;
      ["deps", "outs"].forEach(function (role) {
        (stage[role] || []).forEach(function (item) {
          var kind = role === "outs" ? "output" : CODE.test(item.path) ? "code" : "data";
          map[[stage.name, kind, item.path].join("\u0000")] = item.md5;
        });
      });
    });
    return map;
  }

  function entriesOf(model) {
    var list = [];
    (model.versions || []).forEach(function (v) {
      list.push({ token: short(v.version), label: short(v.version), kind: "version", status: v.status,
        commit: v.commit, metrics: v.metrics || {}, params: v.params || {}, lineage: lineageMap(v.lineage),
        plots: v.plots || [], stages: v.stages || [], experiment: null, register: null });
    });
    (model.candidates || []).forEach(function (c) {
      list.push({ token: c.commit.slice(0, 7), label: c.commit.slice(0, 7) + (c.experiment ? " (" + c.experiment + ")" : ""),
        kind: "candidate", status: "candidate", commit: c.commit, metrics: c.metrics || {}, params: c.params || {},
        lineage: lineageMap(c.lineage), plots: c.plots || [], stages: [], experiment: c.experiment,
        register: c.register });
    });
    return list;
  }

  function resolve(model, list, token) {
    var wanted = token, name = model.name;
    if (token.indexOf(name) === 0 && (token.charAt(name.length) === "@" || token.charAt(name.length) === "#")) {
      var rest = token.slice(name.length + 1);
      wanted = token.charAt(name.length) === "#" ? (model.stages || {})[rest] : rest === "latest" ? model.latest : rest;
      if (!wanted) return null;
      wanted = short(wanted);
    }
    var found = list.filter(function (e) { return e.token === wanted || (e.experiment && e.experiment === wanted); })[0];
    if (found) return found;
    if (/^[0-9a-f]{4,40}$/.test(wanted)) {
      return list.filter(function (e) { return e.commit.indexOf(wanted) === 0 && e.status !== "deregistered"; })[0] || null;
    }
    return null;
  }

  /* Wrapped as Material wraps Markdown tables, and without a class of its own: Material styles
   * `.md-typeset table:not([class])` only. The wrapper carries the name (e.g. ms-compare-metrics). */
  function table(headers, rows, cls) {
    var t = el("table");
    var head = el("thead"), tr = el("tr");
    headers.forEach(function (h) { tr.appendChild(el("th", {}, h)); });
    head.appendChild(tr);
    t.appendChild(head);
    var body = el("tbody");
    rows.forEach(function (cells) {
      var row = el("tr");
      cells.forEach(function (cell) { row.appendChild(cell instanceof Node ? cell : el("td", {}, cell)); });
      body.appendChild(row);
    });
    t.appendChild(body);
    var wrap = el("div", { "class": "md-typeset__table" + (cls ? " " + cls : "") });
    wrap.appendChild(t);
    var scroll = el("div", { "class": "md-typeset__scrollwrap" });
    scroll.appendChild(wrap);
    return scroll;
  }

  /* Same rule as views.metric_cell: the sign shows the numeric change, the colour whether it is an
   * improvement; `lower` (from the page's data, the plugin's lower_is_better option) flips it. */
  function metricCell(value, base, first, lower) {
    var td = el("td", { "class": "ms-metric" }, fmt(value));
    if (!first && isNumber(value) && isNumber(base)) {
      var d = value - base;
      var sign = d > 0 ? "+" : d < 0 ? "−" : "±";
      var verdict = d === 0 ? "same" : (lower ? d < 0 : d > 0) ? "better" : "worse";
      var rule = lower ? "lower is better" : "higher is better";
      var span = el("span", { "class": "ms-delta ms-delta--" + (d > 0 ? "up" : d < 0 ? "down" : "same") + " ms-delta--" + verdict,
        title: (verdict === "same" ? "unchanged" : verdict) + " (" + rule + ")" }, sign + fmt(Math.abs(d)));
      td.appendChild(document.createTextNode(" "));
      td.appendChild(span);
    }
    return td;
  }

  function keysOf(chosen, field) {
    var keys = {};
    chosen.forEach(function (e) { Object.keys(e[field]).forEach(function (k) { keys[k] = true; }); });
    return Object.keys(keys).sort();
  }

  function differ(values) {
    var seen = {};
    values.forEach(function (v) { seen[JSON.stringify(v === undefined ? null : v)] = true; });
    return Object.keys(seen).length > 1;
  }

  function plotFigure(id, chosen) {
    var curves = [], title = id, xName = "", yName = "";
    chosen.forEach(function (e, i) {
      e.plots.forEach(function (p) {
        if (p.id !== id || p.kind !== "data") return;
        title = p.title || id; xName = p.x || ""; yName = p.y || "";
        (p.series || []).forEach(function (s) {
          curves.push({ label: e.label + ((p.series.length > 1) ? " " + s.y : ""), color: COLORS[i % COLORS.length],
            points: s.points });
        });
      });
    });
    if (!curves.length) return null;
    var xs = [], ys = [];
    curves.forEach(function (c) { c.points.forEach(function (p) { xs.push(p[0]); ys.push(p[1]); }); });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    if (x0 === x1) { x0 -= 1; x1 += 1; }
    if (y0 === y1) { y0 -= 1; y1 += 1; }
    var W = 440, H = 300, L = 48, R = 12, T = 12, B = 36;
    function sx(v) { return (L + (v - x0) / (x1 - x0) * (W - L - R)).toFixed(2); }
    function sy(v) { return (H - B - (v - y0) / (y1 - y0) * (H - T - B)).toFixed(2); }
    var fig = el("figure", { "class": "ms-plot ms-compare-plot", "data-plot": id });
    var chart = svg("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img" });
    chart.appendChild(svg("title", {}, title));
    /* A white card with dark ink in both colour schemes, like the model page's plots (images on white). */
    chart.appendChild(svg("rect", { x: 0, y: 0, width: W, height: H, fill: "#ffffff", "class": "ms-plot-bg" }));
    [0, 0.5, 1].forEach(function (f) {  // light grid, as the model page's plots have
      var gx = L + f * (W - L - R), gy = H - B - f * (H - T - B);
      chart.appendChild(svg("line", { x1: gx, y1: T, x2: gx, y2: H - B, stroke: GRID, "stroke-width": 0.6 }));
      chart.appendChild(svg("line", { x1: L, y1: gy, x2: W - R, y2: gy, stroke: GRID, "stroke-width": 0.6 }));
    });
    chart.appendChild(svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: AXIS }));
    chart.appendChild(svg("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: AXIS }));
    [x0, (x0 + x1) / 2, x1].forEach(function (v) {
      chart.appendChild(svg("text", { x: sx(v), y: H - B + 14, "text-anchor": "middle", "font-size": 11, fill: INK }, fmt(v)));
    });
    [y0, (y0 + y1) / 2, y1].forEach(function (v) {
      chart.appendChild(svg("text", { x: L - 4, y: sy(v), "text-anchor": "end", "dominant-baseline": "middle", "font-size": 11, fill: INK }, fmt(v)));
    });
    chart.appendChild(svg("text", { x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle", "font-size": 12, fill: INK }, xName));
    chart.appendChild(svg("text", { x: 12, y: (T + H - B) / 2, "text-anchor": "middle", "font-size": 12, fill: INK,
      transform: "rotate(-90 12 " + (T + H - B) / 2 + ")" }, yName));
    curves.forEach(function (c) {
      var line = svg("polyline", { fill: "none", stroke: c.color, "stroke-width": 2,
        points: c.points.map(function (p) { return sx(p[0]) + "," + sy(p[1]); }).join(" ") });
      line.setAttribute("data-label", c.label);
      line.appendChild(svg("title", {}, c.label));
      chart.appendChild(line);
    });
    fig.appendChild(chart);
    var caption = el("figcaption", {}, title + ": ");
    curves.forEach(function (c) {
      var key = el("span", { "class": "ms-legend" });
      var swatch = el("span", { "class": "ms-swatch" });
      swatch.style.backgroundColor = c.color;
      key.appendChild(swatch);
      key.appendChild(document.createTextNode(c.label));
      caption.appendChild(key);
    });
    fig.appendChild(caption);
    return fig;
  }

  function renderResult(target, chosen, lowerIsBetter) {
    target.textContent = "";
    if (chosen.length < 2) {
      target.appendChild(el("p", { "class": "ms-empty", "data-compare-status": "" }, "Pick two or more versions or candidates to compare."));
      return;
    }
    var labels = chosen.map(function (e) { return e.label + (e.kind === "candidate" ? " (candidate)" : ""); });
    target.appendChild(el("h2", { id: "compare-metrics" }, "Metrics"));
    var metricKeys = keysOf(chosen, "metrics");
    if (metricKeys.length) {
      target.appendChild(table(["Metric"].concat(labels), metricKeys.map(function (k) {
        var base = chosen[0].metrics[k];
        var lower = lowerIsBetter.indexOf(k) >= 0;
        return [el("td", {}, k)].concat(chosen.map(function (e, i) { return metricCell(e.metrics[k], base, i === 0, lower); }));
      }), "ms-compare-metrics"));
    } else {
      target.appendChild(el("p", { "class": "ms-empty" }, "No metrics recorded."));
    }
    target.appendChild(el("h2", { id: "compare-params" }, "Params that differ"));
    var paramKeys = keysOf(chosen, "params").filter(function (k) {
      return differ(chosen.map(function (e) { return e.params[k]; }));
    });
    if (paramKeys.length) {
      target.appendChild(table(["Param"].concat(labels), paramKeys.map(function (k) {
        return [el("td", {}, k)].concat(chosen.map(function (e) { return el("td", {}, fmt(e.params[k])); }));
      }), "ms-compare-params"));
    } else {
      target.appendChild(el("p", { "class": "ms-empty" }, "Params are identical."));
    }
    target.appendChild(el("h2", { id: "compare-lineage" }, "Lineage that differs"));
    var lineageKeys = keysOf(chosen, "lineage").filter(function (k) {
      return differ(chosen.map(function (e) { return e.lineage[k]; }));
    });
    if (lineageKeys.length) {
      target.appendChild(table(["Stage", "What", "Path"].concat(labels), lineageKeys.map(function (k) {
        var parts = k.split("\u0000");
        return parts.map(function (p) { return el("td", {}, p); }).concat(chosen.map(function (e) {
          var v = e.lineage[k];
          var td = el("td", {}, v === undefined || v === null ? "—" : parts[1] === "command" ? v : String(v).slice(0, 10));
          if (v) td.title = String(v);
          return td;
        }));
      }), "ms-compare-lineage"));
    } else {
      target.appendChild(el("p", { "class": "ms-empty" }, "Lineage is identical (or not recorded)."));
    }
    var ids = [];
    chosen.forEach(function (e) { e.plots.forEach(function (p) { if (ids.indexOf(p.id) < 0) ids.push(p.id); }); });
    if (ids.length) {
      target.appendChild(el("h2", { id: "compare-plots" }, "Plots"));
      var box = el("div", { "class": "ms-plots" });
      ids.forEach(function (id) {
        var fig = plotFigure(id, chosen);
        if (fig) { box.appendChild(fig); return; }
        var images = chosen.map(function (e) {
          var p = e.plots.filter(function (q) { return q.id === id; })[0];
          return p && p.git_sha ? p.git_sha.slice(0, 10) : "—";
        });
        box.appendChild(table(["Image", "Blob"].concat([]), chosen.map(function (e, i) { return [e.label + ": " + id, images[i]]; }), "ms-compare-images"));
      });
      target.appendChild(box);
    }
    var register = chosen.filter(function (e) { return e.register; });
    if (register.length) {
      target.appendChild(el("h2", { id: "compare-register" }, "Register a candidate"));
      register.forEach(function (e) {
        var p = el("p");
        p.appendChild(document.createTextNode(e.label + ": "));
        var copyable = el("span", { "class": "ms-copyable" });
        copyable.appendChild(el("code", { "class": "ms-register" }, e.register));
        /* Material's clipboard handles any [data-clipboard-text] button, added later too. */
        copyable.appendChild(el("button", { type: "button", "class": "md-clipboard md-icon ms-copy", "data-clipboard-text": e.register,
          title: "Copy to clipboard", "aria-label": "Copy the command that registers " + e.token }));
        p.appendChild(copyable);
        target.appendChild(p);
      });
    }
  }

  function init() {
    var root = document.querySelector("[data-ms-compare]");
    if (!root || root.hasAttribute("data-ms-bound")) return;
    root.setAttribute("data-ms-bound", "");
    var models = [];
    try { models = JSON.parse(root.getAttribute("data-models") || "[]"); } catch (e) { models = []; }
    var base = root.getAttribute("data-root") || "./";
    if (base.charAt(base.length - 1) !== "/") base += "/";
    var select = root.querySelector("[data-compare-model]");
    var picker = root.querySelector("[data-compare-picker]");
    var result = root.querySelector("[data-compare-result]");
    var link = root.querySelector("[data-compare-link]");
    var state = { model: null, info: null, entries: [], chosen: [], stageColors: {}, stageTextColors: {} };
    try { state.stageColors = JSON.parse(root.getAttribute("data-stage-colors") || "{}"); } catch (e) { state.stageColors = {}; }
    try { state.stageTextColors = JSON.parse(root.getAttribute("data-stage-text-colors") || "{}"); } catch (e) { state.stageTextColors = {}; }

    function status(text) {
      result.textContent = "";
      result.appendChild(el("p", { "class": "ms-empty", "data-compare-status": "" }, text));
    }

    function update(push) {
      var chosen = state.entries.filter(function (e) { return state.chosen.indexOf(e.token) >= 0; });
      chosen.sort(function (a, b) { return state.chosen.indexOf(a.token) - state.chosen.indexOf(b.token); });
      var query = "?model=" + encodeURIComponent(state.model.name) +
        chosen.map(function (e) { return "&v=" + encodeURIComponent(e.token); }).join("");
      if (push) window.history.replaceState(null, "", window.location.pathname + query);
      link.href = window.location.pathname + query;
      link.hidden = false;
      renderResult(result, chosen, state.info.lower_is_better || []);
    }

    /* Every version and candidate as a checkbox in a grid of columns: candidates (the newest
     * commits) first, then versions newest first, stage holders and the latest marked. Many
     * entries get a filter; chosen ones stay listed while filtering. Keyboard: Tab / Space as
     * for any checkbox, arrow keys move through the grid (Up from its first row: the filter),
     * Down from the filter enters it, Enter in the filter picks the only match. */
    function showPicker() {
      picker.textContent = "";
      var model = state.model, colors = state.stageColors;
      var ordered = state.entries.filter(function (e) { return e.kind === "candidate"; })
        .concat(state.entries.filter(function (e) { return e.kind !== "candidate"; }));
      var box = el("fieldset", { "class": "ms-compare-picker" });
      box.appendChild(el("legend", {}, "Versions and candidates to compare"));
      var tools = el("div", { "class": "ms-picker-tools" });
      var filter = el("input", { type: "search", "data-picker-filter": "", "aria-controls": "ms-picker-list",
        placeholder: "e.g. v2.1, prod, candidate", autocomplete: "off" });
      var filterLabel = el("label", {}, "Filter ");
      filterLabel.appendChild(filter);
      var count = el("span", { "class": "ms-picker-count", "data-picker-count": "", "aria-live": "polite" });
      var clear = el("button", { type: "button", "data-picker-clear": "" }, "Clear choice");
      if (ordered.length > FILTER_FROM) tools.appendChild(filterLabel);
      tools.appendChild(count);
      tools.appendChild(clear);
      box.appendChild(tools);
      var scroller = el("div", { "class": "ms-picker-box" });
      var list = el("ul", { "class": "ms-picker-list", id: "ms-picker-list" });
      var items = ordered.map(function (e) {
        var item = el("li");
        var label = el("label");
        var check = el("input", { type: "checkbox", value: e.token, "data-token": e.token });
        check.checked = state.chosen.indexOf(e.token) >= 0;
        check.addEventListener("change", function () {
          var at = state.chosen.indexOf(e.token);
          if (check.checked && at < 0) state.chosen.push(e.token);
          if (!check.checked && at >= 0) state.chosen.splice(at, 1);
          refresh();
          update(true);
        });
        label.appendChild(check);
        var text = el("span", { "class": "ms-picker-text" });
        text.appendChild(el("span", { "class": "ms-picker-name ms-status-" + e.status }, e.label));
        var marks = el("span", { "class": "ms-picker-marks" });
        if (e.kind === "version" && short(model.latest || "") === e.token) marks.appendChild(el("span", { "class": "ms-tag ms-tag--latest" }, "latest"));
        (e.stages || []).forEach(function (stage) {
          var badge = el("span", { "class": "ms-badge", "data-stage": stage }, stage);
          if (colors[stage]) badge.style.setProperty("--ms-stage", colors[stage]);
          if (state.stageTextColors[stage]) badge.style.setProperty("--ms-stage-text", state.stageTextColors[stage]);
          marks.appendChild(badge);
        });
        if (e.kind === "candidate") marks.appendChild(el("span", { "class": "ms-tag ms-tag--muted" }, "candidate"));
        else if (e.status !== "active") marks.appendChild(el("span", { "class": "ms-tag ms-tag--muted" }, e.status));
        if (marks.childNodes.length) { text.appendChild(document.createTextNode(" ")); text.appendChild(marks); }
        label.appendChild(text);
        item.appendChild(label);
        list.appendChild(item);
        var words = [e.label, e.token, e.kind, e.status, e.experiment || "", short(e.commit)].concat(e.stages || []);
        return { item: item, check: check, text: words.join(" ").toLowerCase() };
      });
      scroller.appendChild(list);
      box.appendChild(scroller);
      picker.appendChild(box);

      function visible() { return items.filter(function (i) { return !i.item.hidden; }); }

      function refresh() {
        var want = filter.value.trim().toLowerCase();
        items.forEach(function (i) { i.item.hidden = !!want && !i.check.checked && i.text.indexOf(want) < 0; });
        var shown = visible().length, chosen = state.chosen.length;
        var what = items.length + (items.length === 1 ? " entry" : " entries");
        count.textContent = chosen + " chosen · " + (shown === items.length ? what : shown + " of " + what + " listed");
        clear.disabled = chosen === 0;
      }

      filter.addEventListener("input", refresh);
      filter.addEventListener("keydown", function (ev) {
        var shown = visible();
        if (ev.key === "ArrowDown" && shown.length) { ev.preventDefault(); shown[0].check.focus(); }
        if (ev.key === "Enter") {
          ev.preventDefault();
          var matches = shown.filter(function (i) { return !i.check.checked; });
          if (matches.length === 1) matches[0].check.click();
        }
      });
      list.addEventListener("keydown", function (ev) {
        var columns = getComputedStyle(list).gridTemplateColumns.split(" ").filter(Boolean).length || 1;
        var keys = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
        if (!(ev.key in keys) || !(ev.target instanceof HTMLInputElement)) return;
        var shown = visible(), at = -1;
        shown.forEach(function (i, n) { if (i.check === ev.target) at = n; });
        var next = shown[at + keys[ev.key]];
        ev.preventDefault();
        if (next) next.check.focus();
        else if (ev.key === "ArrowUp" && filter.isConnected) filter.focus();
      });
      clear.addEventListener("click", function () {
        state.chosen = [];
        items.forEach(function (i) { i.check.checked = false; });
        refresh();
        update(true);
      });
      refresh();
    }

    function load(name, tokens, push) {
      var info = models.filter(function (m) { return m.name === name; })[0];
      picker.textContent = "";
      if (!info) { status(name ? "Unknown model: " + name : "Choose a model."); return; }
      status("Loading " + name + "…");
      fetchModel(info).then(function (model) {
        state.model = model;
        state.info = info;
        state.entries = entriesOf(model);
        state.chosen = [];
        tokens.forEach(function (t) {
          var e = resolve(model, state.entries, t);
          if (e && state.chosen.indexOf(e.token) < 0) state.chosen.push(e.token);
        });
        if (!tokens.length) {
          var active = state.entries.filter(function (e) { return e.kind === "version" && e.status === "active"; });
          state.chosen = active.slice(0, 2).reverse().map(function (e) { return e.token; });
        }
        showPicker();
        update(push);
      }).catch(function (err) {
        status("Could not load " + info.api + " (" + err.message + "). The compare page needs the site served over HTTP, "
          + "or built with the plugin's offline option (as modelshelf demo does) to open it from disk.");
      });
    }

    // Browsers refuse fetch() on file:// pages but run <script src> there: a site built with
    // offline: true has each model as api/models/<name>.js, which fills window.modelshelfModels.
    function fetchModel(info) {
      if (window.location.protocol !== "file:") {
        return fetch(base + info.api).then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        });
      }
      var loaded = window.modelshelfModels && window.modelshelfModels[info.name];
      if (loaded) return Promise.resolve(loaded);
      return new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = base + info.api.replace(/\.json$/, ".js");
        script.onload = function () {
          var model = window.modelshelfModels && window.modelshelfModels[info.name];
          if (model) resolve(model); else reject(new Error("no data in " + script.src));
        };
        script.onerror = function () { reject(new Error("opened from disk, and " + info.api.replace(/\.json$/, ".js") + " is missing")); };
        document.head.appendChild(script);
      });
    }

    var query = readQuery();
    if (query.model) select.value = query.model;
    select.addEventListener("change", function () { load(select.value, [], true); });
    if (query.model) load(query.model, query.v, false);
    else status("Choose a model.");
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
