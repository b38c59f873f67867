"""URLs of the settlement app, under /<municipality-slug>/ (config.urls)."""

app_name = "settlement"

urlpatterns: list = []
