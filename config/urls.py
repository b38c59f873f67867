"""Global URLs first; everything under /<municipality-slug>/ belongs to one tenant (municipalities.urls)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.media import media
from municipalities import views as municipality_views
from subscriptions.webhook_views import stripe_webhook

admin.site.site_header = "꾸러미 플랫폼 운영"
admin.site.site_title = "꾸러미 운영"

urlpatterns = [
    path("", municipality_views.platform_home, name="home"),
    path("admin/", admin.site.urls),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media, name="media"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("stripe/webhook/", stripe_webhook, name="stripe-webhook"),
    # Tenant URLs come last: their first segment is a municipality slug.
    path("<slug:municipality_slug>/", include("municipalities.urls")),
    path("<slug:municipality_slug>/", include("bundles.urls")),
    path("<slug:municipality_slug>/", include("kiosk.urls")),
    path("<slug:municipality_slug>/", include("subscriptions.urls")),
    path("<slug:municipality_slug>/", include("tourism.urls")),
    path("<slug:municipality_slug>/", include("delivery.urls")),
    path("<slug:municipality_slug>/", include("settlement.urls")),
    path("<slug:municipality_slug>/", include("notifications.urls")),
]
