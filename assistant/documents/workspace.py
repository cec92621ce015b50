"""Temporary files of one request: a folder under UPLOAD_DIR with a server-made name, removed on every
path (success, error, client gone). A user's filename never becomes a path."""
from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .. import errors

CHUNK = 1024 * 1024


@contextmanager
def workspace(upload_dir: Path) -> Iterator[Path]:
    folder = upload_dir / f"req-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def save_stream(stream: BinaryIO, dest: Path, max_mb: int) -> int:
    """Copy the upload to `dest`, refusing it as soon as it passes MAX_UPLOAD_MB. Returns its size."""
    limit = max_mb * 1024 * 1024
    size = 0
    with dest.open("wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise errors.PayloadTooLarge(f"The file is larger than this server accepts (MAX_UPLOAD_MB = {max_mb} MB).")
            out.write(chunk)
    return size
