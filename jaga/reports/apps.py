from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "jaga.reports"
    label = "reports"
    verbose_name = _("Laporan")

    def ready(self) -> None:
        from jaga.core.api_routers import api_router_register
        from jaga.core.demo import demo_step_register
        from jaga.core.liveness import sweep_register
        from jaga.core.scheduling import startup_register
        from jaga.reports.events import report_event_types_register

        report_event_types_register()
        api_router_register("reports", "jaga.reports.api.router")
        startup_register("jaga.reports.delivery.reminder_schedules_ensure")
        startup_register("jaga.reports.scheduled.report_schedules_ensure")
        sweep_register("jaga.reports.packs.evidence_packs_sweep_interrupted")
        demo_step_register(
            "reports", "jaga.reports.demo", label=_("Laporan situasi yang dikirim dan paket bukti akreditasi")
        )
