from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "jaga.incidents"
    label = "incidents"
    verbose_name = _("Insiden")

    def ready(self) -> None:
        from jaga.core.api_routers import api_router_register
        from jaga.core.demo import demo_step_register
        from jaga.core.liveness import sweep_register
        from jaga.core.scheduling import startup_register
        from jaga.incidents import receivers
        from jaga.incidents.events import incident_event_types_register
        from jaga.monitoring.engine.errands import probe_errand_register
        from jaga.monitoring.public_sections import public_section_register
        from jaga.monitoring.signals import monitor_status_changed
        from jaga.sop.tiles import tile_lines_register

        incident_event_types_register()
        api_router_register("incidents", "jaga.incidents.api.router")
        monitor_status_changed.connect(receivers.on_monitor_status_changed, dispatch_uid="incidents.monitor")
        startup_register("jaga.incidents.tasks.incident_schedules_ensure")
        # First response from every live probe; a request none answered in time is marked so on the timeline.
        probe_errand_register("incidents.diagnose", "jaga.incidents.probe_errand.ERRAND")
        sweep_register("jaga.incidents.services.diagnostics.diagnostic_requests_expire")
        public_section_register(
            "incidents", template="incidents/_public_status.html",
            context="jaga.incidents.selectors.public_status_section",
        )  # fmt: skip
        demo_step_register("incidents", "jaga.incidents.demo", label=_("Insiden, vendor dan tinjauannya"))
        tile_lines_register(("incident_action", "troubleshooting"), "jaga.incidents.selectors.sop_tile_lines")
