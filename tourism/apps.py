from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TourismConfig(AppConfig):
    name = "tourism"
    verbose_name = _("관광 쿠폰")

    def ready(self) -> None:
        from tourism.ui import register

        register()
