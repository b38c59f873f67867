"""Where subscribers come from: per `?src=` tag, the visits it brought (kiosk.SourceVisit), the
subscriptions started with it (Subscription.source) and what those subscriptions have paid since.

Kiosks (`kiosk-<id>`) are shown by name and campaign links by label; other tags as they are. The report
runs a fixed number of queries whatever the number of tags: three GROUP BY queries (visits, subscriptions,
paid orders) and two for the names (kiosk.selectors.source_labels).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Sum

from core.money import format_bp_percent
from kiosk import selectors as kiosk_selectors
from municipalities.models import Municipality
from subscriptions.models import Order, Subscription

KIND_ORDER = {"kiosk": 0, "campaign": 1, "other": 2}


@dataclass(frozen=True)
class SourceRow:
    source: str
    kind: str  # "kiosk", "campaign" or "other"
    label: str
    place: str
    visits: int
    subscriptions: int
    revenue_won: int  # PAID orders of those subscriptions, in won

    @property
    def conversion_bp(self) -> int | None:
        """Subscriptions per visit in basis points (integer arithmetic); None without visits."""
        return self.subscriptions * 10000 // self.visits if self.visits else None

    @property
    def conversion_text(self) -> str:
        return format_bp_percent(self.conversion_bp) if self.conversion_bp is not None else "-"


def attribution_report(*, municipality: Municipality, since: datetime | None = None) -> list[SourceRow]:
    """One row per source tag: every kiosk and campaign link of the municipality (even without a visit),
    and any other tag that brought a visit or a subscription. `since` limits the visits and the
    subscriptions counted to those from that moment; revenue is everything those subscriptions have paid.
    Kiosks first, then campaign links, then other tags; within each, most visits first."""
    visits = kiosk_selectors.source_visit_counts(municipality=municipality, since=since)

    subscriptions = Subscription.objects.for_tenant(municipality).exclude(source="")
    if since is not None:
        subscriptions = subscriptions.filter(created_at__gte=since)
    started = dict(subscriptions.order_by().values("source").annotate(count=Count("pk")).values_list("source", "count"))

    orders = Order.objects.for_tenant(municipality).filter(status=Order.Status.PAID).exclude(subscription__source="")
    if since is not None:
        orders = orders.filter(subscription__created_at__gte=since)
    revenue = dict(
        orders.order_by()
        .values("subscription__source")
        .annotate(won=Sum("amount_won"))
        .values_list("subscription__source", "won")
    )

    labels = kiosk_selectors.source_labels(municipality=municipality)
    rows = []
    for tag in {*labels, *visits, *started}:
        known = labels.get(tag)
        rows.append(
            SourceRow(
                source=tag,
                kind=known.kind if known else "other",
                label=known.label if known else tag,
                place=known.place if known else "",
                visits=visits.get(tag, 0),
                subscriptions=started.get(tag, 0),
                revenue_won=revenue.get(tag) or 0,
            )
        )
    rows.sort(key=lambda row: (KIND_ORDER[row.kind], -row.visits, -row.subscriptions, row.label))
    return rows
