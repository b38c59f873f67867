from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from municipalities.models import Membership, Municipality, PersonalDataAccess
from municipalities.tenancy import get_for_tenant_or_404


def municipality_get_active(*, slug: str) -> Municipality:
    return get_object_or_404(Municipality, slug=slug, is_active=True)


def municipality_list_active() -> QuerySet[Municipality]:
    return Municipality.objects.filter(is_active=True).order_by("name")


def membership_roles(*, user: User, municipality: Municipality) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    return frozenset(Membership.objects.for_tenant(municipality).filter(user=user).values_list("role", flat=True))


def membership_list(*, municipality: Municipality) -> QuerySet[Membership]:
    return Membership.objects.for_tenant(municipality).select_related("user").order_by("role", "user__name", "pk")


def membership_get(*, municipality: Municipality, membership_id: int) -> Membership:
    return get_for_tenant_or_404(Membership.objects.select_related("user"), municipality=municipality, pk=membership_id)


def user_memberships(*, user: User) -> QuerySet[Membership]:
    """The places a signed-in person works in, for their account page."""
    return (
        Membership.objects.filter(user=user, municipality__is_active=True)
        .select_related("municipality")
        .order_by("municipality__name", "role")
    )


def personal_data_access_list(*, municipality: Municipality) -> QuerySet[PersonalDataAccess]:
    return PersonalDataAccess.objects.for_tenant(municipality).select_related("accessor")
