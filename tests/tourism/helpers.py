"""Coupons made through the real issuing service (shipment ids are plain integers in tourism)."""

from datetime import datetime

from tests.accounts.factories import UserFactory
from tests.tourism.factories import AttachmentFactory
from tourism.models import Coupon, Offer
from tourism.services import Box, coupons_issue_for_boxes

_next_shipment = iter(range(900_000, 10_000_000))


def issued_coupon(offer: Offer, *, holder=None, now: datetime | None = None) -> Coupon:
    """One coupon of `offer`, issued for a new box of a bundle the offer is attached to."""
    attachment = offer.attachments.filter(is_welcome=False).first() or AttachmentFactory(offer=offer)
    holder = holder or UserFactory()
    shipment_id = next(_next_shipment)
    box = Box(shipment_id=shipment_id, subscription_id=shipment_id, bundle_id=attachment.bundle_id, holder_id=holder.pk)
    coupons_issue_for_boxes(municipality=offer.municipality, boxes=[box], now=now)
    return Coupon.objects.get(offer=offer, shipment_id=shipment_id)
