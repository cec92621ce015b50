"""Voice to Text: which engine transcribes, and the one path every recording takes through it."""
from __future__ import annotations

from .. import errors, offload
from ..ai.base import Availability
from ..config import Settings
from .transcript import Transcriber, Transcript
from .whisper import whisper_availability


def transcription_availability(settings: Settings, provider: str) -> Availability:
    """Gemini when it is the provider; otherwise (local, or an OpenAI-compatible chat server, which has
    no speech endpoint we rely on) the embedded faster-whisper."""
    if provider == "gemini":
        if not settings.gemini_api_key:
            return Availability(False, "gemini", "AI_PROVIDER=gemini but GEMINI_API_KEY is not set.")
        return Availability(True, "gemini")
    return whisper_availability(settings)


def make_transcriber(engines) -> Transcriber:
    availability = engines.transcription_availability()
    if not availability.available:
        raise errors.CapabilityUnavailable(f"Voice to Text is not available: {availability.reason}")
    if availability.engine == "gemini":
        from .gemini import GeminiTranscriber

        return GeminiTranscriber(engines.gemini_client(), engines.settings.gemini_text_model)
    from .whisper import WhisperTranscriber

    return WhisperTranscriber(engines.settings)


def transcribe_recording(engines, data: bytes) -> Transcript:
    from .decode import decode  # PyAV and numpy load with the first recording, not at start-up

    transcriber = engines.transcriber()  # a missing engine is reported before any decoding work
    audio = offload.call(decode, data, engines.settings.max_audio_seconds)  # FFmpeg decoding and resampling: CPU
    if audio.is_silent:  # nothing to hear: answer at once, and send no silence to a paid API
        return Transcript(text="", language=transcriber.language, duration_seconds=round(audio.duration, 3),
                          engine=transcriber.engine, model=transcriber.model, segments=[])
    return transcriber.transcribe(audio)
