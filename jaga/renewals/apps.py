from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenewalsConfig(AppConfig):
    name = "jaga.renewals"
    label = "renewals"
    verbose_name = _("Perpanjangan")

    def ready(self) -> None:
        from jaga.core.api_routers import api_router_register
        from jaga.core.demo import demo_step_register
        from jaga.core.scheduling import startup_register
        from jaga.renewals.events import renewal_event_types_register

        renewal_event_types_register()
        api_router_register("renewals", "jaga.renewals.api.router")
        # Each institution's daily run exists once it has a register (declared again at every start).
        startup_register("jaga.renewals.services.daily.renewal_schedules_ensure")
        from jaga.sop.tiles import tile_lines_register

        tile_lines_register(("renewal",), "jaga.renewals.selectors.sop_tile_lines")
        demo_step_register("renewals", "jaga.renewals.demo", label=_("Register perpanjangan dan kasusnya"))
