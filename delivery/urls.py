"""URLs of the delivery app, under /<municipality-slug>/ (config.urls)."""

from django.urls import path

from delivery.views import merchant as merchant_views
from delivery.views import my, staff_courier, staff_packing, staff_picking, staff_settings, staff_shipments

app_name = "delivery"

urlpatterns: list = [
    # The subscriber's boxes (the packing slip's QR code opens my-shipment)
    path("my/shipments/", my.shipment_list, name="my-shipments"),
    path("my/shipments/<int:shipment_id>/", my.shipment_detail, name="my-shipment"),
    path("my/shipments/<int:shipment_id>/rating/", my.shipment_rate, name="my-shipment-rate"),
    path("my/<int:subscription_id>/delivery/", my.delivery_method, name="my-delivery-method"),
    # Staff: the logistics center — cycles' boxes, printouts, courier files (delivery.views.staff_*)
    path("staff/delivery/", staff_shipments.cycle_list, name="staff-cycles"),
    path("staff/delivery/cycles/<int:cycle_id>/", staff_shipments.cycle_detail, name="staff-cycle"),
    path("staff/delivery/cycles/<int:cycle_id>/bulk/", staff_shipments.shipments_bulk, name="staff-bulk"),
    path("staff/delivery/shipments/<int:shipment_id>/", staff_shipments.shipment_detail, name="staff-shipment"),
    path("staff/delivery/cycles/<int:cycle_id>/packing/", staff_packing.packing, name="staff-packing"),
    path("staff/delivery/cycles/<int:cycle_id>/picks/", staff_packing.picks, name="staff-picks"),
    path("staff/delivery/cycles/<int:cycle_id>/slips/", staff_packing.slips, name="staff-slips"),
    path("staff/delivery/cycles/<int:cycle_id>/slips/start/", staff_packing.slips_start, name="staff-slips-start"),
    path("staff/delivery/slips/<int:batch_id>/download/", staff_packing.slips_download, name="staff-slips-download"),
    path("staff/delivery/cycles/<int:cycle_id>/courier.csv", staff_courier.courier_export, name="staff-courier-csv"),
    path("staff/delivery/tracking/", staff_courier.tracking_upload, name="staff-tracking"),
    # Staff: delivery settings (local area, methods, cold-chain days, holidays, pickup points)
    path("staff/delivery/settings/", staff_settings.settings_page, name="staff-settings"),
    path("staff/delivery/settings/holidays/", staff_settings.holiday_add, name="staff-holiday-add"),
    path(
        "staff/delivery/settings/holidays/<int:holiday_id>/delete/",
        staff_settings.holiday_delete,
        name="staff-holiday-delete",
    ),
    path("staff/delivery/pickup-points/new/", staff_settings.pickup_point_edit, name="staff-pickup-point-create"),
    path("staff/delivery/pickup-points/<int:point_id>/", staff_settings.pickup_point_edit, name="staff-pickup-point"),
    # Merchants: what to prepare, and the pick lists of closed cycles (delivery.views.merchant)
    path("merchant/prepare/", merchant_views.prepare, name="merchant-prepare"),
    path("merchant/pick-lists/", merchant_views.pick_lists, name="merchant-pick-lists"),
    path("merchant/pick-lists/<int:pick_list_id>/", merchant_views.pick_list_detail, name="merchant-pick-list"),
    path(
        "merchant/pick-lists/<int:pick_list_id>/confirm/",
        merchant_views.pick_list_confirm_view,
        name="merchant-pick-list-confirm",
    ),
    path(
        "merchant/pick-lists/<int:pick_list_id>/shortfall/",
        merchant_views.pick_list_shortfall_view,
        name="merchant-pick-list-shortfall",
    ),
    # Staff: pick lists per cycle and shortfall decisions (delivery.views.staff_picking)
    path("staff/picking/", staff_picking.cycles, name="staff-picking"),
    path("staff/picking/settings/", staff_picking.settings_update, name="staff-picking-settings"),
    path("staff/picking/cycles/<int:cycle_id>/", staff_picking.cycle_detail, name="staff-picking-cycle"),
    path(
        "staff/picking/shortfalls/<int:shortfall_id>/substitute/",
        staff_picking.substitute,
        name="staff-shortfall-substitute",
    ),
    path("staff/picking/shortfalls/<int:shortfall_id>/refund/", staff_picking.refund, name="staff-shortfall-refund"),
]
