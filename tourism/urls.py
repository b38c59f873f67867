"""URLs of the tourism app, under /<municipality-slug>/ (config.urls)."""

from django.urls import path

from tourism.views import partner_portal, staff, wallet

app_name = "tourism"

urlpatterns = [
    # Subscriber
    path("my/coupons/", wallet.wallet, name="wallet"),
    # Partner portal
    path("partner/", partner_portal.home, name="partner-home"),
    path("partner/redeem/", partner_portal.redeem, name="partner-redeem"),
    path("partner/c/<str:code>/", partner_portal.scan, name="partner-scan"),
    path("partner/offline/", partner_portal.offline, name="partner-offline"),
    path("partner/redemptions/", partner_portal.redemptions, name="partner-redemptions"),
    # Staff
    path("staff/tourism/", staff.report, name="staff-report"),
    path("staff/tourism/partners/", staff.partner_list, name="staff-partners"),
    path("staff/tourism/partners/new/", staff.partner_create, name="staff-partner-create"),
    path("staff/tourism/partners/<int:partner_id>/", staff.partner_edit, name="staff-partner"),
    path("staff/tourism/offers/", staff.offer_list, name="staff-offers"),
    path("staff/tourism/offers/new/", staff.offer_create, name="staff-offer-create"),
    path("staff/tourism/offers/<int:offer_id>/", staff.offer_edit, name="staff-offer"),
]
