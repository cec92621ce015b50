from flask import Blueprint, current_app, request
from pydantic import ValidationError

from .. import errors, usage
from ..api import describe_validation_error, endpoint, multipart_file
from ..schemas import UploadForm, UploadResponse

bp = Blueprint("upload", __name__)

UPLOAD_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": "PNG, JPEG, WebP, GIF, TIFF, BMP or PDF, recognised by content "
                                    "(MAX_UPLOAD_MB, MAX_PDF_PAGES, MAX_IMAGE_PIXELS)."},
            "prompt": {"type": "string", "maxLength": 4000, "description": "What to ask about the file."},
            "analyze": {"type": "boolean", "default": True, "description": "`false`: extraction only."},
        },
    }}},
}


@bp.post("/upload")
@endpoint(
    summary="Read an image or PDF: the text of every page and an AI analysis", tag="documents",
    response=UploadResponse, request_body=UPLOAD_BODY,
    errors_=(errors.InvalidRequest, errors.PayloadTooLarge, errors.UnsupportedMediaType, errors.UnprocessableFile,
             errors.ContentBlocked, errors.UpstreamError, errors.CapabilityUnavailable, errors.EngineBusy,
             errors.UpstreamTimeout),
)
def upload():
    file = multipart_file("the image or PDF")
    try:
        form = UploadForm.model_validate(request.form.to_dict())
    except ValidationError as exc:
        message, details = describe_validation_error(exc)
        raise errors.InvalidRequest(message, details=details) from None
    from ..documents.service import read_upload  # PyMuPDF and Pillow load with the first upload (about 40 MB)

    result = read_upload(file, current_app.extensions["engines"], prompt=form.prompt, analyze=form.analyze)
    if analysis := result["analysis"]:
        usage.note(engine=analysis["engine"], model=analysis["model"], **analysis["usage"])
    return result
