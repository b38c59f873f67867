"""URLs of the delivery app, under /<municipality-slug>/ (config.urls)."""

from django.urls import path

from delivery.views import my

app_name = "delivery"

urlpatterns: list = [
    # The subscriber's boxes (the packing slip's QR code opens my-shipment)
    path("my/shipments/", my.shipment_list, name="my-shipments"),
    path("my/shipments/<int:shipment_id>/", my.shipment_detail, name="my-shipment"),
]
