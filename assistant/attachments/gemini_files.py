"""Attachments as Gemini sees them: images, PDFs and audio as the files themselves. Inline while the
request stays under GEMINI_INLINE_MB; above it through the Files API, uploaded once and reused until
Google deletes it (48 hours), the uri kept with the attachment."""
from __future__ import annotations

import io
import time
from datetime import datetime, timedelta, timezone

from google.genai import types

from .. import errors, offload
from ..ai.base import FilePart
from ..ai.gemini import translate_error
from . import store

# What Gemini reads as it is; other images become PNG, other recordings FLAC
IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp"}
AUDIO_TYPES = {"audio/wav", "audio/mpeg", "audio/aac", "audio/ogg", "audio/flac"}
FILE_LIFETIME = timedelta(hours=48)
ACTIVE_WAIT_S = 60


def parts(db, owner: str, metas: list[store.Meta], client, inline_bytes: int) -> list[FilePart]:
    """The files of `metas` Gemini can see (images, PDFs, audio), oldest first."""
    out, budget = [], inline_bytes
    for meta in metas:
        if not meta.mime_type.startswith(("image/", "audio/")) and meta.mime_type != "application/pdf":
            continue
        uri = store.gemini_file(db, owner, meta.id)
        if uri:
            out.append(FilePart(_sent_type(meta.mime_type), uri=uri))
            continue
        _, data = store.content(db, owner, meta.id)
        data, mime_type = offload.call(_convert, data, meta.mime_type)
        if len(data) <= budget:
            budget -= len(data)
            out.append(FilePart(mime_type, data=data))
        else:
            out.append(FilePart(mime_type, uri=_upload(db, owner, meta, client, data, mime_type)))
    return out


def _sent_type(mime_type: str) -> str:
    if mime_type.startswith("image/") and mime_type not in IMAGE_TYPES:
        return "image/png"
    if mime_type.startswith("audio/") and mime_type not in AUDIO_TYPES:
        return "audio/flac"
    return mime_type


def _convert(data: bytes, mime_type: str) -> tuple[bytes, str]:
    sent = _sent_type(mime_type)
    if sent == mime_type:
        return data, mime_type
    if sent == "image/png":
        from PIL import Image, ImageOps

        with Image.open(io.BytesIO(data)) as img:  # already checked against MAX_IMAGE_PIXELS on upload
            frame = ImageOps.exif_transpose(img)
            out = io.BytesIO()
            frame.convert("RGBA").save(out, "PNG")
            return out.getvalue(), sent
    from ..audio.decode import decode, to_flac

    return to_flac(decode(data, float("inf"))), sent


def _upload(db, owner: str, meta: store.Meta, client, data: bytes, mime_type: str) -> str:
    try:
        uploaded = client.files.upload(file=io.BytesIO(data), config=types.UploadFileConfig(
            mime_type=mime_type, display_name=meta.filename[:100]))
        deadline = time.monotonic() + ACTIVE_WAIT_S
        while uploaded.state and uploaded.state.name == "PROCESSING":  # PDFs and audio take a moment
            if time.monotonic() > deadline:
                raise errors.UpstreamTimeout("The AI service took too long to take in an attached file.")
            time.sleep(1)
            uploaded = client.files.get(name=uploaded.name)
        if uploaded.state and uploaded.state.name == "FAILED":
            raise errors.UpstreamError(f"The AI service could not read the attached file {meta.filename}.")
    except errors.ApiError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes a documented error
        raise translate_error(exc) from exc
    expires = uploaded.expiration_time or datetime.now(timezone.utc) + FILE_LIFETIME
    store.remember_gemini_file(db, owner, meta.id, uploaded.uri, expires)
    return uploaded.uri
