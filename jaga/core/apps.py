from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jaga.core"
    label = "core"
