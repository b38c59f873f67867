"""Subscription URLs of one tenant, mounted at /<municipality_slug>/ (TenantMiddleware resolves the slug)."""

from django.urls import path

from subscriptions.views import billing_staff, checkout, my, orders, staff
from subscriptions.views.attribution import staff_attribution

app_name = "subscriptions"

urlpatterns = [
    # Checkout
    path("subscribe/<str:bundle_slug>/", checkout.checkout, name="checkout"),
    path("subscribe/<str:bundle_slug>/quote/", checkout.quote_partial, name="checkout-quote"),
    path("card/setup/", checkout.card_setup, name="card-setup"),
    # The subscriber's own pages (내 구독)
    path("my/", my.subscription_list, name="my-list"),
    path("my/<int:subscription_id>/", my.subscription_detail, name="my-detail"),
    path("my/<int:subscription_id>/skip/", my.skip, name="my-skip"),
    path("my/<int:subscription_id>/unskip/", my.unskip, name="my-unskip"),
    path("my/<int:subscription_id>/pause/", my.pause, name="my-pause"),
    path("my/<int:subscription_id>/resume/", my.resume, name="my-resume"),
    path("my/<int:subscription_id>/change/", my.change_plan, name="my-change-plan"),
    path("my/<int:subscription_id>/address/", my.change_address, name="my-change-address"),
    path("my/<int:subscription_id>/card/", my.change_card, name="my-change-card"),
    path("my/<int:subscription_id>/cancel/", my.cancel, name="my-cancel"),
    path("my/<int:subscription_id>/reactivate/", my.reactivate, name="my-reactivate"),
    # The subscriber's orders: receipts, failed payments, 3-D Secure
    path("my/orders/", orders.order_list, name="my-orders"),
    path("my/orders/<int:order_id>/", orders.order_detail, name="my-order"),
    path("my/orders/<int:order_id>/receipt.pdf", orders.order_receipt_pdf, name="my-order-receipt"),
    path("my/orders/<int:order_id>/retry/", orders.order_retry, name="my-order-retry"),
    path("my/orders/<int:order_id>/authenticate/", orders.order_authenticate, name="my-order-authenticate"),
    # Staff: billing
    path("staff/cycles/", billing_staff.cycle_list, name="staff-cycles"),
    path("staff/cycles/<int:cycle_id>/", billing_staff.cycle_detail, name="staff-cycle"),
    path("staff/cycles/<int:cycle_id>/ship-date/", billing_staff.cycle_ship_date, name="staff-cycle-ship-date"),
    path("staff/cycles/<int:cycle_id>/close/", billing_staff.cycle_close_now, name="staff-cycle-close"),
    path("staff/payments/failed/", billing_staff.failed_payments, name="staff-failed-payments"),
    path("staff/orders/<int:order_id>/", billing_staff.order_detail, name="staff-order"),
    path("staff/orders/<int:order_id>/refund/", billing_staff.order_refund_create, name="staff-order-refund"),
    # Staff
    path("staff/subscriptions/", staff.subscription_list, name="staff-subscriptions"),
    path("staff/subscriptions/<int:subscription_id>/", staff.subscription_timeline, name="staff-subscription"),
    path("staff/promos/", staff.promo_list, name="staff-promos"),
    path("staff/promos/new/", staff.promo_create, name="staff-promo-create"),
    path("staff/promos/<int:promo_id>/", staff.promo_detail, name="staff-promo"),
    path("staff/shipping-support/", staff.support_list, name="staff-support"),
    path("staff/shipping-support/new/", staff.support_create, name="staff-support-create"),
    path("staff/attribution/", staff_attribution, name="staff-attribution"),
]
