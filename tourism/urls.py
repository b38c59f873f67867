"""URLs of the tourism app, under /<municipality-slug>/ (config.urls)."""

app_name = "tourism"

urlpatterns: list = []
