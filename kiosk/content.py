"""What a kiosk screen shows, as plain data: rendered into the page and served as content.json.

Everything here is public catalog data (names, pictures, prices, what is in the box) and the screen's
own settings; nothing about a person. Each bundle carries the absolute URL of its subscribe page tagged
`?src=kiosk-<id>` and that URL's QR code as a PNG data URI, so a cached copy keeps working offline.
"""

import hashlib
import json
from dataclasses import asdict, dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from bundles.models import Bundle, Category
from core.money import format_won
from kiosk import selectors
from kiosk.models import Kiosk
from kiosk.qr import qr_data_uri

ITEMS_SHOWN = 6


@dataclass(frozen=True)
class ScreenBundle:
    id: int
    name: str
    summary: str
    category: str
    category_label: str
    image: str
    price_won: int
    price_text: str
    items: list[str]
    more_items: int
    subscribe_url: str
    qr: str


def subscribe_url(kiosk: Kiosk, bundle: Bundle) -> str:
    """The absolute URL a visitor's phone opens: the bundle's subscribe page, tagged with this kiosk."""
    path = reverse(
        "subscriptions:checkout", kwargs={"municipality_slug": kiosk.municipality.slug, "bundle_slug": bundle.slug}
    )
    return f"{settings.SITE_URL}{path}?{urlencode({'src': kiosk.source_tag})}"


def brand_url(kiosk: Kiosk) -> str:
    """The mall's home, tagged with this kiosk: what the brand screen's QR code opens."""
    return f"{settings.SITE_URL}{kiosk.municipality.get_absolute_url()}?{urlencode({'src': kiosk.source_tag})}"


def _item_text(item) -> str:
    product = item.product
    text = f"{product.name} {product.unit}"
    return text if item.quantity == 1 else f"{text} × {item.quantity}"


def _screen_bundle(kiosk: Kiosk, bundle: Bundle) -> ScreenBundle:
    items = list(bundle.items.all())
    url = subscribe_url(kiosk, bundle)
    return ScreenBundle(
        id=bundle.pk,
        name=bundle.name,
        summary=bundle.summary,
        category=bundle.category,
        category_label=str(Category(bundle.category).label),
        image=bundle.hero_image.url,
        price_won=bundle.min_price_won,
        price_text=_("한 상자 %(price)s부터") % {"price": format_won(bundle.min_price_won)},
        items=[_item_text(item) for item in items[:ITEMS_SHOWN]],
        more_items=max(0, len(items) - ITEMS_SHOWN),
        subscribe_url=url,
        qr=qr_data_uri(url),
    )


def screen_content(*, kiosk: Kiosk) -> dict:
    """The screen's whole content (5 queries, QR codes from the cache): its settings, the municipality's
    brand, the bundles of the attract loop in order, and every bundle to browse, by category."""
    municipality = kiosk.municipality
    loop = selectors.kiosk_loop_bundles(kiosk=kiosk)
    browse = selectors.kiosk_browse_bundles(municipality=municipality)
    bundles: dict[int, ScreenBundle] = {}
    for bundle in [*loop, *browse]:
        if bundle.pk not in bundles:
            bundles[bundle.pk] = _screen_bundle(kiosk, bundle)
    categories = []
    for value, label in Category.choices:
        ids = [bundle.pk for bundle in browse if bundle.category == value]
        if ids:
            categories.append({"value": value, "label": str(label), "ids": ids})
    content = {
        "kiosk": {
            "id": kiosk.pk,
            "orientation": kiosk.orientation,
            "rotation_seconds": kiosk.rotation_seconds,
            "idle_seconds": kiosk.idle_seconds,
        },
        "brand": {
            "name": municipality.name,
            "mall_name": municipality.mall_name,
            "color": municipality.brand_color,
            "logo": municipality.logo.url if municipality.logo else "",
            "url": brand_url(kiosk),
            "qr": qr_data_uri(brand_url(kiosk)),
        },
        "loop": [bundle.pk for bundle in loop],
        "categories": categories,
        "bundles": [asdict(bundle) for bundle in bundles.values()],
    }
    # The page redraws only when this changes (a refresh with the same content keeps the slide showing).
    content["version"] = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]
    content["generated_at"] = timezone.now().isoformat()
    return content
