from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validators import validate_business_number, validate_hex_color
from municipalities.tenancy import TenantModel

# First URL segments that belong to the platform, so no municipality can take them as its slug.
RESERVED_SLUGS = frozenset(
    {"admin", "accounts", "i18n", "static", "media", "stripe", "api", "healthz", "platform", "www"}
)


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("이 주소는 시스템에서 사용하므로 쓸 수 없습니다."), code="reserved_slug")


class Municipality(models.Model):
    """A tenant: one local government (시·군·구) running its own subscription mall."""

    class SettlementPeriod(models.TextChoices):
        MONTHLY = "monthly", _("월별")
        PER_CYCLE = "per_cycle", _("배송 회차별")

    class ShortfallPolicy(models.TextChoices):
        """Who gets the units when a merchant cannot bring enough (delivery.allocation)."""

        OLDEST_FIRST = "oldest_first", _("먼저 구독한 분부터")
        PRO_RATA = "pro_rata", _("주문 수량에 비례해서")

    name = models.CharField(_("지자체명"), max_length=50, unique=True)
    slug = models.SlugField(
        _("주소 이름"),
        max_length=40,
        unique=True,
        validators=[validate_slug_not_reserved],
        help_text=_("사이트 주소에 쓰입니다. 예: hadong → /hadong/"),
    )
    # 행정표준코드 (법정동코드 앞 5자리: 시·군·구), e.g. 48850 for 하동군.
    region_code = models.CharField(_("행정구역코드"), max_length=10)
    mall_name = models.CharField(_("몰 이름"), max_length=60)
    logo = models.ImageField(_("로고"), upload_to="municipalities/logos/", blank=True)
    brand_color = models.CharField(_("대표 색상"), max_length=7, default="#256EF4", validators=[validate_hex_color])
    contact_email = models.EmailField(_("대표 이메일"))
    contact_phone = models.CharField(_("대표 전화"), max_length=20)
    address = models.CharField(_("주소"), max_length=200)
    business_registration_number = models.CharField(
        _("사업자등록번호"),
        max_length=12,
        validators=[validate_business_number],
        help_text=_("정산서 등 문서에 표시됩니다."),
    )
    timezone = models.CharField(_("시간대"), max_length=40, default="Asia/Seoul")
    settlement_period = models.CharField(
        _("정산 주기"), max_length=20, choices=SettlementPeriod.choices, default=SettlementPeriod.MONTHLY
    )
    # Rates in basis points (1/100 of a percent) so no float ever touches money: 1000 = 10.00 %.
    commission_rate_bp = models.PositiveIntegerField(
        _("수수료율(bp)"),
        default=1000,
        validators=[MaxValueValidator(10000)],
        help_text=_("만분율. 1000 = 10.00%"),
    )
    card_fee_rate_bp = models.PositiveIntegerField(
        _("카드 수수료율(bp)"),
        default=330,
        validators=[MaxValueValidator(10000)],
        help_text=_("만분율. 330 = 3.30%"),
    )
    # Dunning: days after the first failed charge on which it is retried (comma-separated), then the box is
    # cancelled and the subscription goes past due; it is cancelled after `past_due_cancel_days` more days.
    dunning_retry_days = models.CharField(
        _("결제 재시도 일정(일)"),
        max_length=30,
        default="1,3,5",
        validators=[RegexValidator(r"^\d{1,2}(,\d{1,2}){0,5}$", _("예: 1,3,5 처럼 쉼표로 구분한 일수"))],
    )
    past_due_cancel_days = models.PositiveSmallIntegerField(_("연체 후 해지까지(일)"), default=14)
    shortfall_policy = models.CharField(
        _("상품 부족 시 배분 기준"),
        max_length=20,
        choices=ShortfallPolicy.choices,
        default=ShortfallPolicy.OLDEST_FIRST,
    )
    # Where merchants bring their products before each cycle ships (blank: the municipality's address).
    logistics_center_address = models.CharField(_("물류센터 주소"), max_length=200, blank=True)
    is_active = models.BooleanField(_("운영 중"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("지자체")
        verbose_name_plural = _("지자체")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(commission_rate_bp__lte=10000) & models.Q(card_fee_rate_bp__lte=10000),
                name="municipality_rates_at_most_100_percent",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # The tenant's root is its mall home, whichever app serves it.
        return f"/{self.slug}/"

    @property
    def dunning_schedule_days(self) -> list[int]:
        return [int(day) for day in self.dunning_retry_days.split(",") if day]


class Role(models.TextChoices):
    ADMIN = "admin", _("관리자")
    CURATOR = "curator", _("상품 기획")
    FINANCE = "finance", _("재무·정산")
    LOGISTICS = "logistics", _("물류")
    MERCHANT = "merchant", _("소상공인")
    PARTNER = "partner", _("관광 제휴처")


STAFF_ROLES = frozenset({Role.ADMIN, Role.CURATOR, Role.FINANCE, Role.LOGISTICS})
# Roles that see a person's full name, phone and address; everyone else sees them masked.
PERSONAL_DATA_ROLES = frozenset({Role.ADMIN, Role.LOGISTICS, Role.FINANCE})


class Membership(TenantModel):
    """A user's role in one municipality. A user may hold several roles, one row each."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("지자체")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("사용자")
    )
    role = models.CharField(_("역할"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("등록일"), auto_now_add=True)

    class Meta:
        verbose_name = _("소속")
        verbose_name_plural = _("소속")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "user", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} · {self.user} · {self.get_role_display()}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES


class PersonalDataAccess(TenantModel):
    """접속기록: one row each time staff open a person's full personal data (개인정보의 안전성 확보조치
    기준 제8조: 계정, 접속일시, 접속지, 처리한 정보주체, 수행업무). Rows are only ever added."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="personal_data_accesses", verbose_name=_("지자체")
    )
    accessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("열람자")
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=40)
    subject_label = models.CharField(_("정보주체"), max_length=100)
    page = models.CharField(_("화면"), max_length=300)
    purpose = models.CharField(_("수행업무"), max_length=100)
    ip_address = models.GenericIPAddressField(_("접속지"), null=True)
    accessed_at = models.DateTimeField(_("접속일시"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("개인정보 접속기록")
        verbose_name_plural = _("개인정보 접속기록")
        ordering = ["-accessed_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(purpose=""), name="personal_data_access_has_purpose"),
        ]
