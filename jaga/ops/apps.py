from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "jaga.ops"
    label = "ops"
