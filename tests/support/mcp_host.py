"""A test MCP Apps host: a page that loads a ``ui://`` view in a sandboxed iframe and speaks the
host side of MCP Apps (JSON-RPC 2.0 over postMessage): it answers ``ui/initialize``, sends the tool
input and result once the view says it is initialized, and passes the view's ``tools/call`` and
``resources/read`` to the real server through ``window.mcpCall`` (a Python function the test exposes,
backed by the SDK's client). Every message is logged in ``window.hostLog``."""

from __future__ import annotations

from typing import Any

HOST_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>test host</title></head>
<body style="margin:0">
<iframe id="view" sandbox="allow-scripts" style="width:1100px;height:760px;border:0"></iframe>
<script>
window.hostLog = [];
const frame = document.getElementById("view");
const send = (message) => frame.contentWindow.postMessage({ jsonrpc: "2.0", ...message }, "*");
window.startView = (html, toolArguments, toolResult) => {
  window.addEventListener("message", async (event) => {
    const msg = event.data;
    if (event.source !== frame.contentWindow || !msg || msg.jsonrpc !== "2.0") return;
    window.hostLog.push(msg.method ? { method: msg.method, params: msg.params } : { answer: msg.id });
    if (msg.method === "ui/initialize") {
      send({ id: msg.id, result: { protocolVersion: "2026-01-26", hostInfo: { name: "test-host", version: "1" },
        hostCapabilities: { serverTools: {}, serverResources: {} },
        hostContext: { theme: "light", displayMode: "inline", platform: "web",
                       containerDimensions: { width: 1100, maxHeight: 900 } } } });
    } else if (msg.method === "ui/notifications/initialized") {
      send({ method: "ui/notifications/tool-input", params: { arguments: toolArguments } });
      send({ method: "ui/notifications/tool-result", params: toolResult });
    } else if (msg.method === "ui/notifications/size-changed") {
      frame.style.height = msg.params.height + "px";
    } else if (msg.id !== undefined && (msg.method === "tools/call" || msg.method === "resources/read")) {
      const answer = await window.mcpCall(msg.method, msg.params);
      send(answer.error ? { id: msg.id, error: answer.error } : { id: msg.id, result: answer.result });
    } else if (msg.id !== undefined) {
      send({ id: msg.id, error: { code: -32601, message: "not supported by the test host" } });
    }
  });
  frame.srcdoc = html;
};
</script>
</body></html>
"""


def wire(result: Any) -> dict[str, Any]:
    """An SDK result model as it travels (camelCase, ``_meta``)."""
    return result.model_dump(by_alias=True, mode="json", exclude_none=True)


def app_visible(tool: Any) -> bool:
    """MCP Apps: a view may call a tool whose ``_meta.ui.visibility`` includes 'app' (the default)."""
    ui = (tool.meta or {}).get("ui") or {}
    return "app" in ui.get("visibility", ["model", "app"])


def bridge(client: Any, tools: dict[str, Any], calls: list[str]):  # type: ignore[no-untyped-def]
    """``window.mcpCall``: the view's requests, checked as a host must, sent to the server."""

    async def mcp_call(method: str, params: dict[str, Any]) -> dict[str, Any]:
        calls.append(f"{method} {params.get('name') or params.get('uri')}")
        if method == "tools/call":
            tool = tools.get(params["name"])
            if tool is None or not app_visible(tool):
                return {"error": {"code": -32602, "message": f"tool {params['name']} is not callable by apps"}}
            return {"result": wire(await client.call_tool(params["name"], params.get("arguments") or {}))}
        return {"result": wire(await client.read_resource(params["uri"]))}

    return mcp_call
