from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jaga.core"
    label = "core"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from jaga.core import accounts, audit
        from jaga.core.demo import demo_step_register
        from jaga.core.notifications import event_type_register
        from jaga.core.scheduling import startup_register

        audit.connect()
        accounts.connect()
        startup_register("jaga.core.liveness.liveness_schedules_ensure")
        startup_register("jaga.core.notify_deliveries.notification_deliveries_retry_ensure")
        startup_register("jaga.core.integrity.integrity_schedule_ensure")
        event_type_register(
            "system.database_damaged",
            label=_("Basis data Jaga rusak"),
            severity="failure",
            description=_("Pemeriksaan harian SQLite (quick_check) menemukan kerusakan pada berkas basis data Jaga."),
        )
        demo_step_register("accounts", "jaga.core.demo_accounts", label=_("Token API dan jejak audit"))
