from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "jaga.backups"
    label = "backups"
