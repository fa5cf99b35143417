from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "jaga.incidents"
    label = "incidents"
    verbose_name = _("Insiden")

    def ready(self) -> None:
        from jaga.core.scheduling import startup_register
        from jaga.incidents import receivers
        from jaga.monitoring.signals import monitor_status_changed

        monitor_status_changed.connect(receivers.on_monitor_status_changed, dispatch_uid="incidents.monitor")
        startup_register("jaga.incidents.tasks.incident_schedules_ensure")
