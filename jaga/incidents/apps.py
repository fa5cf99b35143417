from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "jaga.incidents"
    label = "incidents"
