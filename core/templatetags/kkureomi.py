from django import template

from core import privacy
from core.money import format_bp_percent, format_won

register = template.Library()


@register.filter
def won(amount: int | None) -> str:
    return format_won(amount)


@register.filter
def bp_percent(rate_bp: int | None) -> str:
    return format_bp_percent(rate_bp)


register.filter("mask_name", privacy.mask_name)
register.filter("mask_phone", privacy.mask_phone)
register.filter("mask_email", privacy.mask_email)
register.filter("mask_address", privacy.mask_address)
