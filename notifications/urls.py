"""URLs of the notifications app, under /<municipality-slug>/ (config.urls)."""

app_name = "notifications"

urlpatterns: list = []
