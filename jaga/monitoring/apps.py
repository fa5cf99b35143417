from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "jaga.monitoring"
    label = "monitoring"
