"""Scenes (shots), their transitions and keyframes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from video_json_ai.models.common import Model

TransitionKind = Literal["start", "cut", "fade", "dissolve"]


class Transition(Model):
    """How a scene begins. ``start`` for the first scene; a cut has a one-frame span."""

    kind: TransitionKind
    start_s: float = Field(description="Where the transition begins, seconds.")
    end_s: float = Field(description="Where the transition ends, seconds.")
    start_frame: int
    end_frame: int
    through: Literal["black", "white"] | None = Field(
        default=None, description="For fades: the colour the picture fades through."
    )


class ColourShare(Model):
    hex: str = Field(description="#rrggbb")
    share: float = Field(ge=0, le=1, description="Fraction of the scene's pixels near this colour.")


class Keyframe(Model):
    """The most representative sharp frame of a scene, saved as a JPEG."""

    time_s: float
    timecode: str
    frame: int
    path: str | None = Field(default=None, description="JPEG file on disk, when keyframes were written.")
    width: int | None = None
    height: int | None = None
    sharpness: float | None = Field(default=None, description="Relative sharpness score of the frame.")


class Scene(Model):
    index: int = Field(description="0-based scene index, used by export_render(scenes=...).")
    start_s: float
    end_s: float
    start_frame: int
    end_frame: int = Field(description="Last frame of the scene (inclusive).")
    start_timecode: str
    end_timecode: str
    duration_s: float
    transition_in: Transition
    mean_brightness: float = Field(ge=0, le=1, description="Mean luma, 0 black .. 1 white.")
    dominant_colours: list[ColourShare] = Field(default_factory=list)
    motion: Literal["static", "low", "medium", "high"]
    motion_score: float = Field(ge=0, description="Mean frame-to-frame change inside the scene.")
    keyframe: Keyframe | None = None


class SceneOptions(Model):
    """Knobs of the shot detector and keyframe writer."""

    sensitivity: float = Field(
        default=0.5, ge=0, le=1, description="0 = only the clearest cuts, 1 = every likely cut."
    )
    min_scene_s: float = Field(default=0.4, ge=0, le=60, description="Shortest scene reported, seconds.")
    keyframe_width: int = Field(default=640, ge=64, le=3840, description="Keyframe JPEG width, pixels.")
    write_keyframes: bool = True
    every_frame: bool = Field(default=False, description=(
        "Decode and analyse every frame. By default, H.264/HEVC frames that no other frame refers to are "
        "decoded only in groups of frames where a shot boundary may lie (about 40% less decoding, the "
        "same boundaries)."))


class ScenesSummary(Model):
    count: int
    cuts: int
    fades: int
    dissolves: int
    average_scene_s: float
    frames: int | None = Field(default=None, description="Frames in the video (None in reports of schema 1.0).")
    frames_analysed: int = Field(description=(
        "Frames decoded and analysed. Fewer than 'frames' when H.264/HEVC frames that no other frame refers to "
        "were skipped where no shot boundary can lie (see SceneOptions.every_frame)."))
    analysis_fps: float | None = Field(default=None, description="Video frames processed per second of wall time.")
