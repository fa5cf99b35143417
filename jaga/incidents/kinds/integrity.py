from django.utils.translation import gettext_lazy as _

from jaga.incidents.kinds.base import IncidentKind, Resolution, Severity
from jaga.incidents.kinds.monitored import monitor_sentence

# A defacement is the court's face to the public: as severe as an outage.
KIND = IncidentKind(
    key="integrity",
    label=_("Temuan integritas"),
    default_severity=Severity.TINGGI,
    resolution=Resolution.CAUSE,
    runbooks=("defacement-spam", "cms-admin-compromised"),
    severity_rules=(("codes", "defacement", Severity.KRITIS),),
    sentence=monitor_sentence,
)
