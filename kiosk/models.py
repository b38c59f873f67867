"""Showcase kiosks (전시장 키오스크), the visits that `?src=` links bring, and staff's campaign links.

A kiosk is an unattended screen opened at a secret URL (`/<slug>/kiosk/<token>/`): no login, nothing
private on it. Each bundle it shows carries a QR code to the subscribe page tagged `?src=kiosk-<id>`;
banners and SNS posts carry staff-made campaign tags. Every tagged page view is one SourceVisit (no
personal data: a keyed hash of the session key, never an address or a user), and a subscription started
from it records the tag in `Subscription.source`, so staff can compare scans with subscriptions.
"""

import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bundles.models import Bundle, Category
from municipalities.tenancy import TenantModel

SOURCE_TAG_PATTERN = r"[A-Za-z0-9_-]{1,60}"
SOURCE_TAG_RE = re.compile(SOURCE_TAG_PATTERN)
KIOSK_TAG_PREFIX = "kiosk-"
validate_source_tag = RegexValidator(
    rf"^{SOURCE_TAG_PATTERN}\Z", _("영문, 숫자, 하이픈(-), 밑줄(_)로 60자까지 쓸 수 있습니다."), code="invalid_tag"
)


class Kiosk(TenantModel):
    class Orientation(models.TextChoices):
        LANDSCAPE = "landscape", _("가로 화면")
        PORTRAIT = "portrait", _("세로 화면")

    class Selection(models.TextChoices):
        FEATURED = "featured", _("추천 꾸러미")
        CATEGORY = "category", _("한 분류의 꾸러미")
        HAND_PICKED = "hand_picked", _("직접 고른 꾸러미")

    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.PROTECT, related_name="kiosks", verbose_name=_("지자체")
    )
    name = models.CharField(_("키오스크 이름"), max_length=60)
    place = models.CharField(_("설치 장소"), max_length=100, help_text=_("예: 하동군청 1층 로비"))
    orientation = models.CharField(
        _("화면 방향"), max_length=10, choices=Orientation.choices, default=Orientation.LANDSCAPE
    )
    selection = models.CharField(
        _("보여 줄 꾸러미"), max_length=12, choices=Selection.choices, default=Selection.FEATURED
    )
    category = models.CharField(_("분류"), max_length=20, choices=Category.choices, blank=True)
    bundles = models.ManyToManyField(
        Bundle, through="KioskBundle", blank=True, related_name="+", verbose_name=_("고른 꾸러미")
    )
    rotation_seconds = models.PositiveSmallIntegerField(
        _("넘김 간격(초)"), default=12, validators=[MinValueValidator(3), MaxValueValidator(120)]
    )
    idle_seconds = models.PositiveSmallIntegerField(
        _("자동 복귀(초)"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(600)],
        help_text=_("손님이 둘러보다 이 시간 동안 손대지 않으면 처음 화면으로 돌아갑니다."),
    )
    # The secret of the screen's URL (secrets.token_urlsafe(32): 43 characters, 256 bits). Re-issuing
    # replaces it, so the old URL is a 404 from then on; revoking leaves no working URL at all.
    token = models.CharField(max_length=64, editable=False)
    token_issued_at = models.DateTimeField(_("주소 발급일"))
    token_revoked_at = models.DateTimeField(_("주소 폐기일"), null=True, blank=True)
    is_active = models.BooleanField(_("사용 중"), default=True)
    last_heartbeat_at = models.DateTimeField(_("마지막 연결"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("등록일"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("키오스크")
        verbose_name_plural = _("키오스크")
        ordering = ["name", "pk"]
        constraints = [
            # Unique with the municipality, as every tenant table's constraints are (ARCHITECTURE.md, Tenancy);
            # the screen is looked up by (municipality, token), which this index serves.
            models.UniqueConstraint(fields=["municipality", "token"], name="kiosk_unique_token"),
            models.CheckConstraint(
                condition=~models.Q(selection="category") | ~models.Q(category=""), name="kiosk_category_chosen"
            ),
            models.CheckConstraint(
                condition=models.Q(rotation_seconds__gte=3) & models.Q(idle_seconds__gte=10),
                name="kiosk_timings_sane",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The screen's URL (`/<slug>/kiosk/<token>/`), which works only while the token is live."""
        return reverse("kiosk:screen", kwargs={"municipality_slug": self.municipality.slug, "token": self.token})

    @property
    def source_tag(self) -> str:
        return f"{KIOSK_TAG_PREFIX}{self.pk}"

    @property
    def is_live(self) -> bool:
        return self.is_active and self.token_revoked_at is None


class KioskBundle(TenantModel):
    """A bundle staff picked for a kiosk, in the order it is shown."""

    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="picks")
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kiosk", "bundle"], name="kiosk_bundle_unique"),
        ]


class SourceVisit(TenantModel):
    """One page view that arrived with `?src=<tag>` (a kiosk QR scan, a campaign link), counted at most
    once per session, tag and hour. Holds no personal data: the session key is kept only as a keyed hash
    (to tell visitors apart in analysis), with the path of the page and the time."""

    source = models.CharField(_("유입 경로"), max_length=60)
    path = models.CharField(_("페이지"), max_length=300)
    session_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("방문 일시"))

    class Meta:
        verbose_name = _("유입 방문")
        verbose_name_plural = _("유입 방문")
        indexes = [models.Index(fields=["municipality", "source", "created_at"], name="source_visit_by_source")]


class CampaignLink(TenantModel):
    """A `?src=` tag staff made for a banner, an SNS post or a pamphlet, with the page it opens."""

    tag = models.CharField(_("유입 태그"), max_length=60, validators=[validate_source_tag])
    label = models.CharField(_("이름"), max_length=80, help_text=_("예: 11월 군청 소식지, 인스타그램 게시물"))
    target_path = models.CharField(_("여는 페이지"), max_length=600)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("만든 날"), auto_now_add=True)

    class Meta:
        verbose_name = _("캠페인 링크")
        verbose_name_plural = _("캠페인 링크")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "tag"], name="campaign_link_unique_tag"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def url(self) -> str:
        """The full address to print or post: the target page with `?src=<tag>`."""
        return f"{settings.SITE_URL}{self.target_path}?src={self.tag}"
