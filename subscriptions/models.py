"""Subscribers, their addresses and saved cards, delivery cycles, subscriptions and their history,
promo codes and shipping-support campaigns."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_korean_mobile
from bundles.models import Bundle, Cadence, Plan
from municipalities.tenancy import TenantModel
from subscriptions import clock


class Subscriber(TenantModel):
    """A person's customer record in one municipality (the same account may subscribe in several)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subscriber_profiles")
    name = models.CharField(_("이름"), max_length=50)
    phone = models.CharField(_("휴대전화"), max_length=13, validators=[validate_korean_mobile])
    gateway_customer_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("구독자")
        verbose_name_plural = _("구독자")
        constraints = [models.UniqueConstraint(fields=["municipality", "user"], name="subscriber_unique_user")]

    def __str__(self) -> str:
        return self.name


class Address(TenantModel):
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="addresses")
    recipient = models.CharField(_("받는 분"), max_length=50)
    phone = models.CharField(_("연락처"), max_length=13, validators=[validate_korean_mobile])
    postcode = models.CharField(
        _("우편번호"), max_length=5, validators=[RegexValidator(r"^\d{5}$", _("우편번호는 숫자 5자리입니다."))]
    )
    road_address = models.CharField(_("도로명 주소"), max_length=200)
    jibun_address = models.CharField(_("지번 주소"), max_length=200, blank=True)
    detail = models.CharField(_("상세 주소"), max_length=100, blank=True)
    memo = models.CharField(_("배송 메모"), max_length=100, blank=True)
    is_default = models.BooleanField(_("기본 배송지"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("배송지")
        verbose_name_plural = _("배송지")
        ordering = ["-is_default", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber"], condition=models.Q(is_default=True), name="address_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.road_address} {self.detail}".strip()

    def snapshot(self) -> dict:
        return {
            "recipient": self.recipient,
            "phone": self.phone,
            "postcode": self.postcode,
            "road_address": self.road_address,
            "jibun_address": self.jibun_address,
            "detail": self.detail,
            "memo": self.memo,
        }


class PaymentMethod(TenantModel):
    """A saved card: only the gateway's ids and what a person needs to recognise the card are kept."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="payment_methods")
    gateway = models.CharField(max_length=20, default="stripe")
    gateway_method_id = models.CharField(max_length=64)
    brand = models.CharField(_("카드사"), max_length=20)
    last4 = models.CharField(_("끝 4자리"), max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    is_default = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "gateway", "gateway_method_id"], name="payment_method_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand.upper()} •••• {self.last4} ({self.exp_month:02d}/{self.exp_year % 100:02d})"


class DeliveryCycle(TenantModel):
    """One delivery of a cadence: changes are taken until `cutoff_at`, cards are charged at `charge_at`,
    boxes ship on `ship_date`. Generated ahead by subscriptions.cycles."""

    class Status(models.TextChoices):
        OPEN = "open", _("접수 중")
        CLOSED = "closed", _("마감")

    cadence = models.CharField(_("배송 주기"), max_length=10, choices=Cadence.choices)
    # The calendar's date for this cycle; `ship_date` starts equal and staff may move it (holidays).
    scheduled_for = models.DateField(_("달력상 발송일"))
    cutoff_at = models.DateTimeField(_("변경 마감"))
    charge_at = models.DateTimeField(_("결제일시"))
    ship_date = models.DateField(_("발송일"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("배송 회차")
        verbose_name_plural = _("배송 회차")
        ordering = ["ship_date"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "cadence", "ship_date"], name="cycle_unique_ship_date"),
            models.UniqueConstraint(
                fields=["municipality", "cadence", "scheduled_for"], name="cycle_unique_scheduled_date"
            ),
            models.CheckConstraint(condition=models.Q(cutoff_at__lte=models.F("charge_at")), name="cycle_cutoff_first"),
        ]
        indexes = [models.Index(fields=["municipality", "cadence", "cutoff_at"])]

    def __str__(self) -> str:
        return f"{self.get_cadence_display()} {self.ship_date:%Y-%m-%d}"


class PromoCode(TenantModel):
    class Kind(models.TextChoices):
        PERCENT = "percent", _("정률 할인")
        FIXED = "fixed", _("정액 할인")

    code = models.CharField(_("코드"), max_length=30)
    description = models.CharField(_("설명"), max_length=100, blank=True)
    kind = models.CharField(_("할인 방식"), max_length=10, choices=Kind.choices)
    # percent: basis points (1000 = 10 %); fixed: won off each discounted box.
    amount = models.PositiveIntegerField(_("할인 값"))
    boxes = models.PositiveSmallIntegerField(
        _("적용 회차 수"), null=True, blank=True, help_text=_("비우면 모든 회차에 적용")
    )
    valid_from = models.DateTimeField(_("시작"))
    valid_until = models.DateTimeField(_("종료"))
    max_uses = models.PositiveIntegerField(_("전체 사용 한도"), null=True, blank=True)
    max_uses_per_subscriber = models.PositiveIntegerField(_("1인 사용 한도"), default=1)
    uses_count = models.PositiveIntegerField(_("사용 횟수"), default=0)
    bundles = models.ManyToManyField(Bundle, blank=True, verbose_name=_("적용 꾸러미"), help_text=_("비우면 전체"))
    is_active = models.BooleanField(_("사용 가능"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("프로모션 코드")
        verbose_name_plural = _("프로모션 코드")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="promo_unique_code"),
            # The database refuses a use beyond the limit, whatever the application does.
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True) | models.Q(uses_count__lte=models.F("max_uses")),
                name="promo_uses_within_limit",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(amount__lte=10000), name="promo_percent_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def discount_won(self, price_won: int) -> int:
        if self.kind == self.Kind.PERCENT:
            return price_won * self.amount // 10000
        return min(self.amount, price_won)


class ShippingSupportCampaign(TenantModel):
    """배송비 지원: the municipality pays the shipping fee of boxes from a capped budget."""

    name = models.CharField(_("캠페인 이름"), max_length=80)
    budget_won = models.PositiveIntegerField(_("예산(원)"))
    spent_won = models.PositiveIntegerField(_("사용액(원)"), default=0)
    per_box_cap_won = models.PositiveIntegerField(_("1상자 지원 한도(원)"), default=3000)
    starts_on = models.DateField(_("시작일"))
    ends_on = models.DateField(_("종료일"))
    is_active = models.BooleanField(_("진행 중"), default=True)

    class Meta:
        verbose_name = _("배송비 지원 캠페인")
        verbose_name_plural = _("배송비 지원 캠페인")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(spent_won__lte=models.F("budget_won")), name="support_within_budget"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining_won(self) -> int:
        return self.budget_won - self.spent_won


class Subscription(TenantModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("구독 중")
        PAUSED = "paused", _("일시정지")
        PAST_DUE = "past_due", _("결제 연체")
        CANCELED = "canceled", _("해지")

    TRANSITIONS = {
        Status.ACTIVE: {Status.PAUSED, Status.PAST_DUE, Status.CANCELED},
        Status.PAUSED: {Status.ACTIVE, Status.CANCELED, Status.PAST_DUE},
        Status.PAST_DUE: {Status.ACTIVE, Status.CANCELED},
        Status.CANCELED: {Status.ACTIVE},
    }

    class CancelReason(models.TextChoices):
        TOO_EXPENSIVE = "too_expensive", _("가격이 부담돼요")
        TOO_MUCH = "too_much", _("양이 너무 많아요")
        QUALITY = "quality", _("품질이 기대와 달라요")
        DELIVERY = "delivery", _("배송이 불편해요")
        MOVING = "moving", _("이사를 가요")
        OTHER = "other", _("기타")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="subscriptions")
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="subscriptions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    cadence = models.CharField(_("배송 주기"), max_length=10, choices=Cadence.choices)
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="subscriptions")
    payment_method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    paused_until = models.DateField(_("일시정지 종료일"), null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=20, choices=CancelReason.choices, blank=True)
    cancel_note = models.CharField(max_length=300, blank=True)
    first_cycle = models.ForeignKey(DeliveryCycle, on_delete=models.PROTECT, related_name="+")
    # Prepaid term: `term_boxes` boxes were paid at checkout; `prepaid_boxes_remaining` are still to ship.
    term_boxes = models.PositiveSmallIntegerField(
        _("선결제 회차"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    prepaid_boxes_remaining = models.PositiveSmallIntegerField(default=0)
    term_discount_bp = models.PositiveIntegerField(default=0)
    promo_code = models.ForeignKey(PromoCode, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    promo_boxes_remaining = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("남은 할인 회차 (비어 있으면 계속)")
    )
    source = models.CharField(_("유입 경로"), max_length=60, blank=True, db_index=True)
    # One checkout page = one token: a double-submitted form finds the subscription it already made.
    checkout_token = models.UUIDField(null=True, blank=True)
    consent_text = models.TextField()
    consent_at = models.DateTimeField()
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("구독")
        verbose_name_plural = _("구독")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(term_boxes__in=[1, 3, 6, 12]), name="subscription_term_valid"),
            models.UniqueConstraint(
                fields=["municipality", "subscriber", "checkout_token"], name="subscription_checkout_once"
            ),
            models.CheckConstraint(
                condition=models.Q(prepaid_boxes_remaining__lte=models.F("term_boxes")),
                name="subscription_prepaid_within_term",
            ),
        ]
        # Cycle close finds the few subscriptions whose pause ends or whose prepaid or promo boxes count
        # down (subscriptions.billing.close). Partial indexes hold only those rows, so they cost the
        # other subscriptions nothing.
        indexes = [
            models.Index(fields=["municipality"], name="subscription_paused", condition=models.Q(status="paused")),
            models.Index(
                fields=["municipality"],
                name="subscription_prepaid_left",
                condition=models.Q(prepaid_boxes_remaining__gt=0),
            ),
            models.Index(
                fields=["municipality"], name="subscription_promo_left", condition=models.Q(promo_boxes_remaining__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} · {self.bundle}"


class SkippedCycle(TenantModel):
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="skips")
    cycle = models.ForeignKey(DeliveryCycle, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "subscription", "cycle"], name="skip_once_per_cycle")
        ]


class SubscriptionEvent(TenantModel):
    """The history of a subscription: every transition and change, with who, when, why and from which cycle."""

    class Kind(models.TextChoices):
        CREATED = "created", _("구독 시작")
        SKIPPED = "skipped", _("회차 건너뛰기")
        UNSKIPPED = "unskipped", _("건너뛰기 취소")
        PAUSED = "paused", _("일시정지")
        RESUMED = "resumed", _("다시 시작")
        PLAN_CHANGED = "plan_changed", _("꾸러미·주기 변경")
        ADDRESS_CHANGED = "address_changed", _("배송지 변경")
        CARD_CHANGED = "card_changed", _("카드 변경")
        PAST_DUE = "past_due", _("결제 연체")
        CANCELED = "canceled", _("해지")
        REACTIVATED = "reactivated", _("재구독")
        REFUNDED = "refunded", _("환불")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    effective_cycle = models.ForeignKey(DeliveryCycle, on_delete=models.PROTECT, null=True, related_name="+")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class PromoRedemption(TenantModel):
    promo_code = models.ForeignKey(PromoCode, on_delete=models.PROTECT, related_name="redemptions")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="+")
    subscription = models.OneToOneField(Subscription, on_delete=models.PROTECT, related_name="promo_redemption")
    created_at = models.DateTimeField(auto_now_add=True)


class ShippingSupportDraw(TenantModel):
    """One box's shipping fee paid from a campaign's budget; unique per (campaign, subscription, cycle)."""

    campaign = models.ForeignKey(ShippingSupportCampaign, on_delete=models.PROTECT, related_name="draws")
    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(DeliveryCycle, on_delete=models.PROTECT, related_name="+")
    amount_won = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "subscription", "cycle"], name="support_once_per_box"),
        ]


# --- Billing: one order per (subscription, cycle), its payment attempts and refunds ----------------------------
class Order(TenantModel):
    """One box of one subscription in one cycle, with everything it costs snapshotted at cycle close.

    `amount_won` is what is charged for it: a per-box order charges one box; the first order of a
    prepaid term charges `boxes_charged` boxes at once; the later orders of that term charge nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("결제 대기")
        CHARGING = "charging", _("결제 중")
        PAID = "paid", _("결제 완료")
        REQUIRES_ACTION = "requires_action", _("본인 인증 필요")
        FAILED = "failed", _("결제 실패")
        CANCELED = "canceled", _("취소")

    # Outcomes may arrive in any order (synchronous answer, webhook, reconciliation); nothing leaves PAID
    # or CANCELED except by a refund, which is recorded beside the order, not as a status.
    TRANSITIONS = {
        Status.PENDING: {Status.CHARGING, Status.PAID, Status.CANCELED},
        Status.CHARGING: {Status.PAID, Status.REQUIRES_ACTION, Status.FAILED, Status.PENDING},
        Status.REQUIRES_ACTION: {Status.PAID, Status.FAILED, Status.CHARGING, Status.CANCELED},
        Status.FAILED: {Status.CHARGING, Status.PAID, Status.CANCELED},
        Status.PAID: set(),
        Status.CANCELED: set(),
    }

    # Cycle close writes a whole cycle's orders in one statement, and every index and row-by-row
    # foreign-key check on this table is paid once per order (bench/cycle_close.py). So: `subscription`
    # and `cycle` are looked up through the unique constraint and the (cycle, status) index rather than
    # indexes of their own, and the database checks no reference row by row. Cycle close, the only writer
    # of orders, takes municipality, subscription and cycle from the rows it joins, and PostgreSQL
    # triggers keep them right afterwards: they never change, and a subscription or cycle with orders
    # cannot be deleted (migration 0010). `subscriber`, `bundle` and `plan` are copies of the
    # subscription's values at close, rows that are never deleted (PROTECT), and are not indexed either:
    # a person's orders are found through their subscriptions.
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="지자체",
        db_index=False,
        db_constraint=False,
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="orders", db_index=False, db_constraint=False
    )
    cycle = models.ForeignKey(
        DeliveryCycle, on_delete=models.PROTECT, related_name="orders", db_index=False, db_constraint=False
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.PROTECT, related_name="orders", db_index=False, db_constraint=False
    )
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False)
    bundle_name = models.CharField(max_length=80)
    cadence = models.CharField(max_length=10, choices=Cadence.choices)
    box_price_won = models.PositiveIntegerField()
    term_discount_won = models.PositiveIntegerField(default=0)
    promo_discount_won = models.PositiveIntegerField(default=0)
    shipping_fee_won = models.PositiveIntegerField(default=0)
    shipping_support_won = models.PositiveIntegerField(default=0)
    # How many boxes this order pays for (0: covered by an earlier prepaid charge) and how many of those
    # carry the promo discount. Discount, shipping and support amounts are totals over those boxes.
    boxes_charged = models.PositiveSmallIntegerField(default=1)
    promo_boxes = models.PositiveSmallIntegerField(default=0)
    amount_won = models.PositiveIntegerField()
    recipient = models.CharField(max_length=50)
    phone = models.CharField(max_length=13)
    postcode = models.CharField(max_length=5)
    road_address = models.CharField(max_length=200)
    jibun_address = models.CharField(max_length=200, blank=True)
    address_detail = models.CharField(max_length=100, blank=True)
    delivery_memo = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    paid_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    failure_code = models.CharField(max_length=60, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    action_deadline = models.DateTimeField(null=True, blank=True)
    attempts_count = models.PositiveSmallIntegerField(default=0)
    refunded_won = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("주문")
        verbose_name_plural = _("주문")
        ordering = ["-cycle__ship_date", "pk"]
        constraints = [
            # Subscription first: it doubles as the index of a subscription's orders.
            models.UniqueConstraint(fields=["subscription", "cycle", "municipality"], name="order_once_per_cycle"),
            models.CheckConstraint(
                condition=models.Q(refunded_won__lte=models.F("amount_won")), name="order_refund_cap"
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"], name="order_cycle_status"),
            # The indexes below hold no order that cycle close makes, so they cost it nothing: a new order
            # has no retry date and no payment date, and is pending (or already paid by a prepaid term).
            # Orders waiting for a dunning retry:
            models.Index(
                fields=["next_retry_at"], name="order_next_retry", condition=models.Q(next_retry_at__isnull=False)
            ),
            # A municipality's payments by date (ledger, reconciliation, recovered revenue, attribution):
            models.Index(
                fields=["municipality", "paid_at"], name="order_paid_on", condition=models.Q(paid_at__isnull=False)
            ),
            # A municipality's orders that need staff's attention (failed payments page):
            models.Index(
                fields=["municipality", "status"],
                name="order_needs_attention",
                condition=models.Q(status__in=["failed", "requires_action", "canceled"]),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.bundle_name} ({self.cycle_id})"


class BoxLine(TenantModel):
    """One product of a box as it was sold: the product, its merchant, and its name, quantity, supply
    price and tax type as they were when the cycle closed. Product and merchant rows are never deleted
    (PROTECT); the bundle's later edits change neither."""

    product = models.ForeignKey("bundles.Product", on_delete=models.PROTECT, related_name="+", db_index=False)
    merchant = models.ForeignKey("bundles.Merchant", on_delete=models.PROTECT, related_name="+", db_index=False)
    product_name = models.CharField(max_length=80)
    quantity = models.PositiveSmallIntegerField()
    supply_price_won = models.PositiveIntegerField()
    tax_type = models.CharField(max_length=10)

    class Meta:
        abstract = True


class BoxContent(BoxLine):
    """What one bundle's box holds in one cycle, snapshotted at the cycle's close: every order of that
    bundle in that cycle was sold with these products at these supply prices, however the bundle is
    edited later. Kept once per (cycle, bundle), not once per order, so closing a cycle writes a few rows
    per bundle rather than one per product of every box; an order gets its own OrderItem rows, copied from
    here, when it is paid (subscriptions.billing.contents)."""

    cycle = models.ForeignKey(DeliveryCycle, on_delete=models.PROTECT, related_name="box_contents", db_index=False)
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "bundle", "product"], name="box_content_unique_product"),
        ]


