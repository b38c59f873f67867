"""Writes of the tourism app: issuing coupons, redeeming them, and the staff's partners and offers."""

from tourism.services.catalog import (
    offer_attachments_set,
    offer_create,
    offer_update,
    partner_create,
    partner_member_bind,
    partner_update,
)
from tourism.services.issuing import Box, coupon_expiry, coupons_issue_for_boxes, coupons_issue_welcome
from tourism.services.redemption import (
    OFFLINE_MAX_DAYS,
    CouponRejected,
    Reason,
    coupon_check,
    coupon_lookup,
    coupon_redeem,
)

__all__ = [
    "OFFLINE_MAX_DAYS",
    "Box",
    "CouponRejected",
    "Reason",
    "coupon_check",
    "coupon_expiry",
    "coupon_lookup",
    "coupon_redeem",
    "coupons_issue_for_boxes",
    "coupons_issue_welcome",
    "offer_attachments_set",
    "offer_create",
    "offer_update",
    "partner_create",
    "partner_member_bind",
    "partner_update",
]
