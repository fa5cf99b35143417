from django.apps import AppConfig


class TrafficConfig(AppConfig):
    name = "jaga.traffic"
    label = "traffic"
