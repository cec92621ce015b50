"""Decoding: every container a browser or phone records becomes 16 kHz mono float32 of the right length."""
from __future__ import annotations

import io
import time
import wave

import numpy as np
import pytest

from assistant import errors
from assistant.audio.decode import decode, sniff, to_flac
from tests.voice import clips

EXPECTED_FORMAT = {"wav-8k": "wav", "wav-22k": "wav", "wav-48k-stereo": "wav", "mp3": "mp3", "flac": "flac",
                   "ogg-opus": "ogg", "webm-opus": "webm", "m4a-aac": "mp4"}


@pytest.mark.parametrize("name", EXPECTED_FORMAT)
def test_every_recording_decodes_to_16k_mono_of_the_same_length(name, recordings, speech):
    samples, rate = speech
    audio = decode(recordings[name], max_seconds=60)
    assert audio.format.name == EXPECTED_FORMAT[name]
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.duration == pytest.approx(len(samples) / rate, abs=0.05)
    assert not audio.is_silent


def test_sniffing_ignores_names_and_knows_raw_aac_and_tagged_files(speech):
    samples, rate = speech
    adts = clips.encode(samples[:rate], rate, clips.Encoding("aac", "adts", "aac", 16000))
    assert sniff(adts).name == "aac" and decode(adts, 60).duration == pytest.approx(1.0, abs=0.1)
    mp3 = clips.encode(samples[:rate], rate, clips.Encoding("mp3", "mp3", "libmp3lame", 22050))
    assert mp3[:3] == b"ID3" and sniff(mp3).name == "mp3"
    for junk in (b"", b"hello, this is text", b"%PDF-1.7", b"\x89PNG\r\n\x1a\n", b"#EXTM3U\nhttp://example.com/a.mp3"):
        assert sniff(junk) is None


def test_an_hour_long_file_is_refused_after_decoding_only_the_allowed_seconds():
    hour = io.BytesIO()
    with wave.open(hour, "wb") as w:  # 8 kHz, 8-bit: an hour in 29 MB, made instantly
        w.setnchannels(1), w.setsampwidth(1), w.setframerate(8000)
        w.writeframes(b"\x80" * 8000 * 3600)
    started = time.perf_counter()
    with pytest.raises(errors.PayloadTooLarge, match="MAX_AUDIO_SECONDS"):
        decode(hour.getvalue(), max_seconds=5)
    assert time.perf_counter() - started < 1.0  # decoding all of it takes over ten seconds here


def test_silence_and_faint_hiss_count_as_silent(speech):
    samples, rate = speech
    hiss = (np.random.default_rng(0).standard_normal(rate * 2) * 5).astype(np.int16)  # peaks near -76 dBFS
    for quiet in (clips.silence(2, rate), hiss):
        assert decode(clips.encode(quiet, rate, clips.ENCODINGS[1]), 60).is_silent


def test_flac_for_gemini_is_the_decoded_signal(recordings):
    audio = decode(recordings["webm-opus"], 60)
    flac = to_flac(audio)
    again = decode(flac, 60)
    assert flac[:4] == b"fLaC" and again.format.name == "flac"
    assert len(again.samples) == len(audio.samples)
    assert np.max(np.abs(again.samples - audio.samples)) < 1e-3  # 16-bit rounding only


@pytest.mark.parametrize("cut", ["header", "half-m4a", "magic-then-junk"])
def test_damaged_files_are_unprocessable(cut, recordings):
    data = {
        "header": recordings["wav-22k"][:44],
        "half-m4a": recordings["m4a-aac"][: len(recordings["m4a-aac"]) // 2],  # the index (moov) is at the end
        "magic-then-junk": b"OggS" + bytes(range(256)) * 40,
    }[cut]
    with pytest.raises(errors.UnprocessableFile):
        decode(data, 60)
