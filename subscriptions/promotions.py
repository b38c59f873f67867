"""Promo codes and shipping support: each use is taken atomically under a row lock, so two checkouts
can never both take a code's last use and a campaign can never spend beyond its budget (the database's
check constraints back both up)."""

from django.db import transaction
from django.utils.translation import gettext as _

from bundles.models import Bundle
from municipalities.models import Municipality
from subscriptions import clock
from subscriptions.models import (
    DeliveryCycle,
    PromoCode,
    PromoRedemption,
    ShippingSupportCampaign,
    ShippingSupportDraw,
    Subscriber,
    Subscription,
)


class PromoInvalid(Exception):
    """The code cannot be used; the message says why, for the subscriber."""


def promo_find(*, municipality: Municipality, code: str, bundle: Bundle, subscriber: Subscriber | None) -> PromoCode:
    """Check that `code` can be used for `bundle` now (without taking a use). Raises PromoInvalid."""
    promo = PromoCode.objects.for_tenant(municipality).filter(code__iexact=code.strip()).first()
    now = clock.now()
    if promo is None or not promo.is_active:
        raise PromoInvalid(_("사용할 수 없는 프로모션 코드입니다."))
    if not (promo.valid_from <= now <= promo.valid_until):
        raise PromoInvalid(_("사용 기간이 아닌 프로모션 코드입니다."))
    if promo.bundles.exists() and not promo.bundles.filter(pk=bundle.pk).exists():
        raise PromoInvalid(_("이 꾸러미에는 쓸 수 없는 프로모션 코드입니다."))
    if promo.max_uses is not None and promo.uses_count >= promo.max_uses:
        raise PromoInvalid(_("선착순 사용이 모두 끝난 프로모션 코드입니다."))
    if subscriber is not None and (
        PromoRedemption.objects.filter(promo_code=promo, subscriber=subscriber).count() >= promo.max_uses_per_subscriber
    ):
        raise PromoInvalid(_("이미 사용한 프로모션 코드입니다."))
    return promo


def promo_redeem(*, promo: PromoCode, subscriber: Subscriber, subscription: Subscription) -> PromoRedemption:
    """Take one use of `promo` for `subscription`. Must run inside the checkout's transaction.
    The promo row is locked, so concurrent checkouts queue here and only those within the limit pass."""
    assert transaction.get_connection().in_atomic_block, "promo_redeem must run inside a transaction"
    locked = PromoCode.objects.select_for_update().get(pk=promo.pk)
    if locked.max_uses is not None and locked.uses_count >= locked.max_uses:
        raise PromoInvalid(_("선착순 사용이 모두 끝난 프로모션 코드입니다."))
    if (
        PromoRedemption.objects.filter(promo_code=locked, subscriber=subscriber).count()
        >= locked.max_uses_per_subscriber
    ):
        raise PromoInvalid(_("이미 사용한 프로모션 코드입니다."))
    PromoCode.objects.filter(pk=locked.pk).update(uses_count=locked.uses_count + 1)
    return PromoRedemption.objects.create(
        municipality_id=locked.municipality_id, promo_code=locked, subscriber=subscriber, subscription=subscription
    )


def support_campaign_current(*, municipality: Municipality) -> ShippingSupportCampaign | None:
    today = clock.now().date()
    return (
        ShippingSupportCampaign.objects.for_tenant(municipality)
        .filter(is_active=True, starts_on__lte=today, ends_on__gte=today)
        .order_by("ends_on", "pk")
        .first()
    )


@transaction.atomic
def shipping_support_draw(
    *, subscription: Subscription, cycle: DeliveryCycle, shipping_fee_won: int
) -> ShippingSupportDraw | None:
    """Pay this box's shipping from the current campaign, as far as its budget goes. Once per box:
    repeating the call returns the same draw. Returns None when no campaign or no budget is left."""
    existing = ShippingSupportDraw.objects.filter(subscription=subscription, cycle=cycle).first()
    if existing is not None:
        return existing
    campaign = support_campaign_current(municipality=subscription.municipality)
    if campaign is None:
        return None
    locked = ShippingSupportCampaign.objects.select_for_update().get(pk=campaign.pk)
    amount = min(locked.per_box_cap_won, shipping_fee_won, locked.remaining_won)
    if amount <= 0:
        return None
    ShippingSupportCampaign.objects.filter(pk=locked.pk).update(spent_won=locked.spent_won + amount)
    return ShippingSupportDraw.objects.create(
        municipality_id=locked.municipality_id,
        campaign=locked,
        subscription=subscription,
        cycle=cycle,
        amount_won=amount,
    )
