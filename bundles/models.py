"""The catalog of one municipality: merchants, their products, bundles (꾸러미) of products, and plans."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.validators import validate_business_number
from municipalities.models import Membership
from municipalities.tenancy import TenantModel

ALL_MONTHS = 0b1111_1111_1111


class Category(models.TextChoices):
    PRODUCE = "produce", _("농산물")
    SEAFOOD = "seafood", _("수산물")
    MEAT = "meat", _("축산물")
    PROCESSED = "processed", _("가공식품")
    LIQUOR = "liquor", _("전통주")
    TEA = "tea", _("차·음료")
    CRAFT = "craft", _("공예")
    EXPERIENCE = "experience", _("체험")


class StorageClass(models.TextChoices):
    """How a product must be kept; a box ships as cold as its coldest item."""

    AMBIENT = "ambient", _("상온")
    CHILLED = "chilled", _("냉장")
    FROZEN = "frozen", _("냉동")


STORAGE_RANK = {StorageClass.AMBIENT: 0, StorageClass.CHILLED: 1, StorageClass.FROZEN: 2}


class TaxType(models.TextChoices):
    TAXABLE = "taxable", _("과세")
    EXEMPT = "exempt", _("면세")


class Merchant(TenantModel):
    class TaxStatus(models.TextChoices):
        GENERAL = "general", _("일반과세자")
        EXEMPT = "exempt", _("면세사업자")
        SIMPLIFIED = "simplified", _("간이과세자")

    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.PROTECT, related_name="merchants", verbose_name=_("지자체")
    )
    name = models.CharField(_("상호"), max_length=80)
    representative = models.CharField(_("대표자"), max_length=40)
    business_registration_number = models.CharField(
        _("사업자등록번호"), max_length=12, validators=[validate_business_number]
    )
    phone = models.CharField(_("전화번호"), max_length=20)
    address = models.CharField(_("주소"), max_length=200)
    category = models.CharField(_("분야"), max_length=20, choices=Category.choices)
    story = models.TextField(_("소개 이야기"), blank=True)
    photo = models.ImageField(_("대표 사진"), upload_to="merchants/", blank=True)
    tax_status = models.CharField(_("과세 유형"), max_length=20, choices=TaxStatus.choices, default=TaxStatus.GENERAL)
    # Payout account: shown masked to everyone but finance staff (bundles.display.merchant_bank_display).
    bank_code = models.CharField(_("은행 코드"), max_length=3, blank=True)
    account_number = models.CharField(_("계좌번호"), max_length=30, blank=True)
    account_holder = models.CharField(_("예금주"), max_length=40, blank=True)
    is_active = models.BooleanField(_("활성"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("소상공인")
        verbose_name_plural = _("소상공인")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "business_registration_number"], name="merchant_unique_brn"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("bundles:merchant", kwargs={"municipality_slug": self.municipality.slug, "merchant_id": self.pk})


class MerchantMember(TenantModel):
    """Binds a `merchant` membership to the one merchant whose portal that person uses."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="merchant_binding")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="members")

    class Meta:
        verbose_name = _("소상공인 사용자")
        verbose_name_plural = _("소상공인 사용자")


