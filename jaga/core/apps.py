from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jaga.core"
    label = "core"

    def ready(self) -> None:
        from jaga.core import audit
        from jaga.core.scheduling import startup_register

        audit.connect()
        startup_register("jaga.core.liveness.liveness_schedules_ensure")
        startup_register("jaga.core.notify_deliveries.notification_deliveries_retry_ensure")
