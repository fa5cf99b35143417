from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "jaga.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from jaga.core.api_routers import api_router_register
        from jaga.core.demo import demo_step_register
        from jaga.core.scheduling import startup_register
        from jaga.core.sentences import finder_register
        from jaga.monitoring.reasons import _find

        # The rollup and pruning jobs exist whatever the data; each site's monitoring round is declared
        # when its first monitor is made (services.monitoring_schedules_ensure, owned by the site).
        api_router_register("monitors", "jaga.monitoring.api.router")
        finder_register(_find)  # a monitor's reason, quoted by another app (an incident), reads in every language
        startup_register("jaga.monitoring.tasks_rollups.rollup_schedules_ensure")
        demo_step_register("monitoring", "jaga.monitoring.demo", label=_("Monitor dan riwayatnya"))
        from jaga.sop.tiles import tile_lines_register

        tile_lines_register(("monitoring",), "jaga.monitoring.tiles.sop_tile_lines")
        from jaga.monitoring.events import monitoring_event_types_register

        monitoring_event_types_register()