class OrderItem(BoxLine):
    """One product of one paid order's box: copied from the cycle's BoxContent when the order is paid,
    and changed afterwards only by a shortfall (delivery.shortfalls: fewer units, or a substitute)."""

    # Found through the unique constraint, which starts with the order.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "product", "municipality"], name="order_item_unique_product"),
        ]


class PaymentAttempt(TenantModel):
    """One call to the gateway for an order, recorded (with its idempotency key) before the call is made."""

    class Status(models.TextChoices):
        STARTED = "started", _("요청 중")
        SUCCEEDED = "succeeded", _("성공")
        REQUIRES_ACTION = "requires_action", _("본인 인증 필요")
        FAILED = "failed", _("실패")
        UNKNOWN = "unknown", _("결과 미확인")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    idempotency_key = models.CharField(max_length=80)
    amount_won = models.PositiveIntegerField()
    # The card this attempt charges (the subscription's card when the attempt started), for receipts.
    payment_method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, null=True, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.STARTED)
    payment_id = models.CharField(max_length=64, blank=True, db_index=True)
    decline_code = models.CharField(max_length=60, blank=True)
    message = models.CharField(max_length=300, blank=True)
    # From the billing clock: dunning counts its retry days from the first attempt's time.
    created_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "order", "number"], name="attempt_unique_number"),
            models.UniqueConstraint(fields=["municipality", "idempotency_key"], name="attempt_unique_key"),
            # At most one attempt per order may be in flight: a second worker cannot start another.
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(status__in=["started", "unknown"]), name="attempt_one_in_flight"
            ),
        ]


