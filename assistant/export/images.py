"""Images to embed in an export: base64 decoded, recognised by content with Pillow, size-limited
before decoding the pixels, and normalised (orientation, alpha, size) so ReportLab gets plain RGB."""
from __future__ import annotations

import base64
import binascii
import io
import re
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from .. import errors

ACCEPTED_FORMATS = {"PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF"}
MAX_PIXELS = 40_000_000  # checked from the header, before any pixel is decoded
MAX_EDGE = 2000  # about 300 dpi across an A4 text column: more is only bytes
DATA_URL = re.compile(r"^data:image/[\w.+-]+;base64,", re.IGNORECASE)


def decode_image(data: str, number: int, max_bytes: int) -> Image.Image:
    """`data` is base64 or a `data:image/…;base64,` URL; `number` (1-based) names it in errors."""
    which = f"Image {number}"
    try:
        raw = base64.b64decode(DATA_URL.sub("", data.strip(), count=1), validate=True)
    except (binascii.Error, ValueError):
        raise errors.InvalidRequest(f"{which} is not valid base64.") from None
    if not raw:
        raise errors.InvalidRequest(f"{which} is empty.")
    return image_from_bytes(raw, which, max_bytes)


def image_from_bytes(raw: bytes, which: str, max_bytes: int) -> Image.Image:
    """Stored bytes (an attached image) checked and normalised like a sent one; `which` names it in errors."""
    if len(raw) > max_bytes:
        raise errors.PayloadTooLarge(f"{which} is {len(raw) // 1_000_000} MB; the limit is {max_bytes // 1_000_000} MB (MAX_UPLOAD_MB).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            if image.format not in ACCEPTED_FORMATS:
                raise errors.UnsupportedMediaType(f"{which} is {image.format or 'an unknown format'}; send PNG, JPEG, GIF, WebP, BMP or TIFF.")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise errors.PayloadTooLarge(f"{which} is {width}×{height} pixels; the limit is {MAX_PIXELS // 1_000_000} megapixels.")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise errors.PayloadTooLarge(f"{which} has more than {MAX_PIXELS // 1_000_000} megapixels, the limit.") from None
    except UnidentifiedImageError:
        raise errors.UnprocessableFile(f"{which} is not an image this server can read (PNG, JPEG, GIF, WebP, BMP, TIFF).") from None
    except (OSError, SyntaxError, ValueError):  # truncated or corrupt pixel data
        raise errors.UnprocessableFile(f"{which} is damaged and could not be decoded.") from None
    return _normalise(image)


def _normalise(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)  # phone photos carry their rotation in EXIF
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((MAX_EDGE, MAX_EDGE))
    return image
