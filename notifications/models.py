"""Messages sent to people, and the channels each person chose.

A Message is both the outbox and the log: one row per (event, channel), unique on
(municipality, channel, event_key), so the database refuses a second message for the same event.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipalities.tenancy import TenantModel


class Kind(models.TextChoices):
    CYCLE_REMINDER = "cycle_reminder", _("변경 마감 안내")
    PAYMENT_SUCCEEDED = "payment_succeeded", _("결제 완료")
    PAYMENT_ACTION_REQUIRED = "payment_action_required", _("카드 본인 인증 요청")
    PAYMENT_FAILED_WILL_RETRY = "payment_failed_will_retry", _("결제 실패(재시도 예정)")
    PAYMENT_FAILED_FINAL = "payment_failed_final", _("결제 실패(회차 취소)")
    SHIPPED = "shipped", _("발송")
    DELIVERED = "delivered", _("배송 완료")
    COUPON_ISSUED = "coupon_issued", _("쿠폰 발급")
    SHORTFALL_SUBSTITUTED = "shortfall_substituted", _("대체 상품 안내")
    SHORTFALL_REFUNDED = "shortfall_refunded", _("결품 환불 안내")


class Channel(models.TextChoices):
    EMAIL = "email", _("이메일")
    # 알림톡 with the provider's SMS fallback (the usual Korean set-up): one channel to the phone.
    SMS = "sms", _("알림톡·문자")


class NotificationPreference(TenantModel):
    """The channels a person chose in one municipality. No row means the defaults (both on)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email_enabled = models.BooleanField(_("이메일로 받기"), default=True)
    sms_enabled = models.BooleanField(_("알림톡·문자로 받기"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("알림 수신 설정")
        verbose_name_plural = _("알림 수신 설정")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "user"], name="notification_preference_unique_user")
        ]


class Message(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("대기")
        # Claimed by a worker that is handing it to the channel; never claimed twice (at most once).
        SENDING = "sending", _("발송 중")
        SENT = "sent", _("발송됨")
        FAILED = "failed", _("실패")

    # Null only when the account was deleted later: the log outlives it.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(_("종류"), max_length=40, choices=Kind.choices)
    channel = models.CharField(_("채널"), max_length=10, choices=Channel.choices)
    event_key = models.CharField(_("이벤트 키"), max_length=200)
    recipient_name = models.CharField(_("받는 분"), max_length=50)
    address = models.CharField(_("수신처"), max_length=254)
    subject = models.CharField(_("제목"), max_length=200)
    body = models.TextField(_("내용"))
    link = models.URLField(_("링크"), max_length=500, blank=True)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.PENDING)
    provider_ref = models.CharField(_("발송 참조"), max_length=200, blank=True)
    error = models.TextField(_("오류"), blank=True)
    # The notify call that inserted the row: tells that call which rows were new (see services).
    batch = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    created_at = models.DateTimeField(_("생성"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("발송 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("알림 메시지")
        verbose_name_plural = _("알림 메시지")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "channel", "event_key"], name="notification_message_unique_event"
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "user", "-created_at"], name="notif_msg_user_recent"),
            models.Index(fields=["municipality", "-created_at"], name="notif_msg_recent"),
            models.Index(fields=["status", "created_at"], name="notif_msg_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.get_channel_display()} ({self.get_status_display()})"
