"""Subscription URLs of one tenant, mounted at /<municipality_slug>/ (TenantMiddleware resolves the slug)."""

from django.urls import path

from subscriptions.views import checkout, my, staff

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
    # Staff
    path("staff/subscriptions/", staff.subscription_list, name="staff-subscriptions"),
    path("staff/subscriptions/<int:subscription_id>/", staff.subscription_timeline, name="staff-subscription"),
    path("staff/promos/", staff.promo_list, name="staff-promos"),
    path("staff/promos/new/", staff.promo_create, name="staff-promo-create"),
    path("staff/promos/<int:promo_id>/", staff.promo_detail, name="staff-promo"),
    path("staff/shipping-support/", staff.support_list, name="staff-support"),
    path("staff/shipping-support/new/", staff.support_create, name="staff-support-create"),
]