class Product(TenantModel):
    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.PROTECT, related_name="products", verbose_name=_("지자체")
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="products", verbose_name=_("소상공인")
    )
    sku = models.CharField(
        _("상품 코드"), max_length=40, help_text=_("소상공인이 쓰는 상품 코드 (CSV 가져오기의 기준)")
    )
    name = models.CharField(_("상품명"), max_length=80)
    description = models.TextField(_("설명"), blank=True)
    photo = models.ImageField(_("사진"), upload_to="products/", blank=True)
    unit = models.CharField(_("단위"), max_length=30, help_text=_("예: 500g, 1병, 10개입"))
    category = models.CharField(_("분류"), max_length=20, choices=Category.choices)
    storage_class = models.CharField(_("보관"), max_length=10, choices=StorageClass.choices)
    supply_price_won = models.PositiveIntegerField(_("공급가(원)"), help_text=_("소상공인에게 지급하는 개당 금액"))
    tax_type = models.CharField(_("과세 구분"), max_length=10, choices=TaxType.choices, default=TaxType.EXEMPT)
    stock_per_cycle = models.PositiveIntegerField(_("회차당 공급 가능 수량"), default=0)
    # Months the product is available, as a 12-bit mask: bit 0 = January … bit 11 = December.
    season_months = models.PositiveSmallIntegerField(
        _("판매 가능 월"), default=ALL_MONTHS, validators=[MinValueValidator(1), MaxValueValidator(ALL_MONTHS)]
    )
    is_active = models.BooleanField(_("판매 중"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("상품")
        verbose_name_plural = _("상품")
        ordering = ["merchant__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "merchant", "sku"], name="product_unique_sku"),
            models.CheckConstraint(
                condition=models.Q(season_months__gte=1, season_months__lte=ALL_MONTHS), name="product_season_mask"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def in_season(self, month: int) -> bool:
        return bool(self.season_months & (1 << (month - 1)))

    @property
    def months(self) -> list[int]:
        return [m for m in range(1, 13) if self.in_season(m)]


class Bundle(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("작성 중")
        PUBLISHED = "published", _("판매 중")
        RETIRED = "retired", _("판매 종료")

    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED, Status.RETIRED},
        Status.PUBLISHED: {Status.RETIRED, Status.DRAFT},
        Status.RETIRED: {Status.DRAFT},
    }

    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.PROTECT, related_name="bundles", verbose_name=_("지자체")
    )
    name = models.CharField(_("꾸러미 이름"), max_length=80)
    slug = models.SlugField(_("주소 이름"), max_length=80, allow_unicode=True)
    summary = models.CharField(_("한 줄 소개"), max_length=140)
    description = models.TextField(_("상세 설명"), blank=True)
    hero_image = models.ImageField(_("대표 이미지"), upload_to="bundles/", blank=True)
    category = models.CharField(_("분류"), max_length=20, choices=Category.choices)
    storage_class = models.CharField(
        _("보관"),
        max_length=10,
        choices=StorageClass.choices,
        default=StorageClass.AMBIENT,
        help_text=_("구성 상품 중 가장 차가운 보관 방식 (자동 계산)"),
    )
    status = models.CharField(_("상태"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(_("상태 변경일"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    featured = models.BooleanField(_("추천 (홈·키오스크)"), default=False)
    variant_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="variants",
        verbose_name=_("원본 꾸러미"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("꾸러미")
        verbose_name_plural = _("꾸러미")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="bundle_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("bundles:detail", kwargs={"municipality_slug": self.municipality.slug, "bundle_slug": self.slug})


class BundleImage(TenantModel):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="gallery")
    image = models.ImageField(_("이미지"), upload_to="bundles/gallery/")
    alt = models.CharField(_("대체 텍스트"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


class BundleItem(TenantModel):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="bundle_items")
    quantity = models.PositiveSmallIntegerField(_("수량"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("구성 상품")
        verbose_name_plural = _("구성 상품")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "bundle", "product"], name="bundle_item_unique_product"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="bundle_item_quantity_positive"),
        ]


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("매주")
    BIWEEKLY = "biweekly", _("격주")
    MONTHLY = "monthly", _("매월")


# Boxes a year per cadence, for "per month" prices (52 weeks, 26 fortnights, 12 months).
BOXES_PER_YEAR = {Cadence.WEEKLY: 52, Cadence.BIWEEKLY: 26, Cadence.MONTHLY: 12}
PREPAY_TERMS = (3, 6, 12)


class Plan(TenantModel):
    """How a bundle is sold: a cadence, a price per box, and discounts for prepaying 3/6/12 boxes."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="plans")
    cadence = models.CharField(_("배송 주기"), max_length=10, choices=Cadence.choices)
    price_won = models.PositiveIntegerField(_("1회 가격(원)"))
    shipping_fee_won = models.PositiveIntegerField(_("배송비(원)"), default=0)
    # Discounts in basis points for prepaying N boxes; 0 means that term is not offered.
    prepay_3_discount_bp = models.PositiveIntegerField(
        _("3회 선결제 할인(bp)"), default=0, validators=[MaxValueValidator(5000)]
    )
    prepay_6_discount_bp = models.PositiveIntegerField(
        _("6회 선결제 할인(bp)"), default=0, validators=[MaxValueValidator(5000)]
    )
    prepay_12_discount_bp = models.PositiveIntegerField(
        _("12회 선결제 할인(bp)"), default=0, validators=[MaxValueValidator(5000)]
    )
    allow_mid_cycle_start = models.BooleanField(_("회차 중간 시작 허용"), default=True)
    is_active = models.BooleanField(_("판매 중"), default=True)

    class Meta:
        verbose_name = _("요금제")
        verbose_name_plural = _("요금제")
        ordering = ["bundle", "cadence"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "bundle", "cadence"], name="plan_unique_cadence"),
            models.CheckConstraint(condition=models.Q(price_won__gt=0), name="plan_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle} · {self.get_cadence_display()}"

    def discount_bp(self, term: int) -> int:
        return {3: self.prepay_3_discount_bp, 6: self.prepay_6_discount_bp, 12: self.prepay_12_discount_bp}[term]

    def offered_terms(self) -> list[int]:
        return [term for term in PREPAY_TERMS if self.discount_bp(term) > 0]


class BundleEvent(TenantModel):
    """History of a bundle: every change of items, prices or status, with who and when and a snapshot."""

    class Kind(models.TextChoices):
        CREATED = "created", _("생성")
        UPDATED = "updated", _("정보 변경")
        ITEMS_CHANGED = "items_changed", _("구성 변경")
        PLAN_CHANGED = "plan_changed", _("요금 변경")
        PUBLISHED = "published", _("판매 시작")
        RETIRED = "retired", _("판매 종료")
        UNPUBLISHED = "unpublished", _("작성 중으로 전환")
        DUPLICATED = "duplicated", _("복제")

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
