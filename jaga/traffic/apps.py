from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrafficConfig(AppConfig):
    name = "jaga.traffic"
    label = "traffic"
    verbose_name = _("Aktivitas pengunjung")

    def ready(self) -> None:
        from jaga.core.api_routers import api_router_register
        from jaga.core.demo import demo_step_register
        from jaga.core.scheduling import startup_register
        from jaga.traffic.events import traffic_event_types_register

        traffic_event_types_register()
        startup_register("jaga.traffic.tasks.traffic_schedules_ensure")
        api_router_register("traffic", "jaga.traffic.api.router")
        demo_step_register("traffic", "jaga.traffic.demo", label=_("Log akses pengunjung dan deteksinya"))
