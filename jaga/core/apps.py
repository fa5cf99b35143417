from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jaga.core"
    label = "core"

    def ready(self) -> None:
        from jaga.core import accounts, audit

        audit.connect()
        accounts.connect()
