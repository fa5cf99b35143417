from django.apps import AppConfig


class SopConfig(AppConfig):
    name = "jaga.sop"
    label = "sop"
