from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "jaga.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from jaga.monitoring.events import monitoring_event_types_register

        monitoring_event_types_register()
