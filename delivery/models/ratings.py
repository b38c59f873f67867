"""The subscriber's rating of one delivered box (1–5, with an optional comment)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from delivery.models.shipments import Shipment
from municipalities.tenancy import TenantModel
from subscriptions import clock


class BoxRating(TenantModel):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField(_("별점"))
    comment = models.CharField(_("한마디"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        verbose_name = _("상자 평가")
        verbose_name_plural = _("상자 평가")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "shipment"], name="box_rating_once"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="box_rating_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.score}"
