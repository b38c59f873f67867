from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BundlesConfig(AppConfig):
    name = "bundles"
    verbose_name = _("상품·꾸러미")

    def ready(self) -> None:
        from bundles.staff_widgets import register

        register()
