"""What the logistics staff pages share: who may open them, fetching a cycle of this municipality, and
the 접속기록 of subscribers whose personal data a page or a download shows."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest

from core import privacy
from core.http import client_ip
from municipalities.models import PersonalDataAccess, Role
from municipalities.permissions import roles_required
from municipalities.tenancy import get_for_tenant_or_404
from subscriptions.models import DeliveryCycle, Subscriber

LOGISTICS_ROLES = frozenset({Role.ADMIN, Role.LOGISTICS})
logistics_required = roles_required(LOGISTICS_ROLES)


def closed_cycle(request: HttpRequest, cycle_id: int) -> DeliveryCycle:
    """A closed cycle of this municipality (only closed cycles have boxes); anything else is a 404."""
    return get_for_tenant_or_404(
        DeliveryCycle.objects.filter(status=DeliveryCycle.Status.CLOSED),
        municipality=request.municipality,
        pk=cycle_id,
    )


def subscribers_access_record(request: HttpRequest, *, subscribers: Iterable[tuple[int, str]], purpose: str) -> int:
    """One 접속기록 row per subscriber (id, name) whose full data this request shows or exports, written
    in one INSERT whatever their number (as municipalities.services.personal_data_access_record writes
    one). Returns how many rows were written."""
    municipality = request.municipality
    subject_type = ContentType.objects.get_for_model(Subscriber)
    page, ip_address = request.get_full_path()[:300], client_ip(request)
    rows = [
        PersonalDataAccess(
            municipality=municipality,
            accessor=request.user,
            subject_type=subject_type,
            subject_id=str(pk),
            subject_label=f"{privacy.mask_name(name)} (#{pk})"[:100],
            page=page,
            purpose=purpose,
            ip_address=ip_address,
        )
        for pk, name in dict(subscribers).items()
    ]
    PersonalDataAccess.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
