"""Delivery's models, one module per part (shipments; each later part adds its module and a line here)."""

from delivery.models.shipments import Shipment, ShipmentEvent

__all__ = ["Shipment", "ShipmentEvent"]
