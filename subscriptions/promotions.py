"""Promo codes and shipping support: each use is taken atomically under a row lock, so two checkouts
can never both take a code's last use and a campaign can never spend beyond its budget (the database's
check constraints back both up)."""

import re
from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
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
    today = clock.today(municipality.timezone)
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


# --- Staff: creating codes and campaigns ---------------------------------------------------------------------
PROMO_CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
PERCENT_BP_MAX = 10_000  # 100.00 % in basis points


@transaction.atomic
def promo_code_create(
    *,
    municipality: Municipality,
    acting_user: User,
    code: str,
    description: str,
    kind: str,
    amount: int,
    boxes: int | None,
    valid_from: datetime,
    valid_until: datetime,
    max_uses: int | None,
    max_uses_per_subscriber: int,
    bundles: Iterable[Bundle],
) -> PromoCode:
    """Create a promo code. `amount` is basis points for a percent code (1000 = 10 %), won for a fixed one.

    Codes are unique per municipality whatever their case, because subscribers type them in any case
    (`promo_find` matches case-insensitively) while the database constraint is case-sensitive. The
    municipality row is locked so two staff creating "SPRING" and "spring" at once cannot both pass the
    check. Raises ValidationError (messages keyed by field, in Korean) and then saves nothing.
    `acting_user` is taken for the audit trail; PromoCode has no column for it yet.
    """
    code = (code or "").strip()
    bundles = list(bundles)
    errors: dict[str, str] = {}
    if not PROMO_CODE_PATTERN.fullmatch(code):
        errors["code"] = _("코드는 영문, 숫자, 하이픈(-), 밑줄(_)만 쓸 수 있습니다.")
    if kind not in PromoCode.Kind.values:
        errors["kind"] = _("할인 방식을 골라 주세요.")
    elif amount is None or amount <= 0:
        errors["amount"] = _("할인 값은 0보다 커야 합니다.")
    elif kind == PromoCode.Kind.PERCENT and amount > PERCENT_BP_MAX:
        errors["amount"] = _("할인율은 100%를 넘을 수 없습니다.")
    if valid_until <= valid_from:
        errors["valid_until"] = _("종료 일시는 시작 일시보다 뒤여야 합니다.")
    if boxes is not None and boxes < 1:
        errors["boxes"] = _("적용 회차 수는 1 이상이어야 합니다. 모든 회차에 적용하려면 비워 두세요.")
    if max_uses is not None and max_uses < 1:
        errors["max_uses"] = _("전체 사용 한도는 1 이상이어야 합니다. 제한이 없으면 비워 두세요.")
    if max_uses_per_subscriber < 1:
        errors["max_uses_per_subscriber"] = _("1인 사용 한도는 1 이상이어야 합니다.")
    if any(bundle.municipality_id != municipality.pk for bundle in bundles):
        errors["bundles"] = _("선택할 수 없는 꾸러미가 있습니다.")
    if errors:
        raise ValidationError(errors)

    Municipality.objects.select_for_update().only("pk").get(pk=municipality.pk)
    if PromoCode.objects.for_tenant(municipality).filter(code__iexact=code).exists():
        raise ValidationError(
            {"code": _("이미 있는 코드입니다(대소문자는 구분하지 않습니다): %(code)s") % {"code": code}}
        )
    promo = PromoCode(
        municipality=municipality,
        code=code,
        description=description.strip(),
        kind=kind,
        amount=amount,
        boxes=boxes,
        valid_from=valid_from,
        valid_until=valid_until,
        max_uses=max_uses,
        max_uses_per_subscriber=max_uses_per_subscriber,
    )
    promo.full_clean()
    promo.save()
    promo.bundles.set(bundles)
    return promo


@transaction.atomic
def promo_code_set_active(*, promo: PromoCode, is_active: bool) -> PromoCode:
    """Stop (or allow again) new uses of a code; subscriptions that already took it keep their discount.
    Locks the code's row; setting the state it already has changes nothing."""
    locked = PromoCode.objects.select_for_update().get(pk=promo.pk)
    if locked.is_active != is_active:
        locked.is_active = is_active
        locked.save(update_fields=["is_active"])
    return locked


@transaction.atomic
def support_campaign_create(
    *,
    municipality: Municipality,
    acting_user: User,
    name: str,
    budget_won: int,
    per_box_cap_won: int,
    starts_on: date,
    ends_on: date,
) -> ShippingSupportCampaign:
    """Open a shipping-support campaign with a budget cap. Draws take from it one box at a time
    (`shipping_support_draw`). Raises ValidationError (Korean, keyed by field) and then saves nothing.
    `acting_user` is taken for the audit trail; the campaign has no column for it yet."""
    errors: dict[str, str] = {}
    if budget_won is None or budget_won <= 0:
        errors["budget_won"] = _("예산은 0원보다 커야 합니다.")
    if per_box_cap_won is None or per_box_cap_won <= 0:
        errors["per_box_cap_won"] = _("1상자 지원 한도는 0원보다 커야 합니다.")
    elif budget_won and per_box_cap_won > budget_won:
        errors["per_box_cap_won"] = _("1상자 지원 한도는 예산보다 클 수 없습니다.")
    if ends_on < starts_on:
        errors["ends_on"] = _("종료일은 시작일과 같거나 뒤여야 합니다.")
    if errors:
        raise ValidationError(errors)
    campaign = ShippingSupportCampaign(
        municipality=municipality,
        name=name.strip(),
        budget_won=budget_won,
        per_box_cap_won=per_box_cap_won,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    campaign.full_clean()
    campaign.save()
    return campaign
