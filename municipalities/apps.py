from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = _("지자체")

    def ready(self) -> None:
        from municipalities import staff_ui
        from municipalities.models import STAFF_ROLES, Role

        staff_ui.register_nav(label=_("대시보드"), url_name="municipalities:staff-home", roles=STAFF_ROLES, order=0)
        staff_ui.register_nav(
            label=_("구성원"),
            url_name="municipalities:staff-members",
            roles=STAFF_ROLES,
            order=90,
            sections={"municipalities:staff-member"},
        )
        staff_ui.register_nav(
            label=_("개인정보 접속기록"), url_name="municipalities:staff-access-log", roles={Role.ADMIN}, order=95
        )
