from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KioskConfig(AppConfig):
    name = "kiosk"
    verbose_name = _("전시장 키오스크")

    def ready(self) -> None:
        from kiosk.staff_widgets import register

        register()
