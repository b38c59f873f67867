# ruff: noqa: S608 - the SQL is assembled only from table names and fixed fragments; every value is a parameter.
"""Pick lists after cycle close, the merchant's answer, and the staff's decision on each shortfall.

1. pick_lists_confirm_for_cycle: once a cycle's orders are charged, one PickList per merchant is made from
   delivery.picking.pick_list (the paid orders' items), in a fixed number of queries whatever the number
   of orders. Running it again refreshes the lines from the paid orders (a late payment adds units); a
   list whose units change after the merchant confirmed it goes back to awaiting their confirmation.
2. The merchant confirms the list ("모두 준비할 수 있습니다") or reports a Shortfall per product.
3. Staff decide a shortfall: a substitute of the same category and equal or higher supply value
   (shortfall_substitute) or a partial refund (shortfall_refund). delivery.allocation decides, by the
   municipality's policy, which paid orders keep the units that exist; exactly the others are affected.
   Their OrderItem rows change (so packing slips, pick lists and settlement read the box as it ships),
   each effect is recorded, and the subscribers are told.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from bundles.models import STORAGE_RANK, Product
from core.money import format_won
from delivery.allocation import Demand, allocate
from delivery.models import PickList, Shortfall, ShortfallEffect
from delivery.picking import PickingNotAllowed, pick_lists_sync
from municipalities.models import Municipality
from notifications.services import Recipient, notify_many
from subscriptions import clock
from subscriptions.billing.refunds import RefundNotAllowed, order_refund
from subscriptions.gateways.base import GatewayError, PaymentGateway
from subscriptions.models import DeliveryCycle, Order, OrderItem, Refund


@dataclass(frozen=True)
class ShortfallReport:
    product_id: int
    units_available: int
    reason: str


@dataclass(frozen=True)
class RefundOutcome:
    refunded: int
    pending: int
    errors: list[str]


def _lock_list(pick_list_obj: PickList) -> PickList:
    return PickList.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=pick_list_obj.pk)


def _check_before_ship(pl: PickList) -> None:
    today = timezone.localdate(clock.now())
    if today > pl.cycle.ship_date:
        raise PickingNotAllowed(_("발송일이 지난 회차입니다. 군청 담당자에게 전화해 주세요."))


@transaction.atomic
def pick_list_confirm(*, pick_list_obj: PickList, acting_user: User | None) -> PickList:
    """The merchant can bring every unit on the list. Repeating it changes nothing."""
    pl = _lock_list(pick_list_obj)
    if pl.status == PickList.Status.CONFIRMED:
        return pl
    if pl.status != PickList.Status.AWAITING:
        raise PickingNotAllowed(_("부족을 알려 주신 목록입니다. 군청 담당자가 처리해 드립니다."))
    _check_before_ship(pl)
    pl.status, pl.confirmed_at, pl.confirmed_by = PickList.Status.CONFIRMED, clock.now(), acting_user
    pl.updated_at = pl.confirmed_at
    pl.save(update_fields=["status", "confirmed_at", "confirmed_by", "updated_at"])
    return pl


@transaction.atomic
def pick_list_report_shortfall(
    *, pick_list_obj: PickList, reports: list[ShortfallReport], acting_user: User | None
) -> list[Shortfall]:
    """The merchant can bring fewer units of some products. Every report is checked first; one bad report
    refuses them all and nothing changes. The other products of the list count as confirmed."""
    pl = _lock_list(pick_list_obj)
    _check_before_ship(pl)
    if not reports:
        raise PickingNotAllowed(_("모자라는 상품과 준비할 수 있는 수량을 적어 주세요."))
    lines = {line.product_id: line for line in pl.lines.all()}
    reported = set(Shortfall.objects.filter(pick_list=pl).values_list("product_id", flat=True))
    errors: list[str] = []
    seen: set[int] = set()
    for report in reports:
        line = lines.get(report.product_id)
        if line is None:
            errors.append(_("준비 목록에 없는 상품입니다."))
            continue
        name = line.product_name
        if report.product_id in reported or report.product_id in seen:
            errors.append(_("%(name)s: 이미 모자란다고 알려 주신 상품입니다.") % {"name": name})
        elif not 0 <= report.units_available < line.units:
            errors.append(
                _("%(name)s: 준비할 수 있는 수량은 0개부터 %(max)s개까지 적어 주세요.")
                % {"name": name, "max": line.units - 1}
            )
        elif not report.reason.strip():
            errors.append(_("%(name)s: 모자라는 까닭을 적어 주세요.") % {"name": name})
        seen.add(report.product_id)
    if errors:
        raise PickingNotAllowed(*errors)
    now = clock.now()
    shortfalls = Shortfall.objects.bulk_create(
        Shortfall(
            municipality_id=pl.municipality_id,
            pick_list=pl,
            cycle_id=pl.cycle_id,
            product_id=report.product_id,
            units_needed=lines[report.product_id].units,
            units_available=report.units_available,
            reason=report.reason.strip()[:200],
            reported_by=acting_user,
            reported_at=now,
        )
        for report in reports
    )
    pl.status, pl.confirmed_at, pl.confirmed_by, pl.updated_at = PickList.Status.SHORTFALL, now, acting_user, now
    pl.save(update_fields=["status", "confirmed_at", "confirmed_by", "updated_at"])
    return shortfalls


# --- the municipality's picking settings -----------------------------------------------------------------
@transaction.atomic
def picking_settings_update(
    *, municipality: Municipality, shortfall_policy: str, logistics_center_address: str, acting_user: User | None
) -> Municipality:
    """Set how short stock is shared (delivery.allocation) and where merchants bring their products. A
    decision already made keeps the policy it was made with (Shortfall.policy)."""
    if shortfall_policy not in Municipality.ShortfallPolicy.values:
        raise PickingNotAllowed(_("상품이 모자랄 때의 배분 기준을 골라 주세요."))
    address = logistics_center_address.strip()
    if len(address) > 200:
        raise PickingNotAllowed(_("물류센터 주소는 200자까지 적을 수 있습니다."))
    locked = Municipality.objects.select_for_update().get(pk=municipality.pk)
    locked.shortfall_policy, locked.logistics_center_address = shortfall_policy, address
    locked.save(update_fields=["shortfall_policy", "logistics_center_address", "updated_at"])
    return locked


# --- staff decisions --------------------------------------------------------------------------------------
def _short_items(shortfall: Shortfall) -> QuerySet[OrderItem]:
    return OrderItem.objects.filter(
        municipality_id=shortfall.municipality_id,
        order__cycle_id=shortfall.cycle_id,
        order__status=Order.Status.PAID,
        product_id=shortfall.product_id,
    )


def substitute_candidates(*, shortfall: Shortfall) -> QuerySet[Product]:
    """Products that may stand in for the short one in this cycle: same municipality and category, on sale
    by an active merchant, in season in the ship month, a supply price at least the one in the boxes, kept
    no colder than the short product (the boxes' shipments already carry their cold-chain class), and
    enough units per cycle left after this cycle's paid orders of it for the units missing. Two queries."""
    short = shortfall.product
    cycle = shortfall.cycle
    figures = _short_items(shortfall).aggregate(value=Max("supply_price_won"), units=Sum("quantity"))
    value = max(figures["value"] or 0, short.supply_price_won)
    missing = max((figures["units"] or 0) - shortfall.units_available, 0)
    used = (
        OrderItem.objects.filter(order__cycle_id=cycle.pk, order__status=Order.Status.PAID, product_id=OuterRef("pk"))
        .values("product_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    open_short = Shortfall.objects.filter(cycle_id=cycle.pk, status=Shortfall.Status.OPEN).values("product_id")
    return (
        Product.objects.filter(
            municipality_id=shortfall.municipality_id,
            is_active=True,
            merchant__is_active=True,
            category=short.category,
            supply_price_won__gte=value,
            storage_class__in=[c for c, rank in STORAGE_RANK.items() if rank <= STORAGE_RANK[short.storage_class]],
        )
        .exclude(pk=short.pk)
        .exclude(pk__in=open_short)
        .annotate(
            in_month=F("season_months").bitand(1 << (cycle.ship_date.month - 1)), used=Coalesce(Subquery(used), 0)
        )
        .filter(in_month__gt=0, stock_per_cycle__gte=F("used") + missing)
        .select_related("merchant")
        .order_by("supply_price_won", "merchant__name", "name", "pk")
    )


def _lock_open(shortfall: Shortfall) -> Shortfall:
    """Lock the cycle, then the shortfall: the same order as pick_lists_confirm_for_cycle, so two decisions
    in one cycle (each may create a substitute merchant's pick list) and a refresh run one at a time."""
    cycle_id = Shortfall.objects.values_list("cycle_id", flat=True).get(pk=shortfall.pk)
    DeliveryCycle.objects.select_for_update().values_list("pk", flat=True).get(pk=cycle_id)
    return (
        Shortfall.objects.select_for_update(of=("self",))
        .select_related("cycle", "cycle__municipality", "product", "pick_list")
        .get(pk=shortfall.pk)
    )


@dataclass(frozen=True)
class _Affected:
    item_id: int
    order_id: int
    units: int
    allocated: int
    supply_price_won: int


def _allocate(locked: Shortfall) -> list[_Affected]:
    """The paid orders of the short product that do not get all their units, by the municipality's
    policy. Their item rows are locked."""
    rows = list(
        _short_items(locked)
        .select_for_update(of=("self",))
        .values(
            "pk",
            "order_id",
            "quantity",
            "supply_price_won",
            "order__subscription_id",
            "order__subscription__created_at",
        )
    )
    allocation = allocate(
        available=locked.units_available,
        demands=[
            Demand(
                order_id=row["order_id"],
                subscription_id=row["order__subscription_id"],
                subscription_created_at=row["order__subscription__created_at"],
                units=row["quantity"],
            )
            for row in rows
        ],
        policy=locked.cycle.municipality.shortfall_policy,
    )
    return sorted(
        (
            _Affected(row["pk"], row["order_id"], row["quantity"], allocation[row["order_id"]], row["supply_price_won"])
            for row in rows
            if allocation[row["order_id"]] < row["quantity"]
        ),
        key=lambda a: a.order_id,
    )


def _shrink_items(affected: list[_Affected]) -> None:
    """Leave each affected item with its allocated units; a row left with none goes (the box no longer
    holds that product, so packing slips and the merchant's statement leave it out)."""
    OrderItem.objects.bulk_update(
        [OrderItem(pk=a.item_id, quantity=a.allocated) for a in affected if a.allocated], ["quantity"]
    )
    OrderItem.objects.filter(pk__in=[a.item_id for a in affected if not a.allocated]).delete()


def _close_list_if_done(pick_list_id: int) -> None:
    if not Shortfall.objects.filter(pick_list_id=pick_list_id, status=Shortfall.Status.OPEN).exists():
        PickList.objects.filter(pk=pick_list_id, status=PickList.Status.SHORTFALL).update(
            status=PickList.Status.RESOLVED, updated_at=clock.now()
        )


def _recipients(order_ids: list[int]) -> dict[int, tuple[Recipient, dict]]:
    rows = Order.objects.filter(pk__in=order_ids).values(
        "pk",
        "subscription_id",
        "bundle_name",
        "subscriber__user_id",
        "subscriber__name",
        "subscriber__phone",
        "subscriber__user__email",
    )
    return {
        row["pk"]: (
            Recipient(
                user_id=row["subscriber__user_id"],
                name=row["subscriber__name"],
                email=row["subscriber__user__email"] or "",
                phone=row["subscriber__phone"] or "",
            ),
            row,
        )
        for row in rows
    }


def _link(municipality, subscription_id: int) -> str:
    path = reverse(
        "subscriptions:my-detail", kwargs={"municipality_slug": municipality.slug, "subscription_id": subscription_id}
    )
    return f"{settings.SITE_URL}{path}"


def _decided(locked: Shortfall, status: str, acting_user: User | None, note: str, **fields) -> None:
    locked.status = status
    locked.policy = locked.cycle.municipality.shortfall_policy
    locked.decided_by, locked.decided_at, locked.decision_note = acting_user, clock.now(), note.strip()[:200]
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", "policy", "decided_by", "decided_at", "decision_note", *fields])


@transaction.atomic
def shortfall_substitute(
    *, shortfall: Shortfall, substitute: Product, acting_user: User | None, note: str = ""
) -> Shortfall:
    """Give the affected orders `substitute` for the units they miss, one for one, at no charge to them.

    The affected orders' OrderItem rows change: an order missing all its units has its row turned into the
    substitute (product, merchant, name, supply price and tax snapshot — the substitute's merchant is paid
    its own supply price; the price the subscriber paid is unchanged); an order keeping some units keeps
    them and gains a substitute row (or more units on the one it has). Both merchants' pick lists follow.
    The shortfall row is locked; deciding it again with the same substitute returns it unchanged. A fixed
    number of queries whatever the number of orders."""
    locked = _lock_open(shortfall)
    if locked.status == Shortfall.Status.SUBSTITUTED and locked.substitute_id == substitute.pk:
        return locked
    if locked.status != Shortfall.Status.OPEN:
        raise PickingNotAllowed(_("이미 처리한 부족입니다."))
    if not substitute_candidates(shortfall=locked).filter(pk=substitute.pk).exists():
        raise PickingNotAllowed(
            _(
                "같은 분류에서 공급가가 같거나 높고 이번 회차 수량이 넉넉한 "
                "판매 중인 상품만 대체 상품으로 고를 수 있습니다."
            )
        )
    substitute = Product.objects.get(pk=substitute.pk)
    affected = _allocate(locked)
    order_ids = [a.order_id for a in affected]
    has_substitute = set(
        OrderItem.objects.filter(order_id__in=order_ids, product_id=substitute.pk).values_list("order_id", flat=True)
    )
    in_place = [a for a in affected if not a.allocated and a.order_id not in has_substitute]
    OrderItem.objects.filter(pk__in=[a.item_id for a in in_place]).update(
        product_id=substitute.pk,
        merchant_id=substitute.merchant_id,
        product_name=substitute.name,
        supply_price_won=substitute.supply_price_won,
        tax_type=substitute.tax_type,
    )
    added = [a for a in affected if a not in in_place]
    _shrink_items(added)
    if added:
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(added))
        params: list = []
        for a in added:
            params += [
                locked.municipality_id, a.order_id, substitute.pk, substitute.merchant_id, substitute.name,
                a.units - a.allocated, substitute.supply_price_won, substitute.tax_type,
            ]  # fmt: skip
        table = connection.ops.quote_name(OrderItem._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {table} (municipality_id, order_id, product_id, merchant_id, product_name, quantity,
                                         supply_price_won, tax_type)
                    VALUES {values}
                    ON CONFLICT (municipality_id, order_id, product_id)
                    DO UPDATE SET quantity = {table}.quantity + EXCLUDED.quantity""",
                params,
            )
    now = clock.now()
    ShortfallEffect.objects.bulk_create(
        ShortfallEffect(
            municipality_id=locked.municipality_id,
            shortfall=locked,
            order_id=a.order_id,
            units_ordered=a.units,
            units_allocated=a.allocated,
            substitute=substitute,
            supply_price_won=a.supply_price_won,
            substitute_supply_price_won=substitute.supply_price_won,
            created_at=now,
        )
        for a in affected
    )
    _decided(locked, Shortfall.Status.SUBSTITUTED, acting_user, note, substitute=substitute)
    pick_lists_sync(locked.cycle, {locked.product.merchant_id, substitute.merchant_id})
    _close_list_if_done(locked.pick_list_id)
    municipality = locked.cycle.municipality
    notify_many(
        municipality=municipality,
        kind="shortfall_substituted",
        messages=[
            (
                recipient,
                f"shortfall-{locked.pk}-order-{order_id}",
                {"bundle": row["bundle_name"], "product": locked.product.name, "substitute": substitute.name},
                _link(municipality, row["subscription_id"]),
            )
            for order_id, (recipient, row) in sorted(_recipients(order_ids).items())
        ],
    )
    return locked


def refund_share_won(*, paid_goods_won: int, boxes: int, missing_value_won: int, box_value_won: int) -> int:
    """The missing items' share of what was paid for one box's goods (shipping is not refunded: the box
    still ships): paid for the goods per box × the missing items' supply value ÷ the box's supply value,
    rounded down so the subscriber is never refunded more than the share."""
    if boxes <= 0 or box_value_won <= 0 or paid_goods_won <= 0:
        return 0
    return (paid_goods_won // boxes) * min(missing_value_won, box_value_won) // box_value_won


def _refund_plan(locked: Shortfall, affected: list[_Affected]) -> dict[int, tuple[int, int]]:
    """order id → (the order that was charged for this box, amount to refund), capped by what that order
    can still refund. Five queries whatever the number of orders."""
    order_ids = [a.order_id for a in affected]
    orders = {
        row["pk"]: row
        for row in Order.objects.filter(pk__in=order_ids).values(
            "pk", "subscription_id", "boxes_charged", "amount_won", "shipping_fee_won", "shipping_support_won"
        )
    }
    # A prepaid term charged its boxes on its first order; the later ones (boxes_charged = 0) refund there.
    term_orders: dict[int, dict] = {}
    covered = [row["subscription_id"] for row in orders.values() if row["boxes_charged"] == 0]
    if covered:
        for row in (
            Order.objects.filter(
                subscription_id__in=covered,
                status=Order.Status.PAID,
                boxes_charged__gt=1,
                cycle__ship_date__lte=locked.cycle.ship_date,
            )
            .order_by("subscription_id", "-cycle__ship_date", "-pk")
            .values("pk", "subscription_id", "boxes_charged", "amount_won", "shipping_fee_won", "shipping_support_won")
        ):
            term_orders.setdefault(row["subscription_id"], row)
    # The box's supply value as it was charged: today's items, with what earlier decisions took out put
    # back and what they put in taken out (a substitute worth more must not shrink this refund).
    box_values = dict(
        OrderItem.objects.filter(order_id__in=order_ids)
        .values("order_id")
        .annotate(value=Sum(F("supply_price_won") * F("quantity")))
        .values_list("order_id", "value")
    )
    for order_id, change in (
        ShortfallEffect.objects.filter(order_id__in=order_ids)
        .values("order_id")
        .annotate(
            change=Sum(
                (F("units_ordered") - F("units_allocated")) * (F("supply_price_won") - F("substitute_supply_price_won"))
            )
        )
        .values_list("order_id", "change")
    ):
        box_values[order_id] = box_values.get(order_id, 0) + change
    charged = {
        a.order_id: (
            orders[a.order_id]
            if orders[a.order_id]["boxes_charged"]
            else term_orders.get(orders[a.order_id]["subscription_id"])
        )
        for a in affected
    }
    charged_ids = {row["pk"] for row in charged.values() if row}
    reserved = dict(
        Refund.objects.filter(order_id__in=charged_ids)
        .exclude(status=Refund.Status.FAILED)
        .values("order_id")
        .annotate(total=Sum("amount_won"))
        .values_list("order_id", "total")
    )
    amounts = {row["pk"]: row["amount_won"] for row in charged.values() if row}
    plan: dict[int, tuple[int, int]] = {}
    for a in affected:
        row = charged[a.order_id]
        if row is None:
            continue
        share = refund_share_won(
            paid_goods_won=row["amount_won"] - row["shipping_fee_won"] + row["shipping_support_won"],
            boxes=row["boxes_charged"],
            missing_value_won=(a.units - a.allocated) * a.supply_price_won,
            box_value_won=box_values.get(a.order_id, 0),
        )
        refundable = amounts[row["pk"]] - reserved.get(row["pk"], 0)
        amount = max(0, min(share, refundable))
        reserved[row["pk"]] = reserved.get(row["pk"], 0) + amount
        plan[a.order_id] = (row["pk"], amount)
    return plan


@transaction.atomic
def _refund_decide(*, shortfall: Shortfall, acting_user: User | None, note: str) -> Shortfall:
    locked = _lock_open(shortfall)
    if locked.status in (Shortfall.Status.REFUNDING, Shortfall.Status.REFUNDED):
        return locked
    if locked.status != Shortfall.Status.OPEN:
        raise PickingNotAllowed(_("이미 처리한 부족입니다."))
    affected = _allocate(locked)
    plan = _refund_plan(locked, affected)
    _shrink_items(affected)
    now = clock.now()
    ShortfallEffect.objects.bulk_create(
        ShortfallEffect(
            municipality_id=locked.municipality_id,
            shortfall=locked,
            order_id=a.order_id,
            units_ordered=a.units,
            units_allocated=a.allocated,
            supply_price_won=a.supply_price_won,
            refund_order_id=plan.get(a.order_id, (None, 0))[0],
            refund_won=plan.get(a.order_id, (None, 0))[1],
            created_at=now,
        )
        for a in affected
    )
    _decided(locked, Shortfall.Status.REFUNDING, acting_user, note)
    pick_lists_sync(locked.cycle, {locked.product.merchant_id})
    _close_list_if_done(locked.pick_list_id)
    return locked


def shortfall_refunds_send(*, shortfall: Shortfall, acting_user: User | None, gateway: PaymentGateway) -> RefundOutcome:
    """Refund each affected order its share through the gateway (subscriptions.billing.refunds.order_refund,
    which reserves the amount under the order's lock and never refunds more than was paid). An effect is
    linked to its refund as soon as the gateway answers; one refunded earlier for this shortfall (same order,
    same reason) is linked instead of refunded again, so the call is safe to repeat. When none is left the
    shortfall is refunded and the subscribers are told. One gateway call per affected paid order."""
    shortfall = Shortfall.objects.select_related("cycle__municipality", "product").get(pk=shortfall.pk)
    if shortfall.status == Shortfall.Status.REFUNDED:
        return RefundOutcome(0, 0, [])
    if shortfall.status != Shortfall.Status.REFUNDING:
        raise PickingNotAllowed(_("부분 환불로 처리하기로 한 부족이 아닙니다."))
    # In the site's language whatever the request's, so a repeated call finds the refunds an earlier one made.
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("상품 부족 부분 환불 (부족 #%(id)s %(product)s)") % {
            "id": shortfall.pk,
            "product": shortfall.product.name,
        }
    effects = list(
        ShortfallEffect.objects.filter(shortfall=shortfall, refund__isnull=True, refund_won__gt=0)
        .select_related("refund_order")
        .order_by("order_id")
    )
    earlier = {
        refund.order_id: refund
        for refund in Refund.objects.filter(
            order_id__in=[e.refund_order_id for e in effects], reason=reason[:200]
        ).exclude(status=Refund.Status.FAILED)
    }
    refunded, errors = 0, []
    for effect in effects:
        refund = earlier.get(effect.refund_order_id)
        if refund is None:
            try:
                refund = order_refund(
                    order=effect.refund_order,
                    amount_won=effect.refund_won,
                    reason=reason,
                    acting_user=acting_user,
                    gateway=gateway,
                )
            except (RefundNotAllowed, GatewayError) as error:
                errors.append(_("주문 #%(order)s: %(error)s") % {"order": effect.order_id, "error": error})
                continue
        ShortfallEffect.objects.filter(pk=effect.pk, refund__isnull=True).update(refund=refund)
        refunded += 1
    pending = ShortfallEffect.objects.filter(shortfall=shortfall, refund__isnull=True, refund_won__gt=0).count()
    if pending == 0:
        with transaction.atomic():
            Shortfall.objects.filter(pk=shortfall.pk, status=Shortfall.Status.REFUNDING).update(
                status=Shortfall.Status.REFUNDED
            )
            _notify_refunded(shortfall)
    return RefundOutcome(refunded, pending, errors)


def _notify_refunded(shortfall: Shortfall) -> None:
    effects = dict(
        ShortfallEffect.objects.filter(shortfall=shortfall, refund__isnull=False).values_list("order_id", "refund_won")
    )
    municipality = shortfall.cycle.municipality
    notify_many(
        municipality=municipality,
        kind="shortfall_refunded",
        messages=[
            (
                recipient,
                f"shortfall-{shortfall.pk}-order-{order_id}",
                {
                    "bundle": row["bundle_name"],
                    "product": shortfall.product.name,
                    "amount": format_won(effects[order_id]),
                },
                _link(municipality, row["subscription_id"]),
            )
            for order_id, (recipient, row) in sorted(_recipients(list(effects)).items())
        ],
    )


def shortfall_refund(
    *, shortfall: Shortfall, acting_user: User | None, gateway: PaymentGateway, note: str = ""
) -> RefundOutcome:
    """Refund the affected orders their share of the missing units instead of substituting.

    First, in one transaction under the shortfall's lock: allocation, the affected items shrink to what
    they get, the per-order refund is planned (capped by what each charged order can still refund) and
    recorded, and the merchant's pick list follows. Then the refunds go to the gateway (shortfall_refunds_send).
    Safe to repeat: a decided shortfall is not decided again, and only refunds not yet made are sent."""
    _refund_decide(shortfall=shortfall, acting_user=acting_user, note=note)
    return shortfall_refunds_send(shortfall=shortfall, acting_user=acting_user, gateway=gateway)
