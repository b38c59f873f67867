"""Tourism coupons of one municipality: partner venues, the offers they honour, and the coupons
subscribers hold and partners redeem.

The settlement app reads redemptions from here: a redeemed coupon is one with `redeemed_at` set, paid
to `redeemed_partner` (always `offer.partner`) at `offer.reimbursement_won`.
"""

from datetime import datetime
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import validate_business_number
from municipalities.models import Membership
from municipalities.tenancy import TenantModel


class Partner(TenantModel):
    """A venue that honours coupons: an attraction, a restaurant, an experience, lodging or a market."""

    class Kind(models.TextChoices):
        ATTRACTION = "attraction", _("관광지")
        RESTAURANT = "restaurant", _("맛집")
        EXPERIENCE = "experience", _("체험")
        LODGING = "lodging", _("숙박")
        MARKET = "market", _("시장")

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        related_name="tourism_partners",
        verbose_name=_("지자체"),
    )
    name = models.CharField(_("제휴처 이름"), max_length=80)
    kind = models.CharField(_("분야"), max_length=20, choices=Kind.choices)
    representative = models.CharField(_("대표자"), max_length=40, blank=True)
    business_registration_number = models.CharField(
        _("사업자등록번호"), max_length=12, validators=[validate_business_number]
    )
    address = models.CharField(_("주소"), max_length=200)
    # WGS84 degrees; six decimals is about 10 cm, more than a map link needs.
    latitude = models.DecimalField(
        _("위도"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("경도"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    hours = models.CharField(
        _("운영 시간"), max_length=120, blank=True, help_text=_("예: 매일 09:00~18:00, 월요일 휴무")
    )
    phone = models.CharField(_("전화번호"), max_length=20)
    description = models.TextField(_("소개"), blank=True)
    photo = models.ImageField(_("대표 사진"), upload_to="tourism/partners/", blank=True)
    # Payout account, as on bundles.Merchant: shown masked to everyone but finance staff.
    bank_code = models.CharField(_("은행 코드"), max_length=3, blank=True)
    account_number = models.CharField(_("계좌번호"), max_length=30, blank=True)
    account_holder = models.CharField(_("예금주"), max_length=40, blank=True)
    is_active = models.BooleanField(_("활성"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("관광 제휴처")
        verbose_name_plural = _("관광 제휴처")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "business_registration_number"], name="tourism_partner_unique_brn"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def map_url(self) -> str:
        """A map link a phone opens in its map app: by coordinates when known, else by address."""
        if self.latitude is not None and self.longitude is not None:
            return f"https://map.kakao.com/link/map/{quote(self.name)},{self.latitude},{self.longitude}"
        return f"https://map.kakao.com/link/search/{quote(self.address)}"


class PartnerMember(TenantModel):
    """Binds a `partner` membership to the one venue whose coupons that person redeems."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="partner_binding")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="members")

    class Meta:
        verbose_name = _("제휴처 사용자")
        verbose_name_plural = _("제휴처 사용자")


class Offer(TenantModel):
    """What one coupon gives. `face_value_won` is what the subscriber is told it is worth;
    `reimbursement_won` is what the municipality pays the partner for each redemption."""

    class Kind(models.TextChoices):
        FREE_ADMISSION = "free_admission", _("무료 입장")
        FIXED_DISCOUNT = "fixed_discount", _("정액 할인")
        PERCENT_DISCOUNT = "percent_discount", _("정률 할인")
        FREE_ITEM = "free_item", _("무료 제공")

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="offers", verbose_name=_("제휴처"))
    kind = models.CharField(_("혜택 종류"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("혜택 이름"), max_length=80, help_text=_("예: 한옥마을 입장권 1매"))
    face_value_won = models.PositiveIntegerField(_("혜택 가치(원)"), help_text=_("구독자에게 보이는 금액"))
    discount_percent = models.PositiveSmallIntegerField(
        _("할인율(%)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    reimbursement_won = models.PositiveIntegerField(
        _("정산 금액(원)"), help_text=_("사용 1건마다 지자체가 제휴처에 지급하는 금액")
    )
    # Either a number of days from issue, or a fixed window (both ends inclusive, Asia/Seoul dates).
    validity_days = models.PositiveSmallIntegerField(
        _("유효 기간(발급 후 일수)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    valid_from = models.DateField(_("사용 시작일"), null=True, blank=True)
    valid_until = models.DateField(_("사용 종료일"), null=True, blank=True)
    terms = models.TextField(_("이용 조건"), blank=True)
    monthly_cap = models.PositiveIntegerField(
        _("월 사용 한도(건)"), null=True, blank=True, help_text=_("비워 두면 한도 없음")
    )
    is_active = models.BooleanField(_("발급 중"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("관광 혜택")
        verbose_name_plural = _("관광 혜택")
        ordering = ["partner__name", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(validity_days__isnull=False)
                | models.Q(valid_from__isnull=False, valid_until__isnull=False),
                name="tourism_offer_has_validity",
                violation_error_message=_("발급 후 사용 일수나 사용 시작일·종료일 중 하나는 정해 주세요."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_until__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_until")),
                name="tourism_offer_window_ordered",
                violation_error_message=_("사용 종료일은 시작일과 같거나 뒤여야 합니다."),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="percent_discount")
                | models.Q(discount_percent__gte=1, discount_percent__lte=100),
                name="tourism_offer_percent_set",
                violation_error_message=_("정률 할인은 할인율(1~100%)을 입력해 주세요."),
            ),
        ]
        indexes = [models.Index(fields=["municipality", "partner"], name="tourism_offer_partner_idx")]

    def __str__(self) -> str:
        return f"{self.partner.name} · {self.title}"

    def clean(self) -> None:
        """The validity and discount rules, as messages on the fields a person fixes (the check constraints
        say the same to the database)."""
        errors: dict[str, str] = {}
        if (self.valid_from is None) != (self.valid_until is None):
            errors["valid_until"] = _("사용 기간은 시작일과 종료일을 함께 입력해 주세요.")
        elif self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            errors["valid_until"] = _("사용 종료일은 시작일과 같거나 뒤여야 합니다.")
        if not self.validity_days and not (self.valid_from and self.valid_until):
            errors["validity_days"] = _("발급 후 사용 일수나 사용 시작일·종료일 중 하나는 정해 주세요.")
        if self.kind == Offer.Kind.PERCENT_DISCOUNT and not self.discount_percent:
            errors["discount_percent"] = _("정률 할인은 할인율(1~100%)을 입력해 주세요.")
        if self.kind != Offer.Kind.PERCENT_DISCOUNT:
            self.discount_percent = None
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return reverse("tourism:staff-offer", kwargs={"municipality_slug": self.municipality.slug, "offer_id": self.pk})


class OfferAttachment(TenantModel):
    """An offer issued with every box of `bundle` (is_welcome False), or once when a subscription to
    `bundle` starts (is_welcome True)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("혜택"))
    bundle = models.ForeignKey(
        "bundles.Bundle", on_delete=models.CASCADE, related_name="tourism_attachments", verbose_name=_("꾸러미")
    )
    is_welcome = models.BooleanField(_("가입 환영 쿠폰"), default=False, help_text=_("구독 시작 때 한 번만 발급"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("꾸러미 혜택 연결")
        verbose_name_plural = _("꾸러미 혜택 연결")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "offer", "bundle", "is_welcome"], name="tourism_attachment_unique"
            ),
        ]


class Coupon(TenantModel):
    """One subscriber's right to one offer, identified by a secret `code`.

    `shipment_id` and `subscription_id` are plain integer columns, not foreign keys: shipments
    (delivery) and subscriptions (subscriptions) live on higher floors that tourism must not import.
    The unique constraints on them still make issuing exactly-once at the database level: one coupon
    per (shipment, offer) for box coupons, and one per (subscription, offer) for welcome coupons.

    A coupon is redeemed when `redeemed_at` is set; a redemption records who (`redeemed_by`, the
    partner user), when (`redeemed_at`: the moment of use, which for an offline venue is the time it
    noted, earlier than `recorded_at`) and where (`redeemed_partner`, `redeemed_place`).
    """

    class Status(models.TextChoices):
        USABLE = "usable", _("사용 가능")
        REDEEMED = "redeemed", _("사용함")
        EXPIRED = "expired", _("기한 만료")

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("혜택"))
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tourism_coupons", verbose_name=_("보유자")
    )
    shipment_id = models.BigIntegerField(_("배송 번호"), null=True, blank=True)
    subscription_id = models.BigIntegerField(_("구독 번호"), null=True, blank=True)
    # Normalised: upper case, no separators, last character the check character (tourism.codes).
    code = models.CharField(_("쿠폰 번호"), max_length=24)
    issued_at = models.DateTimeField(_("발급일시"))
    expires_at = models.DateTimeField(_("만료일시"))
    redeemed_at = models.DateTimeField(_("사용일시"), null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("사용 처리자"),
    )
    redeemed_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redeemed_coupons",
        verbose_name=_("사용 제휴처"),
    )
    redeemed_place = models.CharField(_("사용 장소"), max_length=120, blank=True)
    redemption_note = models.CharField(_("메모"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("처리 기록일시"), null=True, blank=True)

    class Meta:
        verbose_name = _("관광 쿠폰")
        verbose_name_plural = _("관광 쿠폰")
        ordering = ["expires_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="tourism_coupon_unique_code"),
            models.UniqueConstraint(
                fields=["municipality", "offer", "shipment_id"], name="tourism_coupon_once_per_shipment"
            ),
            models.UniqueConstraint(
                fields=["municipality", "offer", "subscription_id"],
                condition=models.Q(shipment_id__isnull=True),
                name="tourism_coupon_welcome_once_per_subscription",
            ),
            models.CheckConstraint(
                condition=models.Q(shipment_id__isnull=False) | models.Q(subscription_id__isnull=False),
                name="tourism_coupon_has_source",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    redeemed_at__isnull=True,
                    redeemed_by__isnull=True,
                    redeemed_partner__isnull=True,
                    recorded_at__isnull=True,
                )
                | models.Q(
                    redeemed_at__isnull=False,
                    redeemed_by__isnull=False,
                    redeemed_partner__isnull=False,
                    recorded_at__isnull=False,
                ),
                name="tourism_coupon_redemption_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("issued_at")), name="tourism_coupon_expires_after_issue"
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "redeemed_at"], name="tourism_coupon_redeemed_idx"),
            models.Index(fields=["municipality", "holder", "expires_at"], name="tourism_coupon_holder_idx"),
            models.Index(fields=["offer", "redeemed_at"], name="tourism_coupon_offer_used_idx"),
        ]

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        from tourism.codes import format_code

        return format_code(self.code)

    def status_at(self, moment: datetime) -> "Coupon.Status":
        if self.redeemed_at is not None:
            return Coupon.Status.REDEEMED
        if moment >= self.expires_at:
            return Coupon.Status.EXPIRED
        return Coupon.Status.USABLE

    @property
    def status(self) -> "Coupon.Status":
        return self.status_at(timezone.now())
