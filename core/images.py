"""Uploaded images are checked and re-encoded before they are stored.

Only real JPEG/PNG/WebP pictures within size and dimension limits are accepted; the stored file is a
fresh JPEG (or PNG when the picture has transparency) written by Pillow, so no uploaded bytes — EXIF
location, a script disguised as a picture, an HTML polyglot — are ever served back.
"""

import io
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MIN_SIDE = 200
MAX_SIDE = 8000
STORED_MAX_SIDE = 2000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
# Decompression bombs: refuse anything Pillow would have to blow up beyond this many pixels.
Image.MAX_IMAGE_PIXELS = MAX_SIDE * MAX_SIDE


def image_clean(upload) -> ContentFile:
    """Validate an uploaded file and return a re-encoded image ready to assign to an ImageField."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("이미지 파일이 너무 큽니다 (최대 %(mb)dMB).") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="image_too_large",
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError(_("이미지 파일이 아니거나 손상된 파일입니다."), code="image_invalid") from error
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(_("JPG, PNG, WebP 이미지만 올릴 수 있습니다."), code="image_type")
    width, height = image.size
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_SIDE:
        raise ValidationError(
            _("이미지 크기는 가로·세로 %(min)d~%(max)d 픽셀이어야 합니다 (올린 이미지: %(w)d×%(h)d).")
            % {"min": MIN_SIDE, "max": MAX_SIDE, "w": width, "h": height},
            code="image_dimensions",
        )
    return reencode(image)


def reencode(image: Image.Image) -> ContentFile:
    image = ImageOps.exif_transpose(image)
    image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE))
    has_alpha = image.mode in {"RGBA", "LA"} or (image.mode == "P" and "transparency" in image.info)
    buffer = io.BytesIO()
    if has_alpha:
        image.convert("RGBA").save(buffer, format="PNG", optimize=True)
        extension = "png"
    else:
        image.convert("RGB").save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
        extension = "jpg"
    return ContentFile(buffer.getvalue(), name=f"{secrets.token_hex(12)}.{extension}")
