"""Text to Speech through Gemini's TTS model (GEMINI_TTS_MODEL), streamed as it is spoken.

Checked 2026-12-02 in Google's Gemini API documentation as stored then (ai.google.dev/gemini-api/docs/models/
gemini-3.8-flash-lite-tts and .../gemini-3.1-flash-tts-preview, .../speech-generation): `gemini-3.8-flash-lite-tts`
is the stable model Google recommends for read-aloud features (it replaces the legacy `gemini-3.1-flash-tts-preview`;
`gemini-3.8-flash-tts` is the flagship, same request). The request is an ordinary `generateContent` /
`streamGenerateContent?alt=sse` with `generationConfig.responseModalities: ["AUDIO"]` and
`speechConfig.voiceConfig.prebuiltVoiceConfig.voiceName`; the audio comes back as `inlineData` parts of raw
16-bit mono PCM, `audio/L16;codec=pcm;rate=24000`. Google documents TTS on `v1beta`, so that is asked for
here whatever the client's default. Google's Cloud migration notes say a unary call to a 3.8 model may
return a whole WAV instead: `wav.pcm_of` reads either.
"""
from __future__ import annotations

from collections.abc import Iterator

from google.genai import types

from .. import errors
from ..ai.base import Usage
from ..ai.gemini import block_reason, translate_error, usage_of
from .wav import NotPcm, pcm_of

API_VERSION = "v1beta"
DEFAULT_RATE = 24_000  # when the MIME type names none


def stream_speech(client, model: str, text: str, voice: str) -> Iterator[tuple[int, bytes] | Usage]:
    """(sample rate, PCM) pieces as the model sends them, then the tokens it counted (when it said).
    Errors before or during the stream are ApiErrors."""
    config = types.GenerateContentConfig(
        response_modalities=["AUDIO"],
        speech_config=types.SpeechConfig(voice_config=types.VoiceConfig(
            prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name=voice))),
        http_options=types.HttpOptions(api_version=API_VERSION),  # merged with the client's base URL, timeout, retries
    )
    contents = [types.Content(role="user", parts=[types.Part(text=text)])]
    spoke, finished, odd, usage, rate = False, False, b"", None, DEFAULT_RATE
    try:
        for response in client.models.generate_content_stream(model=model, contents=contents, config=config):
            blocked = block_reason(response)
            if blocked:
                raise errors.ContentBlocked(f"The model's safety filter refused to read this text ({blocked}).")
            usage = usage_of(response) or usage
            for candidate in response.candidates or []:
                finished = finished or candidate.finish_reason is not None
                for part in (candidate.content.parts if candidate.content else None) or []:
                    blob = part.inline_data
                    if not (blob and blob.data):
                        continue
                    rate, pcm = pcm_of(blob.mime_type, blob.data, rate)
                    pcm, odd = odd + pcm, b""
                    if len(pcm) % 2:  # keep whole samples: a stray byte waits for the next piece
                        pcm, odd = pcm[:-1], pcm[-1:]
                    if pcm:
                        spoke = True
                        yield rate, pcm
    except GeneratorExit:
        raise
    except NotPcm as exc:
        raise errors.UpstreamError(f"The AI service sent audio this server cannot play ({exc}).") from None
    except Exception as exc:  # noqa: BLE001 - every failure becomes a documented error
        raise translate_error(exc, ("GEMINI_TTS_MODEL", model)) from exc
    if not spoke:
        raise errors.UpstreamError("The AI service returned no audio for this text. Please try again.")
    if not finished:  # the connection closed cleanly but the model never said it was done: the sound is cut
        raise errors.UpstreamError("The AI service ended the speech early. Please try again.")
    if usage:
        yield usage
