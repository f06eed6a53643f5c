"""Which report parts a call asks for: an explicit list, or plain words in English or Chinese."""

from __future__ import annotations

import pytest

from video_json_ai.core.features import features_from_instructions, resolve_features
from video_json_ai.errors import InvalidInput
from video_json_ai.models.features import ALL_FEATURES, DEFAULT_FEATURES


@pytest.mark.parametrize(("instructions", "expected"), [
    ("scenes and metadata", ["metadata", "scenes"]),
    ("give me the audio loudness", ["audio"]),
    ("场景和音频", ["scenes", "audio"]),
    ("everything please", list(ALL_FEATURES)),
])
def test_features_read_from_instructions(instructions, expected):
    got = features_from_instructions(instructions)
    assert set(expected) <= set(got), got
    assert got == [f for f in ALL_FEATURES if f in got]  # always in the report's order


def test_an_explicit_list_wins_and_is_put_in_order():
    assert resolve_features(["audio", "metadata"], "scenes please") == ["metadata", "audio"]


def test_nothing_recognised_gives_the_defaults():
    assert resolve_features(None, "") == list(DEFAULT_FEATURES)
    assert resolve_features(None, "zzz qqq") == list(DEFAULT_FEATURES)


def test_an_unknown_feature_is_a_clear_error():
    with pytest.raises(InvalidInput, match="colour"):
        resolve_features(["colour"], "")


def test_a_word_inside_another_word_does_not_count():
    # "metadata" must not be read out of "submetadatas"-like words; "text" not out of "context".
    assert "text" not in features_from_instructions("in this context, scenes")
