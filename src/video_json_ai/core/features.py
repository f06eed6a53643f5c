"""Which parts of the report to build: from an explicit list, or read from plain language."""

from __future__ import annotations


from video_json_ai.util.text import mentions
from video_json_ai.models.report import ALL_FEATURES, DEFAULT_FEATURES, Feature

# Words (English and Chinese) that ask for a feature. Lower-case; English matched on word starts.
KEYWORDS: dict[Feature, tuple[str, ...]] = {
    "metadata": ("metadata", "meta data", "info", "format", "codec", "resolution", "duration", "fps",
                 "frame rate", "bitrate", "bit rate", "properties", "元数据", "信息", "格式", "分辨率",
                 "时长", "帧率", "编码", "码率"),
    "scenes": ("scene", "shot", "cut", "transition", "chapter", "segment", "storyboard", "场景", "镜头",
               "分镜", "转场", "切换", "片段"),
    "keyframes": ("keyframe", "key frame", "thumbnail", "still", "frame image", "screenshot", "关键帧",
                  "缩略图", "截图", "封面"),
    "audio": ("audio", "sound", "loud", "silence", "silent", "volume", "music", "speech", "voice", "lufs",
              "音频", "声音", "响度", "静音", "音量", "音乐", "语音", "人声"),
    "text": ("on-screen text", "onscreen text", "text", "caption", "burned-in", "burnt-in", "title", "ocr",
             "overlay", "lower third", "文字", "标题", "文本", "硬字幕"),
    "transcript": ("transcript", "transcribe", "what is said", "what's said", "spoken", "dialogue",
                   "words", "asr", "speech to text", "speech-to-text", "转录", "转写", "台词", "说了什么",
                   "语音识别"),
    "subtitles": ("subtitle", "closed caption", "caption track", "srt", "vtt", "webvtt", "字幕"),
    "cues": ("technical cue", "cues", "black frame", "black screen", "colour bar", "color bar", "bars and tone",
             "test tone", "freeze", "frozen", "still frame", "credits", "end credit", "leader", "slate",
             "qc", "quality control", "黑场", "彩条", "测试音", "定格", "静帧", "片尾", "字幕表"),
}
EVERYTHING = ("everything", "all features", "full report", "全部", "所有", "完整")




def features_from_instructions(instructions: str) -> list[Feature]:
    """Features the plain-language request asks for, in report order; the default set if none."""
    text = (instructions or "").lower()
    if any(mentions(text, w) for w in EVERYTHING):
        return list(ALL_FEATURES)
    wanted = {f for f, words in KEYWORDS.items() if any(mentions(text, w) for w in words)}
    if not wanted:
        return list(DEFAULT_FEATURES)
    if "keyframes" in wanted:
        wanted.add("scenes")  # keyframes are chosen per scene
    wanted.add("metadata")  # cheap, and every other part needs it
    return [f for f in ALL_FEATURES if f in wanted]


def resolve_features(features: list[str] | None, instructions: str) -> list[Feature]:
    """An explicit list wins (validated, ordered); otherwise read the instructions."""
    if features is None or len(features) == 0:
        return features_from_instructions(instructions)
    unknown = [f for f in features if f not in ALL_FEATURES]
    if unknown:
        from video_json_ai.errors import InvalidInput

        raise InvalidInput(
            f"Unknown feature(s): {', '.join(map(repr, unknown))}",
            f"Use any of: {', '.join(ALL_FEATURES)}.",
        )
    chosen = set(features)
    if "keyframes" in chosen:
        chosen.add("scenes")
    chosen.add("metadata")
    return [f for f in ALL_FEATURES if f in chosen]
