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


CATEGORY_COLORS = {
    "produce": ("#2E7D32", "#A5D6A7"),
    "seafood": ("#0B5394", "#9FC5E8"),
    "meat": ("#8E2C2C", "#E6A5A5"),
    "processed": ("#8D5A00", "#F2C980"),
    "liquor": ("#5B2C83", "#C9A7E8"),
    "tea": ("#1F6B45", "#B7DCC4"),
    "craft": ("#5D4037", "#D7CCC8"),
    "experience": ("#00695C", "#A7DCD5"),
}


def picture_jpeg(*, title: str, subtitle: str, category: str, size: tuple[int, int] = (1200, 800)) -> bytes:
    """A calm two-tone picture with the title written on it: stands in for a real photograph."""
    dark, light = CATEGORY_COLORS.get(category, ("#33415C", "#C9D3E6"))
    width, height = size
    image = Image.new("RGB", size, _hex_to_rgb(light))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(height * 0.62), width, height), fill=_hex_to_rgb(dark))
    draw.ellipse((int(width * 0.62), int(height * 0.08), int(width * 0.92), int(height * 0.53)), fill="white")
    draw.text((width * 0.06, height * 0.72), title, font=_font(int(height * 0.09)), fill="white")
    draw.text((width * 0.06, height * 0.86), subtitle, font=_font(int(height * 0.05)), fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    return buffer.getvalue()
