from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrafficConfig(AppConfig):
    name = "jaga.traffic"
    label = "traffic"
    verbose_name = _("Aktivitas pengunjung")

    def ready(self) -> None:
        from jaga.core.api_routers import api_router_register
        from jaga.core.demo import demo_step_register
        from jaga.core.scheduling import startup_register
        from jaga.traffic.events import traffic_event_types_register

        traffic_event_types_register()
        self._custom_rules_watch()
        self._tables_prepare_after_migrate()
        startup_register("jaga.traffic.tasks.traffic_schedules_ensure")
        api_router_register("traffic", "jaga.traffic.api.router")
        demo_step_register("traffic", "jaga.traffic.demo", label=_("Log akses pengunjung dan deteksinya"))

    def _tables_prepare_after_migrate(self) -> None:
        """Once the data folder's database is migrated, the country tables are unpacked beside the store (see
        :func:`jaga.traffic.ingest.enrich.tables_prepare`). A failure there never fails the migration: the
        first ingestion unpacks them itself, and says why it cannot."""
        from django.db.models.signals import post_migrate

        def prepare(**_kwargs: object) -> None:
            import logging

            from jaga.traffic.ingest.enrich import tables_prepare

            try:
                tables_prepare()
            except (OSError, ImportError) as exc:
                logging.getLogger(__name__).warning("country tables not prepared: %s", exc)

        post_migrate.connect(prepare, sender=self, dispatch_uid="traffic_tables_prepare", weak=False)

    @staticmethod
    def _custom_rules_watch() -> None:
        """A custom rule saved or deleted (the admin included) is in force at this process's next round."""
        from django.db.models.signals import post_delete, post_save

        from jaga.traffic.models import CustomRule

        def forget(**_kwargs: object) -> None:
            # Imported here: the rules' module brings YAML and the kinds' configurations, which a command that
            # never reads the rules (a backup, the web server's start) need not pay for.
            from jaga.traffic.detection.rules import rules_forget

            rules_forget()

        post_save.connect(forget, sender=CustomRule, dispatch_uid="traffic_custom_rule_saved", weak=False)
        post_delete.connect(forget, sender=CustomRule, dispatch_uid="traffic_custom_rule_deleted", weak=False)
