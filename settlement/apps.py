from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    name = "settlement"
    verbose_name = _("정산")

    def ready(self) -> None:
        from settlement import tasks_pdf  # noqa: F401 - registers the PDF tasks with Celery workers
        from settlement.staff_widgets import register

        register()
