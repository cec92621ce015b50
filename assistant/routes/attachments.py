import re

from flask import Blueprint, Response, current_app

from .. import errors
from ..api import endpoint, multipart_file
from ..attachments import store
from ..auth import current_user
from ..db import get_db
from ..export.filename import content_disposition
from ..schemas import AttachmentCreated, AttachmentDetail

bp = Blueprint("attachments", __name__)

UPLOAD_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary", "description":
                                "An image, PDF, recording or plain text/markdown file, recognised by content "
                                "(MAX_UPLOAD_MB, MAX_PDF_PAGES, MAX_IMAGE_PIXELS, MAX_AUDIO_SECONDS, ATTACHMENT_STORAGE_MB)."}},
    }}},
}
SHOWN = ("image/", "audio/", "application/pdf")  # what /content serves; text is read through GET …/<id>
BINARY = {"schema": {"type": "string", "format": "binary"}}
CONTENT = {"200": {"description": "The stored bytes, with the type found from their content.",
                   "content": {"image/*": BINARY, "application/pdf": BINARY, "audio/*": BINARY}}}


def _owner() -> str:
    return current_user().user_id


@bp.post("/attachments")
@endpoint(summary="Attach a file to send with a chat message; it is read in the background", tag="attachments",
          response=AttachmentCreated, status=201, request_body=UPLOAD_BODY,
          errors_=(errors.InvalidRequest, errors.PayloadTooLarge, errors.UnsupportedMediaType, errors.UnprocessableFile,
                   errors.EngineBusy),
          description="201 with `status` `processing`; poll GET /api/attachments/{id} until `ready`, `empty` (no text "
          "could be read) or `failed`. A password-protected PDF is 422 at once.")
def create():
    file = multipart_file("the file")
    from ..attachments.intake import attach  # PyMuPDF and Pillow load with the first attachment

    meta = attach(current_app._get_current_object(), _owner(), file)
    return {"attachment": meta.to_dict()}, 201


@bp.get("/attachments/<attachment_id>")
@endpoint(summary="An attachment: its status and the extracted text per page", tag="attachments",
          response=AttachmentDetail, errors_=(errors.NotFound,))
def read(attachment_id: str):
    db = get_db()
    meta = store.get(db, _owner(), attachment_id)
    pages = store.pages_of(db, _owner(), attachment_id)["pages"]
    return {"attachment": {**meta.to_dict(), "text": pages}}


@bp.get("/attachments/<attachment_id>/content")
@endpoint(summary="The attached file itself (images, PDFs and recordings), for thumbnails and viewing",
          tag="attachments", extra_responses=CONTENT, errors_=(errors.NotFound,))
def content(attachment_id: str):
    meta, data = store.content(get_db(), _owner(), attachment_id)
    if not meta.mime_type.startswith(SHOWN):
        raise errors.NotFound("This attachment has no viewable content; its text is at GET /api/attachments/{id}.")
    stem, _, extension = meta.filename.rpartition(".") if "." in meta.filename else (meta.filename, "", "")
    extension = re.sub(r"[^A-Za-z0-9]", "", extension)[:10] or "bin"
    return Response(data, mimetype=meta.mime_type, headers={
        # the user's name made safe for a header (no quotes, separators or controls), shown not downloaded
        "Content-Disposition": content_disposition(stem, extension).replace("attachment;", "inline;", 1),
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


@bp.delete("/attachments/<attachment_id>")
@endpoint(summary="Delete an attachment (also from the conversation it was sent in)", tag="attachments", status=204,
          errors_=(errors.NotFound,))
def remove(attachment_id: str):
    store.delete_one(get_db(), _owner(), attachment_id)
    return "", 204
