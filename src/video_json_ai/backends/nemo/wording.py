"""The agent answers as if the user had a GUI; translate that wording into what this server does.

From the spec: "click"/点击 → do it through the matching endpoint; "open"/打开 → read the session
state; "drag/drop"/拖拽 → send the edit as a message; "preview in timeline" → a text summary of
the tracks; "Export"/导出 → run the export. Each clause is rewritten to name the matching tool.
"""

from __future__ import annotations

import re

from video_json_ai.backends.nemo.routing import route

TOOLS = {
    "export": "call export_render",
    "credits": "call check_credits",
    "state": "call get_state",
    "upload": "call upload_video",
    "message": "ask for it in extract_json instructions",
}
_END = r"[^.!?;\n。！？；，,]*"  # the rest of the clause


def _click(match: re.Match[str]) -> str:
    return TOOLS[route(match.group("what") or "")]


RULES: tuple[tuple[re.Pattern[str], object], ...] = (
    (re.compile(r"\bpreview(?: it| them| the result)? (?:in|on) (?:the )?timeline\b", re.I),
     "call get_state for a text summary of the tracks"),
    (re.compile(r"在时间线(?:上|中)?预览"), "调用 get_state 查看轨道的文字摘要"),
    (re.compile(rf"\b(?:drag(?:ging)?(?:\s*(?:and|&|/)\s*drop(?:ping)?)?|drop)\b{_END}", re.I),
     "describe the edit in extract_json instructions (it is sent to the agent as a message)"),
    (re.compile(rf"(?:拖拽|拖动|拖放){_END}"), "在 extract_json 的 instructions 中描述这个编辑（作为消息发送给智能体）"),
    (re.compile(rf"\b(?:click|tap|press)(?:\s+on)?\b(?P<what>{_END})", re.I), _click),
    (re.compile(rf"(?:点击|单击)(?P<what>{_END})"), lambda m: TOOLS[route(m.group("what") or "")].replace("call ", "调用 ")),
    (re.compile(rf"\bopen\b{_END}", re.I), "call get_state to read the session state"),
    (re.compile(rf"打开{_END}"), "调用 get_state 读取会话状态"),
    (re.compile(r"(?:\bthe )?(?:[\"“']Export[\"”']|\bExport button\b)(?: button)?", re.I), "export_render"),
    (re.compile(r"(?<!export_render \()导出(?:按钮)?"), "导出（export_render）"),
)


def translate(text: str) -> str:
    """The answer with GUI wording replaced by the matching tool."""
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)  # type: ignore[arg-type]
    return text
