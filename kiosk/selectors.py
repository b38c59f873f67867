"""Reads of the kiosk app. Lists run a fixed number of queries, whatever their length."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from bundles import selectors as bundle_selectors
from bundles.models import Bundle, BundleItem
from kiosk.models import KIOSK_TAG_PREFIX, CampaignLink, Kiosk, KioskBundle, SourceVisit
from municipalities.models import Municipality
from municipalities.tenancy import get_for_tenant_or_404

# A kiosk that has not called in for this long is shown to staff as silent.
SILENT_AFTER = timedelta(minutes=10)
# The most bundles a screen rotates through, and the most it offers to browse.
LOOP_LIMIT = 30
BROWSE_LIMIT = 60


# --- The screen -------------------------------------------------------------------------------------------
def kiosk_for_screen(*, municipality: Municipality, token: str) -> Kiosk:
    """The live kiosk behind a screen URL, or 404: an unknown, re-issued or revoked token, a switched-off
    kiosk and another municipality's kiosk all look the same from outside."""
    if not token:
        raise Http404
    kiosks = Kiosk.objects.select_related("municipality").filter(is_active=True, token_revoked_at__isnull=True)
    return get_for_tenant_or_404(kiosks, municipality=municipality, token=token)


def _screen_bundles(municipality: Municipality) -> QuerySet[Bundle]:
    """Published bundles that have a price and a picture (a screen never shows a broken image), with
    their items' products prefetched."""
    items = BundleItem.objects.select_related("product").order_by("pk")
    return (
        bundle_selectors.storefront_bundles(municipality=municipality)
        .exclude(hero_image="")
        .prefetch_related(Prefetch("items", queryset=items))
    )


def kiosk_loop_bundles(*, kiosk: Kiosk) -> list[Bundle]:
    """What the attract loop rotates, in order (3 queries): the featured bundles, one category, or the
    hand-picked list in staff's order. Bundles without a picture or no longer on sale are left out."""
    bundles = _screen_bundles(kiosk.municipality)
    if kiosk.selection == Kiosk.Selection.FEATURED:
        return list(bundles.filter(featured=True)[:LOOP_LIMIT])
    if kiosk.selection == Kiosk.Selection.CATEGORY:
        return list(bundles.filter(category=kiosk.category)[:LOOP_LIMIT])
    picked = list(
        KioskBundle.objects.for_tenant(kiosk.municipality_id).filter(kiosk=kiosk).values_list("bundle_id", flat=True)
    )
    by_id = {bundle.pk: bundle for bundle in bundles.filter(pk__in=picked)}
    return [by_id[pk] for pk in picked if pk in by_id][:LOOP_LIMIT]


def kiosk_browse_bundles(*, municipality: Municipality) -> list[Bundle]:
    """Everything a visitor may browse by category on the screen (2 queries)."""
    return list(_screen_bundles(municipality).order_by("category", "-featured", "name")[:BROWSE_LIMIT])


# --- Staff ------------------------------------------------------------------------------------------------
def staff_kiosks(*, municipality: Municipality) -> QuerySet[Kiosk]:
    return Kiosk.objects.for_tenant(municipality).annotate(pick_count=Count("picks")).order_by("name", "pk")


def staff_kiosk(*, municipality: Municipality, kiosk_id: int) -> Kiosk:
    return get_for_tenant_or_404(Kiosk.objects.select_related("municipality"), municipality=municipality, pk=kiosk_id)


def kiosk_picked_bundle_ids(*, kiosk: Kiosk) -> list[int]:
    return list(KioskBundle.objects.filter(kiosk=kiosk).values_list("bundle_id", flat=True))


def kiosk_pickable_bundles(*, municipality: Municipality) -> QuerySet[Bundle]:
    """Bundles staff may pick for a screen: the published ones (only those with a picture are shown)."""
    return Bundle.objects.for_tenant(municipality).filter(status=Bundle.Status.PUBLISHED).order_by("name")


def kiosk_is_silent(kiosk: Kiosk, *, now: datetime) -> bool:
    """A kiosk that never called in, or not within SILENT_AFTER, needs someone to look at it."""
    return kiosk.last_heartbeat_at is None or now - kiosk.last_heartbeat_at > SILENT_AFTER


def campaign_links(*, municipality: Municipality) -> QuerySet[CampaignLink]:
    return CampaignLink.objects.for_tenant(municipality).select_related("created_by").order_by("-created_at", "-pk")


def campaign_link(*, municipality: Municipality, link_id: int) -> CampaignLink:
    return get_for_tenant_or_404(CampaignLink.objects.all(), municipality=municipality, pk=link_id)


def source_visit_counts(*, municipality: Municipality, since: datetime | None = None) -> dict[str, int]:
    """Visits per source tag (one GROUP BY query)."""
    visits = SourceVisit.objects.for_tenant(municipality)
    if since is not None:
        visits = visits.filter(created_at__gte=since)
    return dict(visits.order_by().values_list("source").annotate(count=Count("pk")).values_list("source", "count"))


@dataclass(frozen=True)
class SourceLabel:
    tag: str
    kind: str  # "kiosk" or "campaign"
    label: str
    place: str = ""


def source_labels(*, municipality: Municipality) -> dict[str, SourceLabel]:
    """Every kiosk's tag (`kiosk-<id>`) with its name and every campaign link's tag with its label
    (2 queries), so reports show names instead of tags."""
    labels = {
        f"{KIOSK_TAG_PREFIX}{pk}": SourceLabel(f"{KIOSK_TAG_PREFIX}{pk}", "kiosk", name, place)
        for pk, name, place in Kiosk.objects.for_tenant(municipality)
        .order_by("name", "pk")
        .values_list("pk", "name", "place")
    }
    for tag, label in CampaignLink.objects.for_tenant(municipality).order_by("label").values_list("tag", "label"):
        labels.setdefault(tag, SourceLabel(tag, "campaign", label))
    return labels
