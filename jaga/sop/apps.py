from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SopConfig(AppConfig):
    name = "jaga.sop"
    label = "sop"

    def ready(self) -> None:
        from jaga.core.demo import demo_step_register
        from jaga.core.liveness import sweep_register
        from jaga.sop.keys import register_standard_keys

        register_standard_keys()
        # Ledger entries whose process died are closed as interrupted (at every worker start and every minute).
        sweep_register("jaga.sop.services.ledger_sweep_interrupted")
        demo_step_register("sop", "jaga.sop.demo", label=_("SOP dan buku log"))
