"""Voice to Text real-time factor, offline engine, decoding included: seconds spent per second of audio
for POST /api/voice/transcribe (upload parsing, PyAV decoding to 16 kHz, faster-whisper tiny.en).
Target: <= 0.2 on 2 cores. The speech is espeak-ng's; the model is loaded (and timed) before measuring.
Also printed: CPU seconds per audio second, which another process competing for the cores inflates less
than the wall time (divide it by the threads for what idle cores would give).

    python -m bench.voice [--seconds 60] [--repeat 2] [--threads 0]
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import tempfile
import time

from assistant import create_app
from assistant.audio.whisper import WhisperTranscriber
from assistant.config import Settings
from bench._accounts import DEFAULT_STORAGE, limits, signed_in_client
from tests.voice import clips
from tests.voice.clips import PASSAGE

FORMATS = ["webm-opus", "m4a-aac", "mp3", "wav-48k-stereo"]


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="about how long the test speech is")
    parser.add_argument("--repeat", type=int, default=2, help="runs per format (the median is printed)")
    parser.add_argument("--threads", type=int, default=0, help="LOCAL_WHISPER_THREADS (0: automatic)")
    args = parser.parse_args()

    samples, rate = clips.speak(PASSAGE)
    copies = max(1, round(args.seconds / (len(samples) / rate)))
    samples, _ = clips.speak(" ".join([PASSAGE] * copies))
    duration = len(samples) / rate
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(gemini_api_key=None, ai_provider="local", database_url=f"sqlite:///{tmp}/bench.db",
                            local_whisper_threads=args.threads, max_audio_seconds=3600, log_level="WARNING",
                            auth_mode="accounts", **limits(DEFAULT_STORAGE))
        app = create_app(settings)
        client = signed_in_client(app)[0]
        transcriber = WhisperTranscriber(settings)
        started = time.perf_counter()
        transcriber.loaded()
        print(f"model load {time.perf_counter() - started:.2f} s; {transcriber.threads} thread(s) on "
              f"{len(os.sched_getaffinity(0))} core(s); load average {os.getloadavg()[0]:.1f}; "
              f"signed in, SQLite, rate-limit storage {DEFAULT_STORAGE}")
        print(f"speech: {duration:.1f} s ({len(PASSAGE.split()) * copies} words)")
        for name in FORMATS:
            enc = next(e for e in clips.ENCODINGS if e.name == name)
            data = clips.encode(samples, rate, enc)
            times, cpu, text = [], [], ""
            for _ in range(args.repeat):
                started, cpu_started = time.perf_counter(), _cpu()
                resp = client.post("/api/voice/transcribe", data={"audio": (io.BytesIO(data), "speech")},
                                   content_type="multipart/form-data")
                times.append(time.perf_counter() - started)
                cpu.append(_cpu() - cpu_started)
                assert resp.status_code == 200, resp.json
                text = resp.json["text"]
            wall = statistics.median(times)
            wer = clips.word_error_rate(" ".join([PASSAGE] * copies), text)
            print(f"{name:15s} {len(data) / 1e6:5.2f} MB  {wall:5.2f} s  real-time factor {wall / duration:.3f}  "
                  f"CPU s per audio s {statistics.median(cpu) / duration:.3f}  WER {wer:.1%}  load {os.getloadavg()[0]:.1f}")
        app.extensions["engines"].close()
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
