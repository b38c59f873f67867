"""Telling subscribers their box has left or arrived, through the notification service (one message per
box and event: the event key makes a repeated call send nothing)."""

from collections.abc import Iterable

from delivery.links import shipment_status_url, tracking_url
from delivery.models import Shipment
from municipalities.models import Municipality
from notifications.services import Recipient, notify_many

SHIPPED = "shipped"
DELIVERED = "delivered"


def shipments_notify(*, municipality: Municipality, kind: str, shipment_ids: Iterable[int]) -> None:
    """Send the `kind` ("shipped" or "delivered") notice of each shipment of `municipality` in
    `shipment_ids` to its subscriber, with the box's status page as the link (and for "shipped" the
    courier's tracking page). One query here plus notify_many's two, whatever the number; sending
    happens after the caller's transaction commits."""
    ids = list(shipment_ids)
    if not ids:
        return
    shipments = (
        Shipment.objects.filter(municipality_id=municipality.pk, pk__in=ids)
        .select_related("order__subscriber__user")
        .order_by("pk")
    )
    messages = []
    for shipment in shipments:
        subscriber = shipment.order.subscriber
        context = {"bundle": shipment.order.bundle_name}
        if kind == SHIPPED:
            context |= {
                "courier": shipment.courier or str(Shipment.Method(shipment.method).label),
                "tracking_number": shipment.tracking_number,
                "tracking_url": tracking_url(shipment.courier, shipment.tracking_number),
            }
        recipient = Recipient(
            user_id=subscriber.user_id,
            name=subscriber.name,
            email=subscriber.user.email,
            phone=subscriber.phone or subscriber.user.phone,
        )
        link = shipment_status_url(municipality_slug=municipality.slug, shipment_id=shipment.pk)
        messages.append((recipient, f"shipment-{shipment.pk}-{kind}", context, link))
    notify_many(municipality=municipality, kind=kind, messages=messages)
