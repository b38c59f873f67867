from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.http import HttpRequest

from accounts.models import User
from core.http import client_ip
from municipalities.models import Membership, Municipality, PersonalDataAccess


@transaction.atomic
def membership_grant(*, municipality: Municipality, user: User, role: str) -> Membership:
    """Give `user` the `role` in `municipality`. Repeating the call returns the existing membership."""
    membership, _created = Membership.objects.get_or_create(municipality=municipality, user=user, role=role)
    return membership


def personal_data_access_record(
    *, request: HttpRequest, municipality: Municipality, subject: models.Model, subject_label: str, purpose: str
) -> PersonalDataAccess:
    """Write the 접속기록 row for a staff member opening `subject`'s full personal data on this page."""
    return PersonalDataAccess.objects.create(
        municipality=municipality,
        accessor=request.user,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        subject_label=subject_label[:100],
        page=request.get_full_path()[:300],
        purpose=purpose,
        ip_address=client_ip(request),
    )


@transaction.atomic
def municipality_create(*, slug: str, name: str, logo_png: bytes | None = None, **fields) -> Municipality:
    """Create a tenant (platform operators do this in Django admin; the demo does it here).

    Returns the existing municipality when `slug` is taken, so seeding twice changes nothing.
    """
    existing = Municipality.objects.select_for_update().filter(slug=slug).first()
    if existing is not None:
        return existing
    municipality = Municipality(slug=slug, name=name, **fields)
    municipality.full_clean(exclude=["logo"])
    if logo_png:
        municipality.logo.save(f"{slug}.png", ContentFile(logo_png), save=False)
    municipality.save()
    return municipality
