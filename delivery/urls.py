"""URLs of the delivery app, under /<municipality-slug>/ (config.urls)."""

app_name = "delivery"

urlpatterns: list = []
