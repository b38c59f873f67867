"""Images for the demo are drawn here with Pillow, never downloaded."""

import io
from functools import cache
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

_FONT = Path(settings.NODE_MODULES) / "pretendard-gov/dist/public/static/PretendardGOV-Bold.otf"


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(str(_FONT), size)
    except OSError:  # npm packages not installed yet: still draw something legible
        return ImageFont.load_default(size)


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def logo_png(*, text: str, color: str, size: int = 256) -> bytes:
    """A round emblem in the brand colour with the first letter(s) of the name in white."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size - 1, size - 1), fill=_hex_to_rgb(color))
    font = _font(int(size * 0.42))
    draw.text((size / 2, size / 2), text, font=font, fill="white", anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
