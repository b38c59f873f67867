"""Kiosk URLs of one tenant, mounted at /<municipality_slug>/ (TenantMiddleware resolves the slug)."""

from django.urls import path

from kiosk.views import screen, staff

app_name = "kiosk"

urlpatterns = [
    # The screen (no login: the token in the URL is the secret)
    path("kiosk/<str:token>/", screen.screen, name="screen"),
    path("kiosk/<str:token>/content.json", screen.content_json, name="content"),
    path("kiosk/<str:token>/heartbeat/", screen.heartbeat, name="heartbeat"),
    path("kiosk/<str:token>/sw.js", screen.service_worker, name="service-worker"),
    # Staff
    path("staff/kiosks/", staff.kiosk_list, name="staff-kiosks"),
    path("staff/kiosks/new/", staff.kiosk_create, name="staff-kiosk-create"),
    path("staff/kiosks/<int:kiosk_id>/", staff.kiosk_edit, name="staff-kiosk"),
    path("staff/kiosks/<int:kiosk_id>/reissue/", staff.kiosk_reissue, name="staff-kiosk-reissue"),
    path("staff/kiosks/<int:kiosk_id>/revoke/", staff.kiosk_revoke, name="staff-kiosk-revoke"),
    path("staff/kiosks/campaigns/", staff.campaign_list, name="staff-campaigns"),
    path("staff/kiosks/campaigns/<int:link_id>/", staff.campaign_detail, name="staff-campaign"),
    path("staff/kiosks/campaigns/<int:link_id>/qr.png", staff.campaign_qr_png, name="staff-campaign-qr"),
]
