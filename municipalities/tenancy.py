"""The tenant pattern every app follows.

Every tenant-owned table inherits TenantModel (a non-null `municipality`), is read through
`Model.objects.for_tenant(municipality)`, and fetched by id with `get_for_tenant_or_404`, so an id
from another municipality is a 404 that never admits the object exists. Unique constraints on such
tables include `municipality` (see ARCHITECTURE.md, Tenancy).
"""

from typing import TypeVar

from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


class TenantQuerySet(models.QuerySet):
    def for_tenant(self, municipality: "models.Model | int") -> "TenantQuerySet":
        municipality_id = municipality if isinstance(municipality, int) else municipality.pk
        return self.filter(municipality_id=municipality_id)


class TenantModel(models.Model):
    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name="지자체"
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


def get_for_tenant_or_404(queryset: "models.QuerySet[M]", *, municipality: models.Model, **lookups) -> M:
    """Fetch one object of this municipality, or raise 404 (also for another municipality's object)."""
    try:
        return queryset.filter(municipality_id=municipality.pk).get(**lookups)
    except (queryset.model.DoesNotExist, ValueError) as error:
        raise Http404(queryset.model._meta.verbose_name) from error
