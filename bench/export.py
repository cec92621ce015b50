"""Time to export a 500-message conversation as a PDF through POST /api/export/pdf (target <= 2 s),
signed in as the administrator who owns it.

    python -m bench.export [--messages 500] [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pymupdf

from assistant import create_app
from assistant.config import Settings
from bench._accounts import DEFAULT_STORAGE, limits, signed_in_client
from tests.export_samples import add_conversation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", gemini_api_key=None, ai_provider="local",
                                  log_level="WARNING", auth_mode="accounts", **limits(DEFAULT_STORAGE)))
        client, admin = signed_in_client(app)
        conversation_id = add_conversation(app.extensions["database"], args.messages, owner=admin["id"])
        timings, cpu, size, pages = [], [], 0, 0
        for _ in range(args.runs + 1):  # the first run also loads the fonts: reported apart
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.post("/api/export/pdf", json={"conversation_id": conversation_id})
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            size = len(response.data)
            pages = pymupdf.open(stream=response.data, filetype="pdf").page_count
        if "usage" in app.extensions:  # let the usage recorder finish before the database goes away
            app.extensions["usage"].close()
        app.extensions["database"].dispose()
    print(f"export of a {args.messages}-message conversation, signed in (SQLite, rate-limit storage {DEFAULT_STORAGE}): "
          f"{size / 1e6:.2f} MB, {pages} pages")
    print(f"first run (fonts loading): {timings[0]:.2f} s")
    print(f"median of {args.runs} runs: {statistics.median(timings[1:]):.2f} s wall (target <= 2 s), "
          f"{statistics.median(cpu[1:]):.2f} s CPU (what the wall time is on an idle core)")


if __name__ == "__main__":
    main()