class PaymentReturn(TenantModel):
    """Money an attempt took for an order that no longer wanted it, given back in full automatically.

    It happens when a payment completes after its order stopped waiting for it: the order was cancelled
    (dunning ran out, the subscription ended) or another attempt had already paid it, and then the
    subscriber finishes a 3-D Secure check or a webhook of a payment thought lost arrives. The box will not
    ship twice, so the money must go back. Kept apart from Refund: a Refund returns part of what a PAID
    order cost and settlement reverses the order's posting with it; this payment was never the order's."""

    class Status(models.TextChoices):
        PENDING = "pending", _("환불 대기")
        SUCCEEDED = "succeeded", _("환불 완료")
        FAILED = "failed", _("환불 실패")

    attempt = models.ForeignKey(PaymentAttempt, on_delete=models.PROTECT, related_name="returns")
    amount_won = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    refund_id = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "municipality"], name="payment_return_once"),
            models.CheckConstraint(condition=models.Q(amount_won__gt=0), name="payment_return_positive"),
        ]

    @property
    def idempotency_key(self) -> str:
        return f"attempt-{self.attempt_id}-return"


class Refund(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("요청 중")
        SUCCEEDED = "succeeded", _("환불 완료")
        FAILED = "failed", _("실패")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    amount_won = models.PositiveIntegerField()
    reason = models.CharField(_("환불 사유"), max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    idempotency_key = models.CharField(max_length=80)
    refund_id = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # From the billing clock, like the attempts: settlement dates the refund's posting by it.
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "idempotency_key"], name="refund_unique_key"),
            models.CheckConstraint(condition=models.Q(amount_won__gt=0), name="refund_positive"),
        ]


class GatewayEvent(models.Model):
    """A webhook event as received, stored once by the gateway's event id (platform-level: the tenant is
    known only after the event is matched to an attempt)."""

    gateway = models.CharField(max_length=20, default="stripe")
    event_id = models.CharField(max_length=80)
    type = models.CharField(max_length=80)
    payment_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="gateway_event_once")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.type} {self.event_id}"
