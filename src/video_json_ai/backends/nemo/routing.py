"""The spec's routing table: which action a user's free text asks for (English and Chinese).

| the user says                                   | action  | uses SSE |
| export, download, send me the video, 导出       | export  | no       |
| credits, balance, 积分, 余额                     | credits | no       |
| status, show tracks, 状态                        | state   | no       |
| upload, 上传, or sends a file                    | upload  | no       |
| anything else (generate, edit, extract, ...)    | message | yes      |

Rows are tried top to bottom. A text with an edit verb ("add music to the tracks", "add a
credits roll", "trim it and export") is an edit: it goes to the agent, so an edit is never
silently turned into a read, a render or an upload. "Sends a file" is a text that is only a
path or URL of a supported file; ``file_in_text`` finds the file an upload request names.
"""

from __future__ import annotations

import re
from typing import Literal

from video_json_ai.util.text import mentions
from video_json_ai.core.sources import SUPPORTED_EXTENSIONS

Action = Literal["export", "credits", "state", "upload", "message"]

ROUTES: tuple[tuple[Action, tuple[str, ...]], ...] = (
    ("export", ("export", "download", "send me the video", "send me the file", "render", "导出", "下载", "渲染")),
    ("credits", ("credit", "balance", "积分", "余额", "点数")),
    ("state", ("status", "show tracks", "show the tracks", "show me the tracks", "show the timeline",
               "show timeline", "what is on the timeline", "what's on the timeline", "state", "状态", "轨道", "时间线")),
    ("upload", ("upload", "上传")),
)
EDIT_WORDS = ("add", "generate", "create", "make", "edit", "cut", "trim", "remove", "delete", "change", "replace",
              "insert", "extract", "analy", "describe", "put", "move", "apply", "split", "merge",
              "添加", "加上", "生成", "创建", "制作", "编辑", "剪", "删除", "修改", "替换", "插入", "提取", "分析", "描述")
GUARDED: tuple[Action, ...] = ("export", "credits", "state", "upload")
_MEDIA = "|".join(SUPPORTED_EXTENSIONS)
_FILE_ONLY = re.compile(rf"^\s*(?:https?://\S+|\S*[/\\]?\S+)\.(?:{_MEDIA})(?:\?\S*)?\s*$", re.IGNORECASE)
_FILE = re.compile(rf"(?:https?://\S+|[^\s\"'“”‘’]+)\.(?:{_MEDIA})(?:\?[^\s\"'”’]*)?(?=$|[\s\"'”’，。,;；)])", re.IGNORECASE)
_PATHS = re.compile(rf"https?://\S+|(?<!\S)(?:~|\.{{1,2}})?/\S*|(?<!\S)[a-z]:\\\S*|\S+\.(?:{_MEDIA})\b\S*", re.IGNORECASE)
_CJK = re.compile(r"[\u3400-\u9fff]")




def route(text: str) -> Action:
    """The action the text asks for; ``message`` (send it to the agent over SSE) otherwise."""
    lowered = " ".join(text.lower().split())
    if not lowered:
        return "message"
    if _FILE_ONLY.match(lowered):
        return "upload"  # the user just sent a file
    lowered = _PATHS.sub(" ", lowered)  # words inside a path or URL are not requests
    editing = any(mentions(lowered, w) for w in EDIT_WORDS)
    for action, words in ROUTES:
        if action in GUARDED and editing:
            continue
        if any(mentions(lowered, w) for w in words):
            return action
    return "message"


def is_chinese(text: str) -> bool:
    return _CJK.search(text) is not None


def file_in_text(text: str) -> str | None:
    """The first path or http(s) URL of a supported file in ``text`` (as written), if any."""
    match = _FILE.search(text or "")
    return match.group(0) if match else None
