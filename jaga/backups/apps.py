from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    name = "jaga.backups"
    label = "backups"
    verbose_name = _("Pencadangan")

    def ready(self) -> None:
        from jaga.backups.events import backup_event_types_register
        from jaga.core.api_routers import api_router_register
        from jaga.core.demo import demo_step_register
        from jaga.core.liveness import sweep_register
        from jaga.core.scheduling import startup_register
        from jaga.sop.tiles import tile_lines_register

        backup_event_types_register()
        api_router_register("backups", "jaga.backups.api.router")
        demo_step_register(
            "backups", "jaga.backups.demo", label=_("Repositori restic, pencadangan, latihan dan ekspor ADK")
        )
        startup_register("jaga.backups.services.backup_schedules_ensure")
        sweep_register("jaga.backups.services.backup_runs_sweep_interrupted")
        tile_lines_register(("backup",), "jaga.backups.selectors.sop_tile_lines")
