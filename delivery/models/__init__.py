"""Delivery's models, one module per part (shipments; each later part adds its module and a line here)."""

from delivery.models.options import DeliveryHoliday, DeliveryPreference, DeliverySettings, PickupPoint
from delivery.models.picking import PickList, PickListLine, Shortfall, ShortfallEffect
from delivery.models.ratings import BoxRating
from delivery.models.shipments import Shipment, ShipmentEvent
from delivery.models.slips import SlipBatch, SlipChunk

__all__ = [
    "BoxRating",
    "DeliveryHoliday",
    "DeliveryPreference",
    "DeliverySettings",
    "PickList",
    "PickListLine",
    "PickupPoint",
    "Shortfall",
    "ShortfallEffect",
    "Shipment",
    "ShipmentEvent",
    "SlipBatch",
    "SlipChunk",
]
