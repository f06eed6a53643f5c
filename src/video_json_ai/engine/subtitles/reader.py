"""Subtitle tracks to cues, from packets demuxed beside the video's (one read) or on their own.

Every subtitle stream is decoded by FFmpeg (through PyAV): text codecs (ASS/SSA, SubRip, mov_text,
WebVTT and the other text formats FFmpeg reads) come out as ASS events, whose text is made plain
(``markup.py``). A cue starts at its packet's presentation time plus the decoder's display delay
and ends at the decoder's end time, else at the packet's end, else (an open cue) where the next
cue of the track starts or the video ends. Times are relative to the first video frame, like every
time in the report. Bitmap tracks (PGS, DVD, DVB) are listed with the number of pictures they show
and a note: their pictures are not read as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import av

from video_json_ai.engine.media import open_media
from video_json_ai.engine.subtitles.markup import dialogue_text, plain_text
from video_json_ai.models.subtitles import SubtitleCue, SubtitleTrack

_NO_END = 0xFFFFFFFF
BITMAP_NOTE = "bitmap subtitles (pictures of text): listed and counted, their text is not read"


@dataclass
class _Track:
    stream: av.subtitles.stream.SubtitleStream
    """Valid only while the file is open: what the report needs is copied below at once."""
    kind: str
    index: int = 0
    codec: str = "unknown"
    metadata: dict[str, str] = field(default_factory=dict)
    disposition: int = 0
    cues: list[tuple[float, float | None, str]] = field(default_factory=list)
    pictures: int = 0
    errors: int = 0
    note: str | None = None


def _kind(stream: av.stream.Stream) -> tuple[str, str | None]:
    cc = stream.codec_context
    if cc is None:
        return "text", "FFmpeg has no decoder for this subtitle codec here; its cues are not read"
    codec = cc.codec
    return ("bitmap", BITMAP_NOTE) if codec.bitmap_sub and not codec.text_sub else ("text", None)


class SubtitleReader:
    """Cues of every subtitle stream of a file, fed one packet at a time (a PacketReader of the pass)."""

    def __init__(self) -> None:
        self._tracks: dict[int, _Track] = {}

    def streams(self, container: av.container.InputContainer) -> list[av.stream.Stream]:
        """The file's subtitle streams: the ones this reader wants."""
        for s in container.streams.subtitles:
            kind, note = _kind(s)
            codec = s.codec_context.codec.canonical_name if s.codec_context is not None else "unknown"
            self._tracks[s.index] = _Track(s, kind, s.index, codec, dict(s.metadata or {}), int(s.disposition), note=note)
        return list(container.streams.subtitles)

    def on_packet(self, packet: av.Packet) -> None:
        track = self._tracks.get(packet.stream.index)
        if track is None or packet.size == 0 or packet.pts is None or track.stream.codec_context is None:
            return
        try:
            subs = track.stream.codec_context.decode2(packet)
        except (av.FFmpegError, ValueError, UnicodeDecodeError):
            track.errors += 1
            return
        if subs is None or len(subs) == 0:
            return
        tb = float(packet.time_base or track.stream.time_base or 0.001)
        at = packet.pts * tb
        start = at + subs.start_display_time / 1000.0
        if subs.end_display_time not in (0, _NO_END) and subs.end_display_time > subs.start_display_time:
            end: float | None = at + subs.end_display_time / 1000.0
        else:
            end = at + packet.duration * tb if packet.duration else None
        if track.kind == "bitmap":
            track.pictures += 1
            return
        text = "\n".join(t for t in (_rect_text(r) for r in subs) if t)
        if text:
            track.cues.append((start, end, text))

    def finish(self, origin_s: float = 0.0, end_s: float | None = None) -> list[SubtitleTrack]:
        """The tracks, times made relative to ``origin_s`` (the first video frame's time); an open
        cue ends at the next cue or at ``end_s`` (the end of the video, relative)."""
        return [_track_model(t, origin_s, end_s) for t in self._tracks.values()]


def _rect_text(rect: object) -> str:
    kind = getattr(rect, "type", b"")
    if kind == b"ass":
        return dialogue_text(bytes(rect.ass).decode("utf-8", "replace"))  # type: ignore[attr-defined]
    if kind == b"text":
        return plain_text(bytes(rect.text).decode("utf-8", "replace"))  # type: ignore[attr-defined]
    return ""


def _track_model(t: _Track, origin_s: float, end_s: float | None) -> SubtitleTrack:
    cues = sorted(t.cues, key=lambda c: c[0])
    out: list[SubtitleCue] = []
    for k, (start, end, text) in enumerate(cues):
        s = start - origin_s
        if end is not None:
            e = end - origin_s
        elif k + 1 < len(cues):
            e = cues[k + 1][0] - origin_s
        else:
            e = max(end_s if end_s is not None else s, s)
        out.append(SubtitleCue(start_s=round(max(s, 0.0), 3), end_s=round(max(e, s, 0.0), 3), text=text))
    note = t.note
    if t.errors:
        note = (note + "; " if note else "") + f"{t.errors} packet(s) could not be decoded and are left out"
    meta = t.metadata
    language = meta.get("language")
    disposition = t.disposition
    return SubtitleTrack(
        stream_index=t.index,
        codec=t.codec,
        kind=t.kind,  # type: ignore[arg-type]
        language=language if language not in (None, "", "und") else None,
        title=meta.get("title") or None,
        default=bool(disposition & av.stream.Disposition.default),
        forced=bool(disposition & av.stream.Disposition.forced),
        cue_count=t.pictures if t.kind == "bitmap" else len(out),
        cues=out,
        note=note,
    )


def video_origin(container: av.container.InputContainer) -> float:
    """Presentation time of the first video frame (the report's zero), from the stream's start time."""
    for s in container.streams.video:
        if s.start_time is not None and s.time_base:
            return float(s.start_time * s.time_base)
    return container.start_time / 1_000_000 if container.start_time else 0.0


def read_subtitles(path: Path) -> list[SubtitleTrack]:
    """Every subtitle track of ``path`` from a read of its subtitle packets alone (nothing decoded
    but them); for when no video pass runs."""
    container = open_media(Path(path))
    try:
        reader = SubtitleReader()
        streams = reader.streams(container)
        if not streams:
            return []
        for packet in container.demux(*streams):
            reader.on_packet(packet)
        duration = container.duration / 1_000_000 if container.duration else None
        origin = video_origin(container)
        return reader.finish(origin, duration)
    finally:
        container.close()
