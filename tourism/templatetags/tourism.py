"""{% offer_benefit offer %} (what a coupon gives, in words) and {% coupon_last_day coupon as day %}."""

from datetime import date, timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_won
from tourism.models import Coupon, Offer

register = template.Library()


@register.simple_tag
def offer_benefit(offer: Offer) -> str:
    if offer.kind == Offer.Kind.PERCENT_DISCOUNT:
        return _("%(percent)d%% 할인") % {"percent": offer.discount_percent or 0}
    if offer.kind == Offer.Kind.FIXED_DISCOUNT:
        return _("%(amount)s 할인") % {"amount": format_won(offer.face_value_won)}
    if offer.kind == Offer.Kind.FREE_ADMISSION:
        return _("무료 입장 (%(amount)s 상당)") % {"amount": format_won(offer.face_value_won)}
    return _("무료 제공 (%(amount)s 상당)") % {"amount": format_won(offer.face_value_won)}


@register.simple_tag
def coupon_last_day(coupon: Coupon) -> date:
    """The last day the coupon can be used (expires_at is the first moment after it)."""
    return timezone.localdate(coupon.expires_at - timedelta(microseconds=1))
