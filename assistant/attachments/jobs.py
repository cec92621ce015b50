"""Reading an attachment after its upload has been answered: extraction, then indexing for retrieval,
then the status a person sees: ready, empty (no text could be read: it says so instead of being answered
from nothing) or failed (with the reason).

A few jobs run at a time per process, on threads of their own. They call the pipelines Image to Text and
Voice to Text use, whose heavy steps (rendering, OCR, decoding, Whisper, embeddings) go through
assistant/offload.py themselves: wrapping the whole job in the pool would park a pool thread on the
engines' own locks and queues. When the pool is full a job waits and tries again instead of failing."""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from .. import errors
from . import store
from .extraction import extract, failure_message, has_text
from .kinds import Kind

log = logging.getLogger(__name__)
_jobs = ThreadPoolExecutor(max_workers=2, thread_name_prefix="attachments")
BUSY_RETRIES = 20  # the offload queue full: wait and try again rather than fail the file


def start(app: Flask, owner: str, attachment_id: str, kind: Kind) -> None:
    _jobs.submit(_run, app, owner, attachment_id, kind)


def _run(app: Flask, owner: str, attachment_id: str, kind: Kind) -> None:
    db = app.extensions["database"]
    with app.app_context():
        try:
            _, data = store.content(db, owner, attachment_id)
            found = _when_not_busy(extract, data, kind, app.extensions["engines"])
            del data
            pages = [(p["number"], p["text"]) for p in found["pages"] if p["text"].strip()]
            if pages:
                from .. import retrieval  # the chunks and their vectors (assistant/retrieval)

                try:
                    retrieval.index(db, owner, attachment_id, pages)
                except errors.ApiError as err:  # say which step failed: the file itself was fine
                    err.message = ("The file was read, but preparing it for questions failed: "
                                   f"{err.message[:1].lower()}{err.message[1:]}")
                    raise
            store.finish(db, owner, attachment_id, status="ready" if has_text(found) else "empty", extraction=found,
                         pages=len(found["pages"]) if kind.family in ("pdf", "image") else None,
                         duration_seconds=found.get("duration_seconds"))
        except errors.NotFound:
            pass  # deleted while it was being read
        except Exception as exc:  # noqa: BLE001 - the reason goes to the person, the trace to the log
            if not isinstance(exc, errors.ApiError):
                log.exception("reading attachment %s failed", attachment_id)
            try:
                store.finish(db, owner, attachment_id, status="failed", error=failure_message(exc))
            except Exception:  # noqa: BLE001 - the database is gone (app closed): nothing left to tell
                log.warning("could not record the failure of attachment %s", attachment_id)


def _when_not_busy(fn, *args):
    for attempt in range(BUSY_RETRIES):
        try:
            return fn(*args)
        except errors.EngineBusy:
            if attempt == BUSY_RETRIES - 1:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise errors.EngineBusy()
