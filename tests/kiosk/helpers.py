import base64
import io
import re

import zxingcpp
from django.urls import reverse
from PIL import Image

from kiosk.models import Kiosk

_SLIDE_QR = re.compile(r'<figure class="slide-qr">\s*<img src="(data:image/png;base64,[^"]+)"')


def screen_url(kiosk: Kiosk, name: str = "screen", token: str | None = None) -> str:
    return reverse(
        f"kiosk:{name}", kwargs={"municipality_slug": kiosk.municipality.slug, "token": token or kiosk.token}
    )


def decode_qr_png(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1, results
    return results[0].text


def decode_data_uri(uri: str) -> str:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return decode_qr_png(base64.b64decode(uri[len(prefix) :]))


def slide_qr_codes(html: str) -> list[str]:
    """The text of every bundle QR code drawn on a screen page, in slide order."""
    return [decode_data_uri(uri) for uri in _SLIDE_QR.findall(html)]
