// The page of `nsgsim serve`. It keeps its state (edits, focus, the selected
// flow) in the URL and sends the whole list of edits with every request; the
// server keeps nothing per user. Every name from the topology goes into the
// page as text (textContent), never as markup.
"use strict";

(function () {
  const token = document.querySelector('meta[name="nsgsim-token"]').content;
  const $ = (id) => document.getElementById(id);

  // state is what the URL carries.
  const state = { edits: [], focus: "", flow: "", tab: "rules" };
  let model = null; // the file's flows and NSGs (GET /api/model)
  let baseByID = new Map(); // flow ID -> the file's flow row
  let evalSeq = 0;
  let diagramSeq = 0;
  let diagramKey = "";
  let edgesByID = new Map();
  let nodeFocus = {};
  let viewBox = null; // the diagram's current view, kept across layouts
  let pendingClick = null; // performance.now() of the edit being measured
  window.nsgsimTimings = []; // click-to-repaint times, in ms, for tests and the README
  window.nsgsimTimingParts = []; // the same, split: server round trip, applying, painting

  // ---- URL state ----------------------------------------------------------

  function encodeState() {
    const s = { e: state.edits, f: state.focus, t: state.flow, v: state.tab };
    const bytes = new TextEncoder().encode(JSON.stringify(s));
    let bin = "";
    bytes.forEach((b) => { bin += String.fromCharCode(b); });
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeState(hash) {
    const m = /^#s=([A-Za-z0-9_-]*)$/.exec(hash);
    if (!m) return;
    try {
      const bin = atob(m[1].replace(/-/g, "+").replace(/_/g, "/"));
      const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
      const s = JSON.parse(new TextDecoder().decode(bytes));
      if (Array.isArray(s.e)) state.edits = s.e.filter((e) => e && typeof e === "object");
      if (typeof s.f === "string") state.focus = s.f;
      if (typeof s.t === "string") state.flow = s.t;
      if (typeof s.v === "string") state.tab = s.v;
    } catch (err) {
      showBanner("The link's state could not be read; starting from the file.", false);
    }
  }

  function saveState() {
    history.replaceState(null, "", "#s=" + encodeState());
  }

  // ---- requests -------------------------------------------------------------

  async function api(path, body) {
    const opts = { headers: { "X-Nsgsim-Token": token } };
    if (body !== undefined) {
      opts.method = "POST";
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(Object.assign({ version: model ? model.version : "" }, body));
    }
    const resp = await fetch(path, opts);
    if (resp.status === 409) {
      reload();
      throw new Error("reloaded");
    }
    if (!resp.ok) throw new Error((await resp.text()).trim());
    return resp;
  }

  // ---- banner and status ----------------------------------------------------

  function showBanner(text, isError) {
    const b = $("banner");
    b.textContent = text;
    b.className = isError ? "banner error" : "banner";
    b.hidden = !text;
  }

  function setStatus(text) { $("status").textContent = text; }

  // ---- model ------------------------------------------------------------------

  async function loadModel() {
    const resp = await fetch("/api/model", { headers: { "X-Nsgsim-Token": token } });
    if (!resp.ok) {
      showBanner((await resp.text()).trim(), true);
      return false;
    }
    const fresh = model !== null;
    model = await resp.json();
    if (fresh) showBanner("The file changed on disk and was loaded again; your edits are kept.", false);
    $("title").textContent = model.title || model.file || "nsgsim";
    document.title = "nsgsim serve: " + ($("title").textContent);
    baseByID = new Map(model.flows.map((f) => [f.id, f]));
    buildFlowTable();
    buildFindings();
    showSummary(model.summary);
    nsgState = new Map();
    diagramKey = "";
    return true;
  }

  // ---- flow table ---------------------------------------------------------------
  // The table draws only the rows in view (a large estate has thousands of
  // flows), so that an edit that changes a thousand verdicts repaints a few
  // dozen rows.

  const ROW = 21; // px, as app.css sets #flows rows
  let shownIDs = []; // flow IDs that pass the filter, in the file's order
  let overlay = new Map(); // flow ID -> its changed result
  let scrollQueued = false;

  function buildFlowTable() {
    overlay = new Map();
    filterFlows();
  }

  function cell(tr, text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
  }

  function flowRow(f) {
    const ch = overlay.get(f.id);
    const cur = ch || f;
    const tr = document.createElement("tr");
    tr.dataset.id = f.id;
    cell(tr, ch ? cur.verdict + " (was " + f.verdict + ")" : cur.verdict, "v v-" + cur.verdict);
    cell(tr, f.id);
    cell(tr, f.source);
    cell(tr, f.destination);
    cell(tr, f.port ? f.protocol + "/" + f.port : f.protocol);
    cell(tr, f.requirement);
    cell(tr, cur.by);
    if (ch && f.verdict !== ch.verdict) tr.classList.add("changed");
    if (f.id === state.flow) tr.classList.add("selected");
    tr.title = f.id;
    return tr;
  }

  function spacer(h) {
    const tr = document.createElement("tr");
    tr.className = "spacer";
    const td = document.createElement("td");
    td.colSpan = 7;
    td.style.height = h + "px";
    tr.appendChild(td);
    return tr;
  }

  // drawRows draws the rows in view, and a few more either side.
  function drawRows() {
    scrollQueued = false;
    const box = document.querySelector(".flows-scroll");
    const tbody = $("flows").tBodies[0];
    const first = Math.max(0, Math.floor(box.scrollTop / ROW) - 20);
    const last = Math.min(shownIDs.length, Math.ceil((box.scrollTop + box.clientHeight) / ROW) + 20);
    const frag = document.createDocumentFragment();
    if (first > 0) frag.appendChild(spacer(first * ROW));
    for (let i = first; i < last; i++) frag.appendChild(flowRow(baseByID.get(shownIDs[i])));
    if (last < shownIDs.length) frag.appendChild(spacer((shownIDs.length - last) * ROW));
    tbody.textContent = "";
    tbody.appendChild(frag);
  }

  document.querySelector(".flows-scroll").addEventListener("scroll", () => {
    if (!scrollQueued) { scrollQueued = true; requestAnimationFrame(drawRows); }
  });

  function filterFlows() {
    const q = $("flow-filter").value.trim().toLowerCase();
    const only = $("only-changed").checked;
    shownIDs = [];
    for (const f of model.flows) {
      if (only && !overlay.has(f.id)) continue;
      if (q) {
        const cur = overlay.get(f.id) || f;
        const text = (f.id + " " + f.source + " " + f.destination + " " + cur.verdict + " " + cur.by + " " + f.requirement).toLowerCase();
        if (!text.includes(q)) continue;
      }
      shownIDs.push(f.id);
    }
    $("flow-count").textContent = shownIDs.length + " of " + model.flows.length;
    drawRows();
  }

  $("flows").tBodies[0].addEventListener("click", (ev) => {
    const tr = ev.target.closest("tr");
    if (tr && tr.dataset.id) selectFlow(tr.dataset.id);
  });
  $("flow-filter").addEventListener("input", filterFlows);
  $("only-changed").addEventListener("change", filterFlows);

  // ---- evaluation ------------------------------------------------------------------

  async function evaluate() {
    const seq = ++evalSeq;
    setStatus("evaluating…");
    const tSent = performance.now();
    let out, tGot;
    try {
      const resp = await api("/api/eval", { edits: state.edits, focus: state.focus });
      out = await resp.json();
      tGot = performance.now();
    } catch (err) {
      if (err.message !== "reloaded") setStatus(err.message);
      return;
    }
    if (seq !== evalSeq) return;
    applyEval(out);
    const tApplied = performance.now();
    const t0 = pendingClick;
    pendingClick = null;
    requestAnimationFrame(() => requestAnimationFrame(() => {
      if (t0 !== null) {
        const now = performance.now();
        const ms = now - t0;
        window.nsgsimTimings.push(ms);
        window.nsgsimTimingParts.push({ request: tGot - tSent, apply: tApplied - tGot, paint: now - tApplied });
        setStatus("recoloured in " + Math.round(ms) + " ms");
      } else {
        setStatus("");
      }
    }));
    // The findings and the new layout are asked for once the colours are
    // on screen, so that they do not hold the repaint up.
    requestAnimationFrame(() => setTimeout(() => {
      loadFindings(seq);
      scheduleDiagram();
    }, 0));
  }

  // loadFindings brings the second half of an edit's answer: the summary and
  // the findings, which need the whole simulation; the colours did not wait.
  async function loadFindings(seq) {
    let out;
    try {
      const resp = await api("/api/findings", { edits: state.edits });
      out = await resp.json();
    } catch (err) {
      if (err.message !== "reloaded") setStatus(err.message);
      return;
    }
    if (seq !== evalSeq) return;
    showSummary(out.summary);
    renderFindings(out.findingsAdded || [], out.findingsRemoved || []);
    document.body.dataset.findings = String(seq);
  }

  function showSummary(s) {
    $("summary").textContent = s.flows + " flows: " + s.allowed + " allowed, " + s.denied + " denied, " +
      s.partial + " partial; " + s.requiredBlocked + " required blocked";
  }

  function applyEval(out) {
    $("problems").textContent = (out.problems || []).join("\n");

    // Flow rows: the file's verdicts, with the changed ones over them.
    overlay = new Map((out.flows || []).map((f) => [f.id, f]));
    if ($("flow-filter").value.trim() || $("only-changed").checked) filterFlows(); else drawRows();

    // Diagram: recolour at once; the new layout follows.
    edgesByID = new Map((out.edges || []).map((e) => [e.id, e]));
    nodeFocus = out.nodes || {};
    recolour();

    renderNSGs(out.nsgs || []);
    renderChanges(out);
    if (state.flow) showTrace(state.flow, false);
  }

  // ---- the diagram ----------------------------------------------------------------

  const SVGNS = "http://www.w3.org/2000/svg";

  function scheduleDiagram() {
    const key = JSON.stringify([model.version, state.edits, state.focus]);
    if (key === diagramKey) return;
    diagramKey = key;
    const seq = ++diagramSeq;
    setTimeout(() => { if (seq === diagramSeq) loadDiagram(seq); }, 150);
  }

  async function loadDiagram(seq) {
    let text;
    try {
      const resp = await api("/api/diagram", { edits: state.edits, focus: state.focus });
      text = await resp.text();
    } catch (err) {
      if (err.message !== "reloaded") showBanner(err.message, true);
      return;
    }
    if (seq !== diagramSeq) return;
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    const svg = doc.documentElement;
    if (svg.nodeName !== "svg") {
      showBanner("The diagram could not be read.", true);
      return;
    }
    sanitize(svg);
    const box = $("diagram");
    const keep = viewBox;
    box.textContent = "";
    const node = document.importNode(svg, true);
    node.removeAttribute("width");
    node.removeAttribute("height");
    box.appendChild(node);
    addHitPaths(node);
    const vb = node.viewBox.baseVal;
    node.dataset.full = [vb.x, vb.y, vb.width, vb.height].join(" ");
    if (keep && keep.key === state.focus) setViewBox(keep); else fit();
    recolour();
    markSelected();
    document.body.dataset.ready = "1";
    document.body.dataset.layouts = String(Number(document.body.dataset.layouts || 0) + 1);
  }

  // sanitize removes from the SVG anything that could run or load: Graphviz
  // writes none of it, and names are escaped, but the page does not rely on it.
  function sanitize(root) {
    const bad = root.querySelectorAll("script, foreignObject, iframe, object, embed, use, image, style");
    bad.forEach((n) => n.remove());
    const all = [root, ...root.querySelectorAll("*")];
    for (const el of all) {
      for (const a of [...el.attributes]) {
        const n = a.name.toLowerCase();
        if (n.startsWith("on") || n === "style" ||
            ((n === "href" || n === "xlink:href") && !a.value.startsWith("#"))) {
          el.removeAttribute(a.name);
        }
      }
    }
    // Links in the SVG go nowhere: the page handles clicks.
    root.querySelectorAll("a").forEach((a) => { a.removeAttribute("href"); a.removeAttributeNS("http://www.w3.org/1999/xlink", "href"); });
  }

  // addHitPaths lays a wide transparent copy over each edge's line, so that
  // a thin edge is easy to click at any zoom.
  function addHitPaths(svg) {
    for (const p of svg.querySelectorAll("g.edge path")) {
      const hit = p.cloneNode(false);
      hit.setAttribute("class", "hit");
      hit.setAttribute("stroke", "transparent");
      hit.setAttribute("stroke-width", "12");
      hit.setAttribute("fill", "none");
      hit.setAttribute("vector-effect", "non-scaling-stroke");
      hit.removeAttribute("stroke-dasharray");
      p.after(hit);
    }
  }

  // recolour paints each edge of the laid-out picture with the latest
  // verdicts, before the new layout arrives.
  function recolour() {
    const svg = $("diagram").querySelector("svg");
    if (!svg) return;
    for (const g of svg.querySelectorAll("g.edge")) {
      const e = edgesByID.get(g.id);
      if (!e) continue;
      // Only edges whose drawing changed are touched: less to repaint.
      const key = JSON.stringify(e);
      if (g.dataset.drawn === key) continue;
      g.dataset.drawn = key;
      const selected = g.classList.contains("selected");
      g.setAttribute("class", "edge " + e.class + (selected ? " selected" : ""));
      for (const p of g.querySelectorAll("path:not(.hit)")) {
        p.setAttribute("stroke", e.color);
        if (e.width) p.setAttribute("stroke-width", e.width);
      }
      for (const p of g.querySelectorAll("polygon")) {
        p.setAttribute("stroke", e.color);
        p.setAttribute("fill", e.color);
      }
      const texts = [...g.querySelectorAll("text")];
      texts.forEach((t, i) => {
        t.setAttribute("fill", e.color);
        if (i < e.label.length) {
          t.textContent = i === texts.length - 1 ? e.label.slice(i).join(" · ") : e.label[i];
        } else {
          t.textContent = "";
        }
      });
      const a = g.querySelector("a");
      if (a) a.setAttributeNS("http://www.w3.org/1999/xlink", "xlink:title", e.tooltip);
    }
  }

  function markSelected() {
    const svg = $("diagram").querySelector("svg");
    if (!svg) return;
    svg.querySelectorAll("g.edge.selected").forEach((g) => g.classList.remove("selected"));
    if (!state.flow) return;
    const g = svg.querySelector("g.edge[id='" + CSS.escape("flow:" + escapeID(state.flow)) + "']") || groupEdgeOf(state.flow);
    if (g) g.classList.add("selected");
  }

  function groupEdgeOf(flowID) {
    for (const e of edgesByID.values()) {
      if (e.id.startsWith("group:") && e.tooltip.split("\n").some((l) => l.startsWith(flowID + ": "))) {
        return document.getElementById(e.id);
      }
    }
    return null;
  }

  // escapeID is render's escapeID: the SVG id of a flow's edge.
  function escapeID(s) {
    const bytes = new TextEncoder().encode(s);
    let out = "";
    for (const c of bytes) {
      const ch = String.fromCharCode(c);
      if (/[A-Za-z0-9._:\/-]/.test(ch)) out += ch;
      else out += "%" + c.toString(16).toUpperCase().padStart(2, "0");
    }
    return out;
  }

  function unescapeID(s) {
    try { return decodeURIComponent(s); } catch (err) { return s; }
  }

  // ---- pan and zoom -------------------------------------------------------------

  function currentSVG() { return $("diagram").querySelector("svg"); }

  function setViewBox(v) {
    const svg = currentSVG();
    if (!svg) return;
    viewBox = { x: v.x, y: v.y, w: v.w, h: v.h, key: state.focus };
    svg.setAttribute("viewBox", [v.x, v.y, v.w, v.h].join(" "));
  }

  function fit() {
    const svg = currentSVG();
    if (!svg) return;
    const [x, y, w, h] = svg.dataset.full.split(" ").map(Number);
    setViewBox({ x, y, w, h });
  }

  function zoom(factor, cx, cy) {
    if (!viewBox) return;
    const svg = currentSVG();
    const r = svg.getBoundingClientRect();
    // The point under (cx, cy) stays put; preserveAspectRatio is xMidYMid meet.
    const scale = Math.max(viewBox.w / r.width, viewBox.h / r.height);
    const ox = viewBox.x + (viewBox.w - r.width * scale) / 2;
    const oy = viewBox.y + (viewBox.h - r.height * scale) / 2;
    const px = ox + (cx - r.left) * scale;
    const py = oy + (cy - r.top) * scale;
    const w = viewBox.w * factor, h = viewBox.h * factor;
    setViewBox({ x: px - (px - viewBox.x) * factor, y: py - (py - viewBox.y) * factor, w, h });
  }

  const pane = $("diagram");
  pane.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    zoom(ev.deltaY > 0 ? 1.15 : 1 / 1.15, ev.clientX, ev.clientY);
  }, { passive: false });

  let drag = null;
  pane.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0 || !viewBox) return;
    drag = { x: ev.clientX, y: ev.clientY, vb: Object.assign({}, viewBox), moved: false };
  });
  window.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    drag.moved = true;
    pane.classList.add("dragging");
    const r = currentSVG().getBoundingClientRect();
    const scale = Math.max(drag.vb.w / r.width, drag.vb.h / r.height);
    setViewBox({ x: drag.vb.x - dx * scale, y: drag.vb.y - dy * scale, w: drag.vb.w, h: drag.vb.h });
  });
  window.addEventListener("pointerup", () => {
    if (drag && drag.moved) {
      // The click that ends a drag is not a click on what is under it.
      pane.addEventListener("click", (e) => e.stopPropagation(), { capture: true, once: true });
    }
    drag = null;
    pane.classList.remove("dragging");
  });
  $("zoom-in").addEventListener("click", () => { const r = pane.getBoundingClientRect(); zoom(1 / 1.3, r.left + r.width / 2, r.top + r.height / 2); });
  $("zoom-out").addEventListener("click", () => { const r = pane.getBoundingClientRect(); zoom(1.3, r.left + r.width / 2, r.top + r.height / 2); });
  $("zoom-fit").addEventListener("click", fit);

  pane.addEventListener("click", (ev) => {
    const edge = ev.target.closest("g.edge");
    if (edge) {
      if (edge.id.startsWith("flow:")) selectFlow(unescapeID(edge.id.slice(5)));
      else if (edge.id.startsWith("group:")) showGroup(edge.id);
      return;
    }
    const n = ev.target.closest("g.node, g.cluster");
    if (n) {
      const title = n.querySelector("title");
      const f = title && nodeFocus[title.textContent];
      if (f && f !== state.focus) setFocus(f);
    }
  });

  // ---- focus ------------------------------------------------------------------------

  function setFocus(f) {
    state.focus = f;
    saveState();
    renderCrumbs();
    evaluate();
  }

  function renderCrumbs() {
    const nav = $("crumbs");
    nav.textContent = "";
    const all = document.createElement("button");
    all.type = "button";
    all.textContent = "whole estate";
    all.addEventListener("click", () => setFocus(""));
    nav.appendChild(all);
    if (state.focus) {
      const sep = document.createElement("span");
      sep.className = "sep";
      sep.textContent = " › ";
      nav.appendChild(sep);
      const cur = document.createElement("span");
      cur.textContent = state.focus;
      nav.appendChild(cur);
    }
  }

  // ---- traces -----------------------------------------------------------------------

  function selectFlow(id) {
    state.flow = id;
    saveState();
    const i = shownIDs.indexOf(id);
    if (i >= 0) {
      const box = document.querySelector(".flows-scroll");
      const top = i * ROW, bottom = top + 2 * ROW;
      if (top < box.scrollTop || bottom > box.scrollTop + box.clientHeight) box.scrollTop = Math.max(0, top - box.clientHeight / 2);
    }
    drawRows();
    markSelected();
    showTab("trace");
    showTrace(id, true);
  }

  async function showTrace(id, announce) {
    const box = $("trace");
    if (announce) box.textContent = "Tracing " + id + "…";
    try {
      const resp = await api("/api/trace", { edits: state.edits, flow: id });
      const out = await resp.json();
      box.textContent = "";
      const h = document.createElement("h3");
      h.textContent = out.flow;
      const pre = document.createElement("pre");
      pre.className = "pre";
      pre.id = "trace-text";
      pre.textContent = out.text;
      box.append(h, pre);
    } catch (err) {
      if (err.message !== "reloaded") box.textContent = err.message;
    }
  }

  function showGroup(edgeID) {
    const e = edgesByID.get(edgeID);
    if (!e) return;
    showTab("trace");
    const box = $("trace");
    box.textContent = "";
    const h = document.createElement("h3");
    h.textContent = e.label.join(" · ");
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = "This edge stands for several flows; pick one to trace it, or click a VNet or subnet to expand it.";
    const ul = document.createElement("ul");
    ul.className = "flowlist";
    for (const line of e.tooltip.split("\n")) {
      const li = document.createElement("li");
      const m = /^(.*): (Allow|Deny|Partial|NoTraffic)$/.exec(line);
      if (m) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = m[1];
        b.addEventListener("click", () => selectFlow(m[1]));
        const v = document.createElement("span");
        v.className = "v v-" + m[2];
        v.textContent = " " + m[2];
        li.append(b, v);
      } else {
        li.textContent = line;
      }
      ul.appendChild(li);
    }
    box.append(h, p, ul);
  }

  // ---- tabs ---------------------------------------------------------------------------

  function showTab(name) {
    state.tab = name;
    for (const b of document.querySelectorAll(".tabs button")) b.classList.toggle("active", b.dataset.tab === name);
    for (const t of document.querySelectorAll(".tab")) t.hidden = t.id !== "tab-" + name;
    if (name === "changes") loadEmit();
  }
  for (const b of document.querySelectorAll(".tabs button")) {
    b.addEventListener("click", () => { showTab(b.dataset.tab); saveState(); });
  }

  // ---- rules panel --------------------------------------------------------------------

  const fields = ["access", "priority", "direction", "protocol", "source", "sourcePorts", "destination", "destinationPorts"];

  function baseNSG(name) { return model.nsgs.find((g) => g.name === name); }

  function baseRule(nsg, rule) {
    const g = baseNSG(nsg);
    return g && g.rules.find((r) => r.name === rule && !r.default);
  }

  function editsOf(nsg, rule) { return state.edits.filter((e) => e.nsg === nsg && e.rule === rule); }

  // edited saves the edits in the URL and re-evaluates; measure times the
  // click to the repaint. (setField drops a field set back to the file's
  // value, so that the URL stays short.)
  function edited(measure) {
    if (measure) pendingClick = performance.now();
    saveState();
    evaluate();
  }

  function toggleRule(nsg, rule) {
    const mine = editsOf(nsg, rule);
    const add = mine.find((e) => e.op === "add");
    const dis = mine.find((e) => e.op === "disable");
    if (dis) {
      state.edits = state.edits.filter((e) => e !== dis);
    } else if (add) {
      state.edits = state.edits.filter((e) => !(e.nsg === nsg && e.rule === rule));
    } else {
      state.edits.push({ op: "disable", nsg, rule });
    }
    edited(true);
  }

  function setField(nsg, rule, field, value) {
    const add = state.edits.find((e) => e.op === "add" && e.nsg === nsg && e.rule === rule);
    if (add) {
      add.set[field] = value;
      edited(true);
      return;
    }
    let set = state.edits.find((e) => e.op === "set" && e.nsg === nsg && e.rule === rule);
    const base = baseRule(nsg, rule);
    if (!set) {
      set = { op: "set", nsg, rule, set: {} };
      state.edits.push(set);
    }
    if (base && String(base[field]) === String(value)) delete set.set[field];
    else set.set[field] = String(value);
    if (Object.keys(set.set).length === 0) state.edits = state.edits.filter((e) => e !== set);
    edited(true);
  }

  function addRule(nsg, form) {
    const name = form.name.trim();
    if (!name) return;
    const set = {};
    for (const f of fields) if (form[f] !== undefined && form[f] !== "") set[f] = String(form[f]);
    state.edits.push({ op: "add", nsg, rule: name, set });
    edited(true);
  }

  let openNSGs = new Set();
  let editedViews = new Map(); // NSG name -> its rules after the edits
  let nsgState = new Map(); // NSG name -> what its panel shows, to redraw only what changed

  function renderNSGs(views) {
    editedViews = new Map(views.map((v) => [v.name, v]));
    const box = $("nsgs");
    const q = $("nsg-filter").value.trim().toLowerCase();
    if (box.dataset.filter !== q || box.childElementCount === 0) {
      box.dataset.filter = q;
      box.textContent = "";
      nsgState = new Map();
      for (const g of model.nsgs) {
        if (q && !g.name.toLowerCase().includes(q) && !g.attached.join(" ").toLowerCase().includes(q)) continue;
        const d = document.createElement("details");
        d.className = "nsg";
        d.dataset.nsg = g.name;
        const s = document.createElement("summary");
        const custom = g.rules.filter((r) => !r.default).length;
        s.textContent = g.name + " (" + custom + " rules)";
        d.appendChild(s);
        d.addEventListener("toggle", () => {
          if (d.open) { openNSGs.add(g.name); fillNSG(d, g); } else openNSGs.delete(g.name);
        });
        box.appendChild(d);
        if (openNSGs.has(g.name)) d.open = true;
      }
    }
    for (const d of box.children) {
      const name = d.dataset.nsg;
      const key = JSON.stringify([editedViews.get(name) || null, editsOfNSG(name)]);
      if (nsgState.get(name) === key) continue;
      nsgState.set(name, key);
      d.classList.toggle("edited", editedViews.has(name));
      if (d.open) fillNSG(d, baseNSG(name));
    }
  }
  $("nsg-filter").addEventListener("input", () => renderNSGs([...editedViews.values()]));

  function editsOfNSG(nsg) { return state.edits.filter((e) => e.nsg === nsg); }

  // fillNSG draws an open NSG's rules. A large NSG (Azure allows 1,000
  // rules) is drawn as text, a cell becoming a text box when clicked; after an
  // edit, only the rows whose rule changed are drawn again.
  function fillNSG(d, g) {
    const view = editedViews.get(g.name) || g;
    const disabled = state.edits.filter((e) => e.op === "disable" && e.nsg === g.name).map((e) => baseRule(g.name, e.rule)).filter(Boolean);
    const rules = view.rules.filter((r) => !r.default).concat(disabled).sort((a, b) =>
      a.direction === b.direction ? a.priority - b.priority : (a.direction < b.direction ? -1 : 1));
    const rows = rules.concat(view.rules.filter((r) => r.default)).map((r) => {
      const isDisabled = disabled.includes(r);
      const mine = editsOf(g.name, r.name);
      const kind = r.default ? "default" : isDisabled ? "disabled" : mine.some((e) => e.op === "add") ? "added" : mine.length ? "edited" : "";
      return { r, kind, key: JSON.stringify([r, kind]) };
    });
    let body = d.querySelector("table.rules > tbody");
    const old = body ? [...body.rows] : [];
    if (body && old.length === rows.length && old.every((tr, i) => tr.dataset.rule === rows[i].r.name)) {
      rows.forEach((row, i) => {
        if (old[i].dataset.key !== row.key) body.replaceChild(ruleRow(row), old[i]);
      });
      return;
    }
    while (d.children.length > 1) d.lastChild.remove();
    const at = document.createElement("div");
    at.className = "attached";
    at.textContent = g.attached.length ? "on " + g.attached.join(", ") : "attached nowhere";
    d.appendChild(at);
    const table = document.createElement("table");
    table.className = "rules";
    table.dataset.nsg = g.name;
    const head = table.createTHead().insertRow();
    for (const h of ["on", "priority", "name", "dir", "access", "proto", "source", "sport", "destination", "dport"]) {
      const th = document.createElement("th");
      th.textContent = h;
      head.appendChild(th);
    }
    body = table.createTBody();
    const frag = document.createDocumentFragment();
    for (const row of rows) frag.appendChild(ruleRow(row));
    body.appendChild(frag);
    d.appendChild(table);
    d.appendChild(addForm(g.name));
  }

  function ruleRow(row) {
    const r = row.r;
    const tr = document.createElement("tr");
    tr.dataset.rule = r.name;
    tr.dataset.key = row.key;
    if (row.kind) tr.className = row.kind;
    const fixed = r.default || row.kind === "disabled";
    const td = (text, field) => {
      const c = tr.insertCell();
      c.textContent = text;
      if (field && !fixed) {
        c.className = "cell";
        c.dataset.field = field;
        c.tabIndex = 0;
        c.title = "Click to edit";
      }
      return c;
    };
    const on = document.createElement("input");
    on.type = "checkbox";
    on.className = "enable";
    on.checked = row.kind !== "disabled";
    on.disabled = r.default;
    on.title = r.default ? "A default rule: every NSG has it" : "Uncheck to leave this rule out";
    tr.insertCell().appendChild(on);
    td(r.priority, "priority");
    td(r.name);
    td(r.direction === "Inbound" ? "In" : "Out");
    const ac = td(fixed ? r.access : "");
    if (!fixed) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "access " + r.access;
      b.textContent = r.access;
      b.title = "Flip Allow/Deny";
      ac.appendChild(b);
    }
    td(r.protocol, "protocol");
    td(r.source, "source");
    td(r.sourcePorts, "sourcePorts");
    td(r.destination, "destination");
    td(r.destinationPorts, "destinationPorts");
    return tr;
  }

  // The rules panel's controls, by delegation: one listener for every row.
  function ruleOf(el) {
    const tr = el.closest("tr[data-rule]");
    const table = el.closest("table.rules");
    return tr && table ? { nsg: table.dataset.nsg, rule: tr.dataset.rule, tr } : null;
  }
  $("nsgs").addEventListener("change", (ev) => {
    if (!ev.target.matches("input.enable")) return;
    const x = ruleOf(ev.target);
    if (x) toggleRule(x.nsg, x.rule);
  });
  $("nsgs").addEventListener("click", (ev) => {
    const b = ev.target.closest("button.access");
    if (b) {
      const x = ruleOf(b);
      if (x) setField(x.nsg, x.rule, "access", b.textContent === "Allow" ? "Deny" : "Allow");
      return;
    }
    const c = ev.target.closest("td.cell");
    if (c && !c.querySelector("input, select")) startEdit(c);
  });
  $("nsgs").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && ev.target.matches("td.cell")) startEdit(ev.target);
  });

  // startEdit turns a cell into a text box (a list for the protocol); a
  // change is an edit, Escape puts the cell back.
  function startEdit(c) {
    const x = ruleOf(c);
    if (!x) return;
    const field = c.dataset.field;
    const value = c.textContent;
    let inp;
    if (field === "protocol") {
      inp = document.createElement("select");
      for (const p of model.protocols) {
        const o = document.createElement("option");
        o.value = p;
        o.textContent = p;
        inp.appendChild(o);
      }
    } else {
      inp = document.createElement("input");
      inp.type = "text";
    }
    inp.value = value;
    inp.dataset.field = field;
    if (field === "priority") inp.className = "prio";
    c.textContent = "";
    c.appendChild(inp);
    inp.focus();
    let done = false;
    const finish = (commit) => {
      if (done) return;
      done = true;
      if (commit && inp.value !== value) setField(x.nsg, x.rule, field, inp.value);
      else c.textContent = value;
    };
    inp.addEventListener("change", () => finish(true));
    inp.addEventListener("blur", () => finish(true));
    inp.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") finish(false);
      if (ev.key === "Enter") finish(true);
    });
  }

  function addForm(nsg) {
    const det = document.createElement("details");
    det.className = "addrule";
    const s = document.createElement("summary");
    s.textContent = "Add a rule";
    det.appendChild(s);
    const inputs = {};
    const row = (label, field, value) => {
      const l = document.createElement("label");
      l.textContent = label + " ";
      const i = document.createElement("input");
      i.type = "text";
      i.value = value;
      i.name = field;
      inputs[field] = i;
      l.appendChild(i);
      det.appendChild(l);
      det.appendChild(document.createElement("br"));
    };
    row("name", "name", "");
    row("priority", "priority", "");
    row("direction", "direction", "Inbound");
    row("access", "access", "Deny");
    row("protocol", "protocol", "Tcp");
    row("source", "source", "*");
    row("source ports", "sourcePorts", "*");
    row("destination", "destination", "*");
    row("destination ports", "destinationPorts", "22");
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = "Add";
    b.addEventListener("click", () => {
      const form = {};
      for (const [k, i] of Object.entries(inputs)) form[k] = i.value;
      addRule(nsg, form);
    });
    det.appendChild(b);
    return det;
  }

  // ---- findings and changes ------------------------------------------------------------

  // Findings: the file's, listed once per version; an edit brings only the
  // findings it adds and removes.
  let findingItems = new Map(); // key -> li of the file's findings
  let findingsMarked = [];

  function findingKey(f) { return f.id + "\x00" + f.position + "\x00" + f.message; }

  function findingItem(f) {
    const li = document.createElement("li");
    const sev = document.createElement("span");
    sev.className = "sev-" + f.severity;
    sev.textContent = f.severity + " " + f.id;
    const msg = document.createElement("div");
    msg.textContent = f.message;
    const pos = document.createElement("div");
    pos.className = "muted";
    pos.textContent = f.position || "";
    li.append(sev, msg, pos);
    return li;
  }

  function buildFindings() {
    const ul = $("findings");
    ul.textContent = "";
    findingItems = new Map();
    findingsMarked = [];
    const added = document.createElement("div");
    added.id = "findings-added";
    ul.appendChild(added);
    for (const f of model.findings || []) {
      const li = findingItem(f);
      findingItems.set(findingKey(f), li);
      ul.appendChild(li);
    }
  }

  function renderFindings(added, removed) {
    for (const li of findingsMarked) li.classList.remove("gone");
    findingsMarked = [];
    for (const f of removed) {
      const li = findingItems.get(findingKey(f));
      if (li) { li.classList.add("gone"); findingsMarked.push(li); }
    }
    const box = $("findings-added");
    box.textContent = "";
    for (const f of added) {
      const li = findingItem(f);
      li.classList.add("new");
      box.appendChild(li);
    }
    const n = (model.findings || []).length - findingsMarked.length + added.length;
    $("findings-count").textContent = n ? String(n) : "";
  }

  function renderChanges(out) {
    const ul = $("rule-edits");
    ul.textContent = "";
    for (const r of out.rules || []) {
      const li = document.createElement("li");
      li.textContent = r.nsg + " / " + r.rule + ": " + r.what;
      ul.appendChild(li);
    }
    if (!(out.rules || []).length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = "none: this is the file on disk";
      ul.appendChild(li);
    }
    const n = (out.flows || []).filter((f) => baseByID.get(f.id) && baseByID.get(f.id).verdict !== f.verdict).length;
    $("changes-count").textContent = n ? String(n) : "";
    if (state.tab === "changes") loadEmit();
  }

  async function loadEmit() {
    const format = $("emit-format").value;
    try {
      const resp = await api("/api/emit", { edits: state.edits, format });
      const out = await resp.json();
      $("emit").textContent = out.text;
      $("diff").textContent = out.diff;
    } catch (err) {
      if (err.message !== "reloaded") $("emit").textContent = err.message;
    }
  }
  $("emit-format").addEventListener("change", loadEmit);
  $("emit-copy").addEventListener("click", () => {
    navigator.clipboard.writeText($("emit").textContent).then(() => setStatus("copied"), () => setStatus("copy failed: select the text"));
  });

  // ---- header buttons --------------------------------------------------------------------

  $("reset").addEventListener("click", () => {
    state.edits = [];
    edited(true);
  });
  $("copylink").addEventListener("click", () => {
    saveState();
    navigator.clipboard.writeText(location.href).then(() => setStatus("link copied"), () => setStatus("copy the address bar"));
  });

  // ---- the file on disk ------------------------------------------------------------------

  async function watchFile() {
    try {
      const resp = await fetch("/api/version", { headers: { "X-Nsgsim-Token": token } });
      if (resp.ok) {
        const v = await resp.json();
        if (v.error) {
          showBanner("The file on disk does not load; \n" + v.error, true);
        } else if (model && v.version !== model.version) {
          await reload();
        }
      }
    } catch (err) {
      setStatus("server not answering");
    }
    setTimeout(watchFile, 1500);
  }

  // reload loads the file's new version and evaluates the edits on it
  // again; requests that overlap share one reload.
  let reloading = null;
  function reload() {
    if (!reloading) {
      reloading = (async () => {
        try {
          if (await loadModel()) {
            $("nsgs").textContent = "";
            renderNSGs([]);
            await evaluate();
          }
        } finally {
          reloading = null;
        }
      })();
    }
    return reloading;
  }

  // ---- start -----------------------------------------------------------------------------

  async function start() {
    decodeState(location.hash);
    renderCrumbs();
    showTab(state.tab);
    if (!(await loadModel())) return;
    renderNSGs([]);
    await evaluate();
    if (state.flow) selectFlow(state.flow);
    setTimeout(watchFile, 1500);
  }
  window.addEventListener("hashchange", () => {
    decodeState(location.hash);
    renderCrumbs();
    evaluate();
  });
  start();
})();
