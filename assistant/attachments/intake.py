"""POST /api/attachments' work: read the upload within MAX_UPLOAD_MB, recognise it by content, refuse at
once what cannot be read (password, too many pages or pixels), check the owner's storage, store it and
start reading it in the background."""
from __future__ import annotations

from flask import Flask
from werkzeug.datastructures import FileStorage

from .. import errors, offload
from ..config import Settings
from ..documents.service import display_name
from . import jobs, store
from .extraction import preflight
from .kinds import detect


def read_upload(file: FileStorage, max_mb: int) -> bytes:
    limit = max_mb * 1024 * 1024
    data = file.read(limit + 1)
    if len(data) > limit:
        raise errors.PayloadTooLarge(f"The file is larger than this server accepts (MAX_UPLOAD_MB = {max_mb} MB).")
    return data


def attach(app: Flask, owner: str, file: FileStorage) -> store.Meta:
    settings: Settings = app.config["SETTINGS"]
    data = read_upload(file, settings.max_upload_mb)
    filename = display_name(file.filename)
    kind = detect(data, filename)
    pages = offload.call(preflight, data, kind, settings)
    meta = store.create(app.extensions["database"], owner, filename=filename, mime_type=kind.mime_type, data=data,
                        limit_bytes=settings.attachment_storage_mb * 1024 * 1024, pages=pages)
    jobs.start(app, owner, meta.id, kind)
    return meta
