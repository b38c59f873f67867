from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = _("배송")

    def ready(self) -> None:
        from delivery.options_ui import register as register_options

        register_options()

        from delivery.picking_ui import register as register_picking

        register_picking()

        from delivery.logistics_ui import register as register_logistics

        register_logistics()
