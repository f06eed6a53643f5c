/* The report view: summary, timeline with lanes, a virtualised storyboard grid, scene facts.
   Everything the report says is put in the page as text (textContent), never as markup. */
"use strict";
const VJA = (() => {
  const MIN_CARD_W = 150, META_H = 26, GAP = 8, OVERSCAN_ROWS = 2;
  const state = { report: null, scenes: [], selected: -1, columns: 1, cardW: 0, cardH: 0, aspect: 16 / 9,
    images: {}, thumbs: null, awaiting: false, cards: new Map(), pending: new Map(), frame: 0, firstRender: null };
  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function clock(seconds) {
    const tenths = Math.floor(Math.max(0, seconds) * 10 + 1e-6);
    const h = Math.floor(tenths / 36000), m = Math.floor(tenths / 600) % 60, s = Math.floor(tenths / 10) % 60;
    const tail = String(s).padStart(2, "0") + "." + (tenths % 10);
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + tail : m + ":" + tail;
  }
  const secs = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1)) + " s";
  const pct = (x) => Math.round(x * 100) + "%";

  const ICONS = {  /* transition into a scene: drawn, not fetched */
    start: ["M4 3l9 5-9 5z", true],
    cut: ["M2 3h5v10H2zM9 3h5v10H9z", true],
    fade: ["M2 13L14 3v10z", true],
    dissolve: ["M2 4h8v8H2zM6 4h8v8H6z", false],
  };
  function icon(kind) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("class", "icon");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", kind);
    const title = document.createElementNS(ns, "title");
    title.textContent = kind === "start" ? "first scene" : kind;
    const path = document.createElementNS(ns, "path");
    const [shape, filled] = ICONS[kind] || ICONS.cut;
    path.setAttribute("d", shape);
    path.setAttribute("fill", filled ? "currentColor" : "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "1.5");
    svg.append(title, path);
    return svg;
  }
  function colourOf(scene) {
    const c = scene.dominant_colours && scene.dominant_colours[0];
    return c && /^#[0-9a-fA-F]{6}$/.test(c.hex) ? c.hex : "#808080";
  }

  /* ---- summary ---- */
  function renderSummary(report) {
    const s = report.summary || {};
    $("title").textContent = (report.video && report.video.file_name) || "Video report";
    document.title = $("title").textContent + " · video report";
    const facts = [["Duration", s.duration_s != null ? clock(s.duration_s) : null], ["Resolution", s.resolution],
      ["Frame rate", s.fps != null ? s.fps.toFixed(2) + " fps" : null]];
    const sum = report.scenes_summary;
    if (s.scene_count != null) {
      const kinds = sum ? ` (${sum.cuts} cuts, ${sum.fades} fades, ${sum.dissolves} dissolves)` : "";
      facts.push(["Scenes", s.scene_count + kinds]);
    }
    facts.push(["Loudness", s.loudness_verdict || (s.has_audio ? null : "no sound")]);
    if (s.speech_share != null) facts.push(["Speech", pct(s.speech_share) + " of the sound"]);
    if (s.text_overlay_count != null) facts.push(["On-screen text", s.text_overlay_count + " lines"]);
    const box = $("summary");
    box.replaceChildren();
    for (const [name, value] of facts) {
      if (value == null) continue;
      const item = el("div");
      item.append(el("dt", "", name), el("dd", "", value));
      box.append(item);
    }
    const warnings = $("warnings");
    warnings.replaceChildren(...(report.warnings || []).map((w) => el("li", "", w)));
  }

  /* ---- timeline and lanes ---- */
  function duration() {
    const r = state.report, last = state.scenes[state.scenes.length - 1];
    return (r.summary && r.summary.duration_s) || (last ? last.end_s : 0) || 1;
  }
  function sizeCanvas(canvas) {
    const ratio = window.devicePixelRatio || 1, w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return [ctx, w, h];
  }
  function drawTimeline() {
    const canvas = $("timeline");
    if (!state.scenes.length || !canvas.clientWidth) return;
    const [ctx, w, h] = sizeCanvas(canvas), total = duration();
    for (const scene of state.scenes) {
      const x = (scene.start_s / total) * w, width = Math.max(1, ((scene.end_s - scene.start_s) / total) * w);
      ctx.fillStyle = colourOf(scene);
      ctx.fillRect(x, 0, width, h);
      if (width > 4) { ctx.fillStyle = "rgba(0,0,0,0.35)"; ctx.fillRect(x, 0, 1, h); }
    }
    const chosen = state.scenes[state.selected];
    if (chosen) {
      const x = (chosen.start_s / total) * w, width = Math.max(3, ((chosen.end_s - chosen.start_s) / total) * w);
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#000"; ctx.strokeRect(x + 1, 1, width - 2, h - 2);
      ctx.strokeStyle = "#fff"; ctx.strokeRect(x + 3, 3, Math.max(1, width - 6), h - 6);
    }
    canvas.setAttribute("aria-valuemin", "0");
    canvas.setAttribute("aria-valuemax", String(state.scenes.length - 1));
    canvas.setAttribute("aria-valuenow", String(Math.max(0, state.selected)));
    canvas.setAttribute("aria-valuetext", chosen ? "Scene " + chosen.index + " at " + clock(chosen.start_s) : "none");
  }
  function lanesOf(report) {
    const audio = report.audio || {};
    const lanes = [["Silence", audio.silences, "#9ca3af"], ["Speech", audio.speech, "#16a34a"],
      ["Text", report.text, "#d97706"]];
    return lanes.filter(([, spans]) => spans && spans.length);
  }
  function buildLanes() {
    const box = $("lanes");
    box.replaceChildren();
    for (const [name, spans, colour] of lanesOf(state.report)) {
      const row = el("div", "lane-row"), canvas = el("canvas", "lane");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `${name}: ${spans.length} spans`);
      canvas.dataset.lane = name;
      row.append(el("span", "lane-name", name), canvas);
      box.append(row);
      canvas._spans = spans; canvas._colour = colour;
    }
  }
  function drawLanes() {
    const total = duration();
    for (const canvas of $("lanes").querySelectorAll("canvas")) {
      if (!canvas.clientWidth) continue;
      const [ctx, w, h] = sizeCanvas(canvas);
      ctx.fillStyle = canvas._colour;
      for (const span of canvas._spans) {
        ctx.fillRect((span.start_s / total) * w, 0, Math.max(1, ((span.end_s - span.start_s) / total) * w), h);
      }
    }
  }
  function sceneAt(seconds) {
    let lo = 0, hi = state.scenes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (state.scenes[mid].start_s <= seconds) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /* ---- the virtualised grid ---- */
  function layoutGrid() {
    const grid = $("grid"), width = grid.clientWidth - GAP;
    state.columns = Math.max(1, Math.floor(width / (MIN_CARD_W + GAP)));
    state.cardW = Math.floor(width / state.columns) - GAP;
    state.cardH = Math.round(state.cardW / state.aspect) + META_H;
    const rows = Math.ceil(state.scenes.length / state.columns);
    $("grid-space").style.height = rows * (state.cardH + GAP) + GAP + "px";
    for (const [index, card] of state.cards) place(card, index);
  }
  function place(card, index) {
    const row = Math.floor(index / state.columns), col = index % state.columns;
    card.style.left = GAP + col * (state.cardW + GAP) + "px";
    card.style.top = GAP + row * (state.cardH + GAP) + "px";
    card.style.width = state.cardW + "px";
    card.style.height = state.cardH + "px";
  }
  function visibleRange() {
    const grid = $("grid"), rowH = state.cardH + GAP;
    const first = Math.max(0, Math.floor(grid.scrollTop / rowH) - OVERSCAN_ROWS);
    const last = Math.ceil((grid.scrollTop + grid.clientHeight) / rowH) + OVERSCAN_ROWS;
    return [first * state.columns, Math.min(state.scenes.length, last * state.columns)];
  }
  function makeCard(index) {
    const scene = state.scenes[index];
    const card = el("div", "card");
    card.setAttribute("role", "option");
    card.dataset.index = String(index);
    card.setAttribute("aria-posinset", String(index + 1));
    card.setAttribute("aria-setsize", String(state.scenes.length));
    card.setAttribute("aria-label", `Scene ${scene.index}, starts ${clock(scene.start_s)}, ` +
      `${secs(scene.duration_s)}, ${scene.transition_in.kind}`);
    card.tabIndex = -1;
    const thumb = el("div", "thumb");
    const meta = el("div", "meta");
    meta.style.setProperty("--swatch", colourOf(scene));
    meta.append(icon(scene.transition_in.kind), el("span", "idx", "#" + scene.index),
      el("span", "tc", clock(scene.start_s)), el("span", "dur", secs(scene.duration_s)));
    card.append(thumb, meta);
    fillThumb(thumb, index);
    return card;
  }
  function fillThumb(thumb, index) {
    const put = (src) => {
      if (!src) { thumb.textContent = "no keyframe"; return; }
      const img = el("img");
      img.alt = "Keyframe of scene " + state.scenes[index].index;
      img.decoding = "async";
      img.src = src;
      thumb.replaceChildren(img);
    };
    if (state.images[index] !== undefined) { put(state.images[index]); return; }
    if (state.awaiting && state.scenes[index].keyframe) { thumb.textContent = "…"; return; }
    if (!state.thumbs || !state.scenes[index].keyframe) { put(null); return; }
    thumb.textContent = "…";
    state.thumbs(index).then((src) => { state.images[index] = src; put(src); },
      () => { state.images[index] = null; put(null); });
  }
  function renderVisible() {
    state.frame = 0;
    const [from, to] = visibleRange(), space = $("grid-space");
    for (const [index, card] of state.cards) {
      if ((index < from || index >= to) && index !== state.selected) { card.remove(); state.cards.delete(index); }
    }
    for (let index = from; index < to; index++) {
      if (state.cards.has(index)) continue;
      const card = makeCard(index);
      place(card, index);
      mark(card, index);
      state.cards.set(index, card);
      space.append(card);
    }
  }
  const schedule = () => { if (!state.frame) state.frame = requestAnimationFrame(renderVisible); };
  function mark(card, index) {
    const on = index === state.selected;
    card.setAttribute("aria-selected", on ? "true" : "false");
    card.tabIndex = on || (state.selected < 0 && index === 0) ? 0 : -1;
  }

  /* ---- facts of one scene ---- */
  function overlapping(spans, scene) {
    return (spans || []).filter((s) => s.start_s < scene.end_s && s.end_s > scene.start_s);
  }
  function factsOf(scene) {
    const t = scene.transition_in, kf = scene.keyframe, rows = [];
    rows.push(["Starts", `${clock(scene.start_s)} (${scene.start_timecode}), frame ${scene.start_frame}`]);
    rows.push(["Ends", `${clock(scene.end_s)} (${scene.end_timecode}), frame ${scene.end_frame}`]);
    rows.push(["Length", `${secs(scene.duration_s)}, ${scene.end_frame - scene.start_frame + 1} frames`]);
    const span = t.start_frame === t.end_frame ? `at frame ${t.start_frame}` : `frames ${t.start_frame}–${t.end_frame}`;
    rows.push(["Comes in by", t.kind === "start" ? "first scene" : `${t.kind}${t.through ? " through " + t.through : ""}, ${span}`]);
    if (kf) rows.push(["Keyframe", `${clock(kf.time_s)}, frame ${kf.frame}`]);
    rows.push(["Brightness", pct(scene.mean_brightness)]);
    rows.push(["Motion", `${scene.motion} (${scene.motion_score.toFixed(3)})`]);
    return rows;
  }
  function showFacts(index) {
    const scene = state.scenes[index], box = $("facts");
    if (!scene) return;
    const head = el("h2");
    head.append(icon(scene.transition_in.kind), el("span", "", "Scene #" + scene.index));
    const parts = [head];
    if (state.images[index]) {
      const img = el("img");
      img.alt = "Keyframe of scene " + scene.index;
      img.src = state.images[index];
      parts.push(img);
    }
    const dl = el("dl");
    for (const [name, value] of factsOf(scene)) dl.append(el("dt", "", name), el("dd", "", value));
    const colours = el("dd", "swatches");
    for (const c of scene.dominant_colours || []) {
      const sw = el("span", "swatch"), chip = el("i");
      chip.style.background = colourOf({ dominant_colours: [c] });
      sw.append(chip, document.createTextNode(`${c.hex} ${pct(c.share)}`));
      colours.append(sw);
    }
    dl.append(el("dt", "", "Colours"), colours);
    const texts = (state.report.text || []).filter((o) => o.scene_index === scene.index);
    listFact(dl, "On-screen text", texts.map((o) => `“${o.text}” (${pct(o.confidence)})`));
    const said = overlapping(state.report.transcript && state.report.transcript.segments, scene);
    listFact(dl, "Speech", said.map((s) => `${clock(s.start_s)} ${s.text}`));
    const quiet = overlapping(state.report.audio && state.report.audio.silences, scene);
    if (state.report.audio) dl.append(el("dt", "", "Silences"), el("dd", "", quiet.length ? quiet.length + " in this scene" : "none"));
    parts.push(dl);
    box.replaceChildren(...parts);
    box.hidden = false;
    document.querySelector(".body").classList.add("with-facts");
  }
  function listFact(dl, name, items) {
    if (!items.length) return;
    const list = el("ul");
    for (const item of items) list.append(el("li", "", item));
    const dd = el("dd");
    dd.append(list);
    dl.append(el("dt", "", name), dd);
  }

  /* ---- selection and keys ---- */
  function select(index, focus) {
    if (!state.scenes.length) return;
    index = Math.max(0, Math.min(state.scenes.length - 1, index));
    state.selected = index;
    const grid = $("grid"), rowTop = Math.floor(index / state.columns) * (state.cardH + GAP);
    if (rowTop < grid.scrollTop || rowTop + state.cardH + GAP > grid.scrollTop + grid.clientHeight) {
      grid.scrollTop = Math.max(0, rowTop - GAP);
    }
    renderVisible();
    for (const [i, card] of state.cards) mark(card, i);
    if (focus && state.cards.has(index)) state.cards.get(index).focus({ preventScroll: true });
    drawTimeline();
    showFacts(index);
  }
  function onGridKey(event) {
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: state.columns, ArrowUp: -state.columns,
      PageDown: state.columns * 3, PageUp: -state.columns * 3 };
    const at = Math.max(0, state.selected);
    if (event.key in moves) select(state.selected < 0 ? 0 : at + moves[event.key], true);
    else if (event.key === "Home") select(0, true);
    else if (event.key === "End") select(state.scenes.length - 1, true);
    else if (event.key === "Enter" || event.key === " ") select(at, true);
    else return;
    event.preventDefault();
  }
  function onTimelineKey(event) {
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowUp: 1, ArrowDown: -1 }[event.key];
    if (step) { select(Math.max(0, state.selected) + (state.selected < 0 ? 0 : step), false); event.preventDefault(); }
  }
  function onTimelineClick(event) {
    const canvas = $("timeline"), box = canvas.getBoundingClientRect();
    select(sceneAt(((event.clientX - box.left) / box.width) * duration()), false);
  }
  function onGridClick(event) {
    const card = event.target.closest(".card");
    if (card) select(Number(card.dataset.index), true);
  }

  let wired = false;
  function wire() {
    if (wired) return;
    wired = true;
    const grid = $("grid");
    grid.addEventListener("scroll", schedule, { passive: true });
    grid.addEventListener("click", onGridClick);
    grid.addEventListener("keydown", onGridKey);
    $("timeline").addEventListener("click", onTimelineClick);
    $("timeline").addEventListener("keydown", onTimelineKey);
    new ResizeObserver(() => { layoutGrid(); renderVisible(); drawTimeline(); drawLanes(); }).observe(grid);
  }

  /* ---- entry points ---- */
  function message(text) { $("status").textContent = text; }
  function show(report, options) {
    const opts = options || {};
    const same = Boolean(state.report && state.report.video && report.video &&
      state.report.video.video_id === report.video.video_id);
    const keep = same ? state.selected : -1;
    state.report = report;
    state.scenes = report.scenes || [];
    state.images = opts.images || (same ? state.images : {});
    state.thumbs = opts.thumbs || null;
    state.awaiting = Boolean(opts.moreImages);
    const kf = state.scenes.find((s) => s.keyframe && s.keyframe.width && s.keyframe.height);
    state.aspect = kf ? kf.keyframe.width / kf.keyframe.height : 16 / 9;
    for (const card of state.cards.values()) card.remove();
    state.cards.clear();
    state.selected = -1;
    renderSummary(report);
    const scenesTotal = opts.total || state.scenes.length;
    message(report.scenes ? (scenesTotal > state.scenes.length
      ? `Showing ${state.scenes.length} of ${scenesTotal} scenes…` : "") : "No scenes in this report: extract with the 'scenes' feature.");
    $("timeline-box").hidden = !state.scenes.length;
    $("grid").hidden = !state.scenes.length;
    buildLanes();
    wire();
    layoutGrid();
    renderVisible();
    drawTimeline();
    drawLanes();
    if (keep >= 0) select(keep, false);
    $("app").setAttribute("aria-busy", "false");
    document.documentElement.dataset.rendered = String(state.scenes.length);
    if (state.firstRender === null) {
      state.firstRender = -1;
      requestAnimationFrame(() => { state.firstRender = performance.now(); });
    }
  }
  /* The keyframes that follow the scripts in a saved page (see page.py FIRST_IMAGES). */
  function addImages(images) {
    if (!state.awaiting) return;
    state.awaiting = false;
    Object.assign(state.images, images || {});
    for (const [index, card] of state.cards) {
      const thumb = card.querySelector(".thumb");
      if (!thumb.querySelector("img")) fillThumb(thumb, index);
    }
  }
  return { show, message, clock, select, addImages, get firstRender() { return state.firstRender; } };
})();
