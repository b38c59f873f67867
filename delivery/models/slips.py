"""Packing slips of a cycle: one PDF, one page per box, rendered in parallel chunks and merged.

A SlipBatch is one request for a cycle's slips. Its boxes are fixed when it starts (`SlipChunk.shipment_ids`),
so a box added later never shifts the pages of a render in flight; each chunk is rendered by its own
Celery task into storage, and the last chunk to finish queues the merge into one file.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from municipalities.tenancy import TenantModel
from subscriptions import clock
from subscriptions.models import DeliveryCycle


class SlipBatch(TenantModel):
    class Status(models.TextChoices):
        RENDERING = "rendering", _("만드는 중")
        MERGING = "merging", _("합치는 중")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")

    class Paper(models.TextChoices):
        A4 = "A4", _("A4")
        A5 = "A5", _("A5")

    ACTIVE = (Status.RENDERING, Status.MERGING)

    cycle = models.ForeignKey(DeliveryCycle, on_delete=models.PROTECT, related_name="+", verbose_name=_("배송 회차"))
    paper = models.CharField(_("용지"), max_length=2, choices=Paper.choices, default=Paper.A5)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.RENDERING)
    total = models.PositiveIntegerField(_("상자 수"), default=0)
    done = models.PositiveIntegerField(_("만든 상자 수"), default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    # Relative to the default storage (MEDIA_ROOT); served to staff only through a view, never as public media.
    file = models.CharField(max_length=300, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.CharField(_("오류"), max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("송장 묶음")
        verbose_name_plural = _("송장 묶음")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["municipality", "cycle", "status"])]

    def __str__(self) -> str:
        return f"송장 묶음 #{self.pk} ({self.cycle_id})"

    @property
    def progress_percent(self) -> int:
        return 100 * self.done // self.total if self.total else 100


class SlipChunk(TenantModel):
    """One part of a batch: the boxes one task renders, in page order, and where its PDF was written."""

    batch = models.ForeignKey(SlipBatch, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    shipment_ids = models.JSONField(default=list)
    file = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "index"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "batch", "index"], name="slip_chunk_once_per_index"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.index}"
