"""Absolute links to a subscriber's shipment page, for what leaves the site: the QR code on a packing
slip, the link in a shipped or delivered notice."""

from django.conf import settings
from django.urls import reverse


def shipment_status_url(*, municipality_slug: str, shipment_id: int) -> str:
    return settings.SITE_URL + reverse(
        "delivery:my-shipment", kwargs={"municipality_slug": municipality_slug, "shipment_id": shipment_id}
    )
