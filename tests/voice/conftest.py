"""Recordings shared by the voice tests, synthesised once per session."""
from __future__ import annotations

import os

import pytest

from tests.voice import clips


@pytest.fixture(scope="session")
def speech():
    """(int16 samples, rate) of clips.PASSAGE spoken by espeak-ng."""
    if clips.ESPEAK is None and os.environ.get("CI"):
        pytest.fail("espeak-ng is not installed (apt-get install espeak-ng); CI must run the voice tests.")
    return clips.speak(clips.PASSAGE)


@pytest.fixture(scope="session")
def recordings(speech):
    """clips.PASSAGE in every encoding of clips.ENCODINGS, by name."""
    samples, rate = speech
    return {enc.name: clips.encode(samples, rate, enc) for enc in clips.ENCODINGS}
