"""Text to Speech offline (Piper, en_US joe): time to first audio and real-time factor for a 200-word
reply through POST /api/speech, and the memory the voice takes. Targets on 2 cores: first audio <= 1 s,
real-time factor <= 0.3, the voice <= 150 MB. The voice is loaded (and timed) before measuring.

First audio: from sending the request to holding the WAV header and the first sentence's sound.
Real-time factor: seconds until the last byte, per second of speech made. Memory: the process's RSS
before the voice loads, then what loading adds, the peak during synthesis (VmHWM) and what stays after.

    python -m bench.speech [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from assistant import create_app
from assistant.audio.piper_tts import PiperSpeaker
from assistant.config import Settings
from bench._accounts import DEFAULT_STORAGE, limits, signed_in_client

REPLY = (
    "Here is a plan for your week in Lisbon. On Monday, arrive early and leave your bags at the hotel, then walk "
    "through the old town of Alfama while the streets are still quiet. Stop for coffee and a custard tart near the "
    "cathedral, and take the yellow tram up to the castle for the view over the river. On Tuesday, visit the "
    "monastery in Belem in the morning, because the queues grow long after ten. The museum of coaches next door is "
    "small but worth an hour. In the evening, book a table at a small restaurant that plays fado, and ask for the "
    "grilled sardines if they are in season. On Wednesday, take the train to Sintra. It leaves every twenty minutes "
    "from Rossio station and the ride takes about forty minutes. Wear comfortable shoes: the palaces sit on steep "
    "hills, and the paths between them are uneven. Thursday is for the beach at Cascais, or a slow day of markets "
    "and bookshops if the weather turns. Carry a light jacket, since the wind from the Atlantic can be cool even in "
    "summer. If your plans change, tell me and I can rearrange the days. Enjoy the trip."
)


def _status(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="requests measured (each figure's median is printed too)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(gemini_api_key=None, ai_provider="local", database_url=f"sqlite:///{tmp}/bench.db",
                            log_level="WARNING", auth_mode="accounts", **limits(DEFAULT_STORAGE))
        app = create_app(settings)
        client = signed_in_client(app)[0]
        before = _status("VmRSS")
        started = time.perf_counter()
        speaker = PiperSpeaker(settings)
        speaker.acquire().lock.release()
        loaded = _status("VmRSS")
        print(f"voice {speaker.model} loaded in {time.perf_counter() - started:.2f} s; RSS {before:.0f} MB before, "
              f"+{loaded - before:.0f} MB loaded; {len(os.sched_getaffinity(0))} cores; load average {os.getloadavg()[0]:.1f}")
        print(f"text: {len(REPLY.split())} words, {len(REPLY)} characters")
        firsts, factors = [], []
        for run in range(1, args.repeat + 1):
            started, cpu_started = time.perf_counter(), _cpu()
            resp = client.post("/api/speech", json={"text": REPLY})
            assert resp.status_code == 200, resp.get_data(as_text=True)
            body, first = b"", None
            for chunk in resp.response:
                body += chunk
                if first is None and len(body) > 44:
                    first = time.perf_counter() - started
            resp.close()
            total = time.perf_counter() - started
            rate = int.from_bytes(body[24:28], "little")
            seconds = (len(body) - 44) / 2 / rate
            firsts.append(first)
            factors.append(total / seconds)
            print(f"run {run}: first audio {first:.2f} s  {seconds:.1f} s of speech in {total:.2f} s  real-time factor "
                  f"{total / seconds:.3f}  CPU s per audio s {(_cpu() - cpu_started) / seconds:.3f}  "
                  f"load {os.getloadavg()[0]:.1f}")
        print(f"median: first audio {statistics.median(firsts):.2f} s, real-time factor {statistics.median(factors):.3f}")
        print(f"voice memory: +{loaded - before:.0f} MB loaded, +{_status('VmHWM') - before:.0f} MB at the peak of "
              f"synthesis, +{_status('VmRSS') - before:.0f} MB after (RSS {_status('VmRSS'):.0f} MB)")
        app.extensions["engines"].close()


if __name__ == "__main__":
    main()
