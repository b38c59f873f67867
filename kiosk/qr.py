"""QR codes drawn on the server (the `qrcode` package), as PNG bytes or a PNG data URI.

A kiosk shows each code as a data URI, so the code is part of the content it caches and keeps working
offline. Codes are kept in the cache by their text: the same URL always gives the same picture.
"""

import base64
import hashlib
import io

import qrcode
from django.core.cache import cache
from qrcode.constants import ERROR_CORRECT_M

CACHE_SECONDS = 24 * 60 * 60
# Modules of white around the code: the standard asks for at least 4 for reliable scanning (ISO/IEC 18004).
QUIET_ZONE = 4


def qr_png(data: str, *, box_size: int = 10) -> bytes:
    """A black-on-white QR code of `data`; `box_size` pixels per module. Level M survives some glare."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(data: str, *, box_size: int = 10) -> str:
    """`data:image/png;base64,…` of the QR code of `data` (cached for a day)."""
    key = "kiosk:qr:" + hashlib.sha256(f"{box_size}:{data}".encode()).hexdigest()
    uri = cache.get(key)
    if uri is None:
        uri = "data:image/png;base64," + base64.b64encode(qr_png(data, box_size=box_size)).decode("ascii")
        cache.set(key, uri, CACHE_SECONDS)
    return uri
