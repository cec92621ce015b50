"""Images: opened with the pixel limit checked from the header (before any pixel is decoded), EXIF
orientation applied, and the facts the offline analysis describes (size, dominant colours, EXIF)."""
from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from .. import errors
from .sniff import TIFF, Kind

# Tesseract reads small text badly: screenshots and thumbnails are enlarged up to this long side.
OCR_MIN_SIDE = 1600
OCR_MAX_SIDE = 5000  # beyond this OCR only gets slower

DAMAGED = "The image is damaged or incomplete and could not be read."


def _too_large(max_pixels: int, size: tuple[int, int] | None = None) -> errors.ApiError:
    dims = f"The image is {size[0]:,} × {size[1]:,} pixels; " if size else "The image has too many pixels; "
    return errors.PayloadTooLarge(f"{dims}this server decodes at most {max_pixels:,} pixels (MAX_IMAGE_PIXELS).")


def open_image(path: Path, max_pixels: int) -> Image.Image:
    """Open lazily (header only) and refuse decompression bombs before decoding."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit decides
            img = Image.open(path)
    except Image.DecompressionBombError:
        raise _too_large(max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise errors.UnprocessableFile(DAMAGED) from None
    if img.width * img.height > max_pixels:
        img.close()
        raise _too_large(max_pixels, img.size)
    return img


def frames(img: Image.Image, kind: Kind, max_pixels: int, max_pages: int) -> Iterator[Image.Image]:
    """The pages of an image, upright: every page of a TIFF (scanners make multi-page ones), the first
    frame of anything else (an animated GIF's frames are not pages)."""
    count = getattr(img, "n_frames", 1) if kind == TIFF else 1
    if count > max_pages:
        raise errors.PayloadTooLarge(f"The TIFF has {count} pages; this server reads at most {max_pages} (MAX_PDF_PAGES).")
    for index in range(count):
        try:
            img.seek(index)
            if img.width * img.height > max_pixels:
                raise _too_large(max_pixels, img.size)
            yield ImageOps.exif_transpose(img)  # a copy, decoded: truncated data fails here
        except errors.ApiError:
            raise
        except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
            raise errors.UnprocessableFile(DAMAGED) from None


def for_ocr(frame: Image.Image) -> Image.Image:
    """Grayscale on white, at a size Tesseract reads well."""
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        background = Image.new("RGBA", rgba.size, "white")
        frame = Image.alpha_composite(background, rgba)
    gray = frame.convert("L")
    long_side = max(gray.size)
    if long_side < OCR_MIN_SIDE:
        factor = min(3.0, OCR_MIN_SIDE / long_side)
        gray = gray.resize((round(gray.width * factor), round(gray.height * factor)), Image.Resampling.LANCZOS)
    elif long_side > OCR_MAX_SIDE:
        gray.thumbnail((OCR_MAX_SIDE, OCR_MAX_SIDE), Image.Resampling.LANCZOS)
    return gray


# --- facts for the offline analysis --------------------------------------------------------------
_NAMED = {
    "black": (0, 0, 0), "white": (255, 255, 255), "gray": (128, 128, 128), "light gray": (200, 200, 200),
    "dark gray": (64, 64, 64), "red": (200, 30, 30), "orange": (240, 140, 20), "yellow": (240, 220, 40),
    "green": (40, 160, 60), "dark green": (20, 80, 30), "blue": (40, 80, 220), "navy": (20, 30, 90),
    "light blue": (140, 190, 240), "purple": (120, 50, 160), "pink": (240, 150, 190), "brown": (120, 75, 40),
    "beige": (225, 205, 165),
}


def _colour_name(rgb: tuple[int, int, int]) -> str:
    return min(_NAMED, key=lambda name: sum((a - b) ** 2 for a, b in zip(_NAMED[name], rgb)))


def dominant_colours(frame: Image.Image, count: int = 5) -> list[dict]:
    small = frame.convert("RGB")
    small.thumbnail((96, 96))
    quantized = small.quantize(colors=count, method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    total = small.width * small.height
    by_name: dict[str, dict] = {}  # shades with one name (four tints of paper) count as one colour
    for pixels, index in sorted(quantized.getcolors() or [], reverse=True):
        rgb = tuple(palette[index * 3:index * 3 + 3])
        entry = by_name.setdefault(_colour_name(rgb), {"hex": "#%02x%02x%02x" % rgb, "name": _colour_name(rgb), "share": 0.0})
        entry["share"] += pixels / total
    out = sorted(by_name.values(), key=lambda e: -e["share"])
    for entry in out:
        entry["share"] = round(entry["share"], 3)
    return out


_EXIF_FIELDS = {"Make": "camera_make", "Model": "camera_model", "Software": "software", "DateTime": "modified"}
_EXIF_PHOTO_FIELDS = {"DateTimeOriginal": "taken", "ExposureTime": "exposure_time", "FNumber": "f_number",
                      "ISOSpeedRatings": "iso", "FocalLength": "focal_length_mm", "LensModel": "lens"}


def _clean(value: object) -> str | None:
    if isinstance(value, bytes):
        return None
    text = str(value).replace("\x00", "").strip()
    return text[:100] or None


def exif_summary(img: Image.Image) -> dict:
    """A few readable EXIF fields. GPS coordinates are not copied, only whether the photo has them."""
    try:
        exif = img.getexif()
    except Exception:  # noqa: BLE001 - damaged EXIF is common and harmless: just no facts
        return {}
    out: dict = {}
    tags = {ExifTags.TAGS.get(k, str(k)): v for k, v in exif.items()}
    photo = {ExifTags.TAGS.get(k, str(k)): v for k, v in exif.get_ifd(ExifTags.IFD.Exif).items()}
    for source, fields in ((tags, _EXIF_FIELDS), (photo, _EXIF_PHOTO_FIELDS)):
        for tag, name in fields.items():
            value = _clean(source[tag]) if tag in source else None
            if value:
                out[name] = value
    if tags.get("Orientation") not in (None, 1):
        out["orientation"] = int(tags["Orientation"])
    if exif.get_ifd(ExifTags.IFD.GPSInfo):
        out["has_gps_location"] = True
    return out


def facts(img: Image.Image, upright: Image.Image, kind: Kind) -> dict:
    return {
        "format": kind.label, "width": upright.width, "height": upright.height, "mode": img.mode,
        "frames": getattr(img, "n_frames", 1), "dominant_colours": dominant_colours(upright),
        "exif": exif_summary(img),
    }
