"""Subscribers, addresses, saved cards and checkout."""

from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.validators import normalize_korean_mobile
from bundles.models import Bundle, Plan
from municipalities.models import Municipality
from subscriptions import clock, cycles
from subscriptions.gateways.base import PaymentGateway, SetupSession
from subscriptions.models import Address, PaymentMethod, Subscriber, Subscription, SubscriptionEvent
from subscriptions.promotions import promo_find, promo_redeem

ADDRESS_FIELDS = ("recipient", "phone", "postcode", "road_address", "jibun_address", "detail", "memo")


class CheckoutError(Exception):
    """Checkout could not be completed; the message is for the subscriber and nothing was saved."""


def _mobile(phone: str) -> str:
    return normalize_korean_mobile(phone) if phone and phone.strip() else ""


@transaction.atomic
def subscriber_ensure(*, municipality: Municipality, user: User, name: str = "", phone: str = "") -> Subscriber:
    """The user's customer record in this municipality, created on first checkout. Safe to repeat."""
    subscriber, created = Subscriber.objects.get_or_create(
        municipality=municipality,
        user=user,
        defaults={"name": name or user.name, "phone": _mobile(phone or user.phone)},
    )
    if not created and (name or phone):
        fields = {
            "name": name or subscriber.name,
            "phone": _mobile(phone) or subscriber.phone,
        }
        Subscriber.objects.filter(pk=subscriber.pk).update(**fields)
        subscriber.name, subscriber.phone = fields["name"], fields["phone"]
    return subscriber


@transaction.atomic
def address_add(*, subscriber: Subscriber, make_default: bool = False, **fields) -> Address:
    address = Address(
        municipality_id=subscriber.municipality_id,
        subscriber=subscriber,
        **{k: fields.get(k, "") for k in ADDRESS_FIELDS},
    )
    address.phone = normalize_korean_mobile(address.phone) if address.phone else address.phone
    address.full_clean(exclude=["subscriber", "municipality", "is_default"])
    Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    has_default = Address.objects.filter(subscriber=subscriber, is_default=True).exists()
    if make_default and has_default:
        Address.objects.filter(subscriber=subscriber, is_default=True).update(is_default=False)
    address.is_default = make_default or not has_default
    address.save()
    return address


def card_setup_start(*, subscriber: Subscriber, gateway: PaymentGateway) -> SetupSession:
    """Begin saving a card: make the gateway customer once, then a setup session for the browser."""
    if not subscriber.gateway_customer_id:
        customer_id = gateway.customer_create(
            email=subscriber.user.email, name=subscriber.name, reference=f"subscriber-{subscriber.pk}"
        )
        Subscriber.objects.filter(pk=subscriber.pk, gateway_customer_id="").update(gateway_customer_id=customer_id)
        subscriber.refresh_from_db(fields=["gateway_customer_id"])
    return gateway.setup_start(customer_id=subscriber.gateway_customer_id)


@transaction.atomic
def card_save(*, subscriber: Subscriber, setup_id: str, gateway: PaymentGateway) -> PaymentMethod:
    """Record the card the browser confirmed with the gateway; only ids, brand, last4 and expiry are kept.
    Saving the same card again returns the existing row."""
    card = gateway.setup_finish(customer_id=subscriber.gateway_customer_id, setup_id=setup_id)
    method, created = PaymentMethod.objects.get_or_create(
        municipality_id=subscriber.municipality_id,
        gateway=gateway.name,
        gateway_method_id=card.method_id,
        defaults={
            "subscriber": subscriber,
            "brand": card.brand,
            "last4": card.last4,
            "exp_month": card.exp_month,
            "exp_year": card.exp_year,
        },
    )
    if method.subscriber_id != subscriber.pk:
        raise CheckoutError(_("카드 등록 정보가 올바르지 않습니다. 다시 시도해 주세요."))
    if created:
        PaymentMethod.objects.filter(subscriber=subscriber).exclude(pk=method.pk).update(is_default=False)
    return method


def consent_text(*, plan: Plan, term_boxes: int) -> str:
    charge = _("매 회차 발송 전") if term_boxes == 1 else _("%(n)d회분씩 선결제로") % {"n": term_boxes}
    # The text the subscriber agrees to, in the language shown, stored with the subscription as it was shown
    # (전자상거래법: 정기결제 고지).
    template = _(
        "{bundle} ({cadence}) 정기구독에 동의합니다. 등록한 카드로 {charge} 결제되며, "
        "각 회차 변경 마감 전까지 건너뛰기·일시정지·해지를 직접 할 수 있습니다."
    )
    return template.format(bundle=plan.bundle.name, cadence=plan.get_cadence_display(), charge=charge)


@transaction.atomic
def subscription_create(
    *,
    subscriber: Subscriber,
    plan: Plan,
    term_boxes: int,
    address: Address,
    payment_method: PaymentMethod,
    promo_code: str = "",
    source: str = "",
    checkout_token: UUID | None = None,
    acting_user: User,
) -> Subscription:
    """Start a subscription from the next cycle whose cutoff has not passed. The promo's use is taken in
    the same transaction; if anything fails nothing is saved and the use is not consumed."""
    municipality = subscriber.municipality
    if checkout_token is not None:
        # The subscriber row lock queues a double-submitted form behind the first; it then finds its work done.
        Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        done = Subscription.objects.filter(subscriber=subscriber, checkout_token=checkout_token).first()
        if done is not None:
            return done
    bundle = plan.bundle
    if bundle.municipality_id != municipality.pk or not plan.is_active or bundle.status != Bundle.Status.PUBLISHED:
        raise CheckoutError(_("지금은 구독할 수 없는 꾸러미입니다."))
    if term_boxes != 1 and term_boxes not in plan.offered_terms():
        raise CheckoutError(_("이 요금제에서 선택할 수 없는 선결제 기간입니다."))
    if address.subscriber_id != subscriber.pk or payment_method.subscriber_id != subscriber.pk:
        raise CheckoutError(_("배송지 또는 카드 정보가 올바르지 않습니다."))
    promo = (
        promo_find(municipality=municipality, code=promo_code, bundle=bundle, subscriber=subscriber)
        if promo_code
        else None
    )
    first_cycle = cycles.next_open_cycle(municipality=municipality, cadence=plan.cadence)
    subscription = Subscription.objects.create(
        municipality=municipality,
        subscriber=subscriber,
        bundle=bundle,
        plan=plan,
        cadence=plan.cadence,
        address=address,
        payment_method=payment_method,
        first_cycle=first_cycle,
        term_boxes=term_boxes,
        term_discount_bp=plan.discount_bp(term_boxes) if term_boxes > 1 else 0,
        promo_code=promo,
        promo_boxes_remaining=promo.boxes if promo else None,
        source=source[:60],
        checkout_token=checkout_token,
        consent_text=consent_text(plan=plan, term_boxes=term_boxes),
        consent_at=clock.now(),
    )
    if promo is not None:
        promo_redeem(promo=promo, subscriber=subscriber, subscription=subscription)
    SubscriptionEvent.objects.create(
        municipality=municipality,
        subscription=subscription,
        kind=SubscriptionEvent.Kind.CREATED,
        to_status=subscription.status,
        actor=acting_user,
        effective_cycle=first_cycle,
        data={"plan_id": plan.pk, "term_boxes": term_boxes, "source": source, "promo": promo.code if promo else ""},
    )
    return subscription
