"""Staff writes on partners, their users, offers and what bundles they come with.

Each write validates the model (full_clean) and raises ValidationError with Korean messages; nothing is
saved on a refusal. An offer that has been redeemed keeps its partner and reimbursement amount: settlement
pays every redemption at `offer.reimbursement_won`, so changing it would rewrite what was already owed.
A new amount is a new offer.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from bundles.models import Bundle
from core.records import fields_only, record_save
from municipalities.models import Municipality, Role
from municipalities.services import membership_grant
from tourism.models import Coupon, Offer, OfferAttachment, Partner, PartnerMember

PARTNER_FIELDS = {
    "name",
    "kind",
    "representative",
    "business_registration_number",
    "address",
    "latitude",
    "longitude",
    "hours",
    "phone",
    "description",
    "is_active",
    "bank_code",
    "account_number",
    "account_holder",
}
OFFER_FIELDS = {
    "kind",
    "title",
    "face_value_won",
    "discount_percent",
    "reimbursement_won",
    "validity_days",
    "valid_from",
    "valid_until",
    "terms",
    "monthly_cap",
    "is_active",
}
# What may not change once an offer has a redemption (see the module docstring).
OFFER_SETTLED_FIELDS = ("partner_id", "reimbursement_won")


@transaction.atomic
def partner_create(*, municipality: Municipality, photo=None, **fields) -> Partner:
    return record_save(Partner(municipality=municipality), fields=fields, allowed=PARTNER_FIELDS, photo=photo)


@transaction.atomic
def partner_update(*, partner: Partner, photo=None, **fields) -> Partner:
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    return record_save(locked, fields=fields, allowed=PARTNER_FIELDS, photo=photo)


@transaction.atomic
def partner_member_bind(*, partner: Partner, user: User) -> PartnerMember:
    """Let `user` redeem coupons for `partner`. Repeating it changes nothing; one person, one venue per town."""
    membership = membership_grant(municipality=partner.municipality, user=user, role=Role.PARTNER)
    binding, _created = PartnerMember.objects.get_or_create(
        membership=membership, defaults={"partner": partner, "municipality": partner.municipality}
    )
    if binding.partner_id != partner.pk:
        raise ValidationError(_("이 사용자는 이미 다른 제휴처에 연결되어 있습니다."), code="bound_elsewhere")
    return binding


@transaction.atomic
def offer_create(*, partner: Partner, **fields) -> Offer:
    offer = Offer(municipality_id=partner.municipality_id, partner=partner, **fields_only(fields, OFFER_FIELDS))
    offer.full_clean()
    offer.save()
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, partner: Partner | None = None, **fields) -> Offer:
    locked = Offer.objects.select_for_update().get(pk=offer.pk)
    before = {name: getattr(locked, name) for name in OFFER_SETTLED_FIELDS}
    if partner is not None:
        locked.partner = partner
    for name, value in fields_only(fields, OFFER_FIELDS).items():
        setattr(locked, name, value)
    changed = [name for name in OFFER_SETTLED_FIELDS if getattr(locked, name) != before[name]]
    if changed and Coupon.objects.filter(offer_id=locked.pk, redeemed_at__isnull=False).exists():
        raise ValidationError(
            {
                "reimbursement_won" if name == "reimbursement_won" else "partner": [
                    _("이미 사용된 쿠폰이 있는 혜택은 제휴처와 정산 금액을 바꿀 수 없습니다. 새 혜택을 만들어 주세요.")
                ]
                for name in changed
            }
        )
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def offer_attachments_set(*, offer: Offer, bundles: list[Bundle], welcome_bundles: list[Bundle]) -> Offer:
    """Make `bundles` (with every box) and `welcome_bundles` (once, at subscription start) exactly the
    bundles that issue `offer`. Coupons already issued stay; only future issuing changes."""
    for bundle in [*bundles, *welcome_bundles]:
        if bundle.municipality_id != offer.municipality_id:
            raise ValidationError(_("다른 지자체의 꾸러미는 연결할 수 없습니다."), code="other_tenant")
    Offer.objects.select_for_update().filter(pk=offer.pk).values_list("pk", flat=True).get()
    wanted = {(bundle.pk, False) for bundle in bundles} | {(bundle.pk, True) for bundle in welcome_bundles}
    existing = {
        (bundle_id, welcome): pk
        for pk, bundle_id, welcome in OfferAttachment.objects.filter(offer=offer).values_list(
            "pk", "bundle_id", "is_welcome"
        )
    }
    OfferAttachment.objects.filter(pk__in=[pk for key, pk in existing.items() if key not in wanted]).delete()
    OfferAttachment.objects.bulk_create(
        [
            OfferAttachment(municipality_id=offer.municipality_id, offer=offer, bundle_id=bundle_id, is_welcome=welcome)
            for bundle_id, welcome in wanted - existing.keys()
        ]
    )
    return offer
