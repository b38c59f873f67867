"""The QR code of a coupon: its redemption URL, drawn on the server (the `qrcode` package) as a PNG
data URI, so the wallet shows it with no further request and keeps it in a saved page.

The URL is the partner portal's scan page for that code (tourism:partner-scan): a partner's phone camera
opens it straight into the redeem screen. The code in it is the only secret.
"""

import base64
import io

import qrcode
from django.conf import settings
from django.urls import reverse
from qrcode.constants import ERROR_CORRECT_M

from tourism.models import Coupon

# White modules around the code: the standard asks for at least 4 (ISO/IEC 18004).
QUIET_ZONE = 4


def coupon_url(coupon: Coupon, *, municipality_slug: str) -> str:
    path = reverse("tourism:partner-scan", kwargs={"municipality_slug": municipality_slug, "code": coupon.code})
    return f"{settings.SITE_URL}{path}"


def qr_data_uri(data: str, *, box_size: int = 8) -> str:
    """Black on white, level M (survives some glare on a phone screen)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
