from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "jaga.reports"
    label = "reports"
