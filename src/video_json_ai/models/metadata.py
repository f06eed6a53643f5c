"""Container and stream metadata: what ffprobe -show_format -show_streams -show_chapters tells."""

from __future__ import annotations

from pydantic import Field

from video_json_ai.models.common import Model


class Tags(Model):
    creation_time: str | None = None
    title: str | None = None
    encoder: str | None = None
    location: str | None = Field(default=None, description="ISO 6709 location, when the camera wrote one.")
    other: dict[str, str] = Field(default_factory=dict, description="Every other tag, as written.")


class VideoStream(Model):
    index: int = Field(description="Stream index in the container.")
    codec: str
    codec_long_name: str | None = None
    profile: str | None = None
    level: int | None = None
    width: int
    height: int
    display_width: int = Field(description="Width as shown: after sample aspect ratio and rotation.")
    display_height: int
    sample_aspect_ratio: str | None = None
    display_aspect_ratio: str | None = None
    fps: float | None = Field(default=None, description="Average frame rate.")
    real_fps: float | None = Field(default=None, description="Real base frame rate (r_frame_rate).")
    variable_frame_rate: bool | None = None
    frame_count: int | None = None
    frame_count_exact: bool = Field(description="False when frame_count is estimated from duration x fps.")
    duration_s: float | None = None
    start_time_s: float | None = None
    bit_rate: int | None = None
    pixel_format: str | None = None
    bit_depth: int | None = None
    color_space: str | None = None
    color_transfer: str | None = None
    color_primaries: str | None = None
    color_range: str | None = None
    hdr: bool
    rotation_degrees: int = Field(default=0, description="Display rotation (display matrix), degrees.")
    language: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class AudioStream(Model):
    index: int
    codec: str
    codec_long_name: str | None = None
    profile: str | None = None
    sample_rate: int
    channels: int
    channel_layout: str | None = None
    sample_format: str | None = None
    bit_rate: int | None = None
    duration_s: float | None = None
    start_time_s: float | None = None
    language: str | None = None
    title: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class SubtitleStream(Model):
    index: int
    codec: str
    language: str | None = None
    title: str | None = None


class Chapter(Model):
    index: int
    start_s: float
    end_s: float
    start_timecode: str
    end_timecode: str
    title: str | None = None


class Metadata(Model):
    file_name: str
    format: str = Field(description="Container short name(s), as FFmpeg calls it, e.g. 'mov,mp4,m4a,3gp,3g2,mj2'.")
    format_long_name: str | None = None
    duration_s: float | None
    duration_timecode: str | None
    size_bytes: int
    bit_rate: int | None = Field(default=None, description="Overall bit rate, bits per second.")
    start_time_s: float | None = None
    tags: Tags
    video: list[VideoStream] = Field(default_factory=list)
    audio: list[AudioStream] = Field(default_factory=list)
    subtitles: list[SubtitleStream] = Field(default_factory=list)
    attachments: int = Field(default=0, description="Attached files (fonts, cover art) in the container.")
    data_streams: int = 0
    chapters: list[Chapter] = Field(default_factory=list)


class MetadataSummary(Model):
    """The short form shown after an upload."""

    duration_s: float | None
    duration_timecode: str | None
    width: int | None
    height: int | None
    fps: float | None
    video_codec: str | None
    audio_codec: str | None
    has_audio: bool
    rotation_degrees: int = 0
