/* Where the report comes from: embedded in this file (a saved report), or, inside an MCP Apps host,
   the extract_json tool result the host posts (JSON-RPC 2.0 over postMessage, MCP Apps 2026-01-26).
   In the host, keyframe thumbnails come from the app-only tool named in the result's _meta.ui, so
   images never pass through the model's context; a long report's remaining scenes are read from
   the report resource. */
"use strict";
(() => {
  const PROTOCOL = "2026-01-26";
  const data = JSON.parse(document.getElementById("vja-data").textContent || "null");
  if (data && data.report) {
    VJA.show(data.report, { images: data.images || {}, moreImages: data.more_images });
    return;
  }
  if (window.parent === window) {
    VJA.message("This page holds no report. Open a report saved with: video-json-ai extract VIDEO --format html -o report.html");
    return;
  }
  document.documentElement.classList.add("in-app");
  let nextId = 1;
  const waiting = new Map();
  const post = (message) => window.parent.postMessage({ jsonrpc: "2.0", ...message }, "*");
  function request(method, params, timeoutMs) {
    const id = nextId++;
    post({ id, method, params });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { waiting.delete(id); reject(new Error(method + " timed out")); }, timeoutMs || 30000);
      waiting.set(id, { resolve, reject, timer });
    });
  }
  const notify = (method, params) => post({ method, params: params || {} });

  function applyContext(context) {
    if (!context) return;
    const root = document.documentElement;
    if (context.theme === "light" || context.theme === "dark") root.dataset.theme = context.theme;
    const vars = context.styles && context.styles.variables;
    for (const [name, value] of Object.entries(vars || {})) {
      if (/^--[a-z0-9-]+$/.test(name) && typeof value === "string") root.style.setProperty(name, value);
    }
    const box = context.containerDimensions;
    if (box && (box.maxHeight || box.height)) {
      root.style.setProperty("--grid-max", Math.max(200, (box.height || box.maxHeight) - 260) + "px");
    }
  }

  const queue = [];
  let running = 0;
  function thumbnails(tool, videoId) {
    const pump = () => {
      while (running < 4 && queue.length) {
        const job = queue.shift();
        running++;
        request("tools/call", { name: tool, arguments: { video_id: videoId, scene: job.scene } })
          .then((result) => {
            const image = (result.content || []).find((c) => c.type === "image");
            job.resolve(image && !result.isError ? `data:${image.mimeType};base64,${image.data}` : null);
          }, job.reject)
          .finally(() => { running--; pump(); });
      }
    };
    const asked = new Map();  /* one call per scene, whatever is shown again */
    return (index) => {
      if (!asked.has(index)) asked.set(index, new Promise((resolve, reject) => { queue.push({ scene: index, resolve, reject }); pump(); }));
      return asked.get(index);
    };
  }

  function resultOf(params) {
    if (params.structuredContent) return params.structuredContent;
    const text = (params.content || []).find((c) => c.type === "text");
    try { return text ? JSON.parse(text.text) : null; } catch (e) { return null; }
  }
  function onToolResult(params) {
    const result = resultOf(params || {});
    if ((params && params.isError) || !result) {
      const text = ((params && params.content) || []).find((c) => c.type === "text");
      VJA.message(text ? text.text : "The tool gave no report.");
      return;
    }
    if (!result.report) { VJA.message(result.message || "No report yet."); return; }
    const ui = (params._meta && params._meta.ui) || {};
    const thumbs = result.video_id ? thumbnails(ui.thumbnailTool || "keyframe_thumbnail", result.video_id) : null;
    VJA.show(result.report, { thumbs, total: result.scenes_total });
    const shown = (result.report.scenes || []).length;
    if (result.video_id && result.scenes_total > shown) {
      request("resources/read", { uri: ui.reportUri || `video://${result.video_id}/report` })
        .then((read) => VJA.show(JSON.parse(read.contents[0].text), { thumbs }))
        .catch(() => VJA.message(`Showing ${shown} of ${result.scenes_total} scenes: the host could not read the rest.`));
    }
  }

  const handlers = {
    "ui/notifications/tool-input": () => VJA.message("Extracting…"),
    "ui/notifications/tool-input-partial": () => {},
    "ui/notifications/tool-result": onToolResult,
    "ui/notifications/tool-cancelled": (p) => VJA.message("Cancelled" + (p && p.reason ? ": " + p.reason : ".")),
    "ui/notifications/host-context-changed": applyContext,
  };
  window.addEventListener("message", (event) => {
    const msg = event.data;
    if (event.source !== window.parent || !msg || msg.jsonrpc !== "2.0") return;
    if (msg.id !== undefined && !msg.method) {
      const entry = waiting.get(msg.id);
      if (!entry) return;
      waiting.delete(msg.id);
      clearTimeout(entry.timer);
      if (msg.error) entry.reject(new Error(msg.error.message || "error")); else entry.resolve(msg.result);
      return;
    }
    if (msg.id !== undefined) {  /* a request from the host: ping, teardown */
      post({ id: msg.id, result: {} });
      return;
    }
    const handle = handlers[msg.method];
    if (handle) handle(msg.params);
  });

  let lastHeight = 0;
  new ResizeObserver(() => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== lastHeight) {
      lastHeight = height;
      notify("ui/notifications/size-changed", { width: Math.ceil(document.documentElement.scrollWidth), height });
    }
  }).observe(document.body);

  VJA.message("Waiting for the report…");
  request("ui/initialize", {
    appCapabilities: { availableDisplayModes: ["inline"] },
    appInfo: { name: "video-json-ai report", version: "1" },
    protocolVersion: PROTOCOL,
  }).then((init) => {
    applyContext(init && init.hostContext);
    notify("ui/notifications/initialized");
  }, (error) => VJA.message("The host did not answer: " + error.message));
})();
