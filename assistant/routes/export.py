from flask import Blueprint, Response, current_app

from .. import errors
from ..api import endpoint
from ..auth import current_user
from ..conversations import get_conversation
from ..db import get_db
from ..export.filename import content_disposition
from ..schemas import ExportPdfRequest

bp = Blueprint("export", __name__)

PDF_RESPONSE = {"200": {"description": "The PDF, as an attachment.",
                        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


@bp.post("/export/pdf")
@endpoint(
    summary="Download markdown (with images) or a saved conversation as a PDF", tag="export",
    body=ExportPdfRequest, extra_responses=PDF_RESPONSE,
    errors_=(errors.NotFound, errors.UnsupportedMediaType, errors.PayloadTooLarge, errors.UnprocessableFile),
)
def export_pdf(body: ExportPdfRequest):
    from ..export.service import export_content, export_conversation  # ReportLab loads with the first export

    if body.conversation_id:
        from ..attachments.store import images_of

        owner = current_user().user_id
        conversation = get_conversation(get_db(), owner, body.conversation_id)
        title, pdf = export_conversation(conversation, body.title, images_of(get_db(), owner, conversation))
    else:
        max_bytes = current_app.config["SETTINGS"].max_upload_mb * 1024 * 1024
        title, pdf = export_content(body.title, body.content, body.images, max_bytes)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": content_disposition(title), "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    })
