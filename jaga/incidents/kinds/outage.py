from django.utils.translation import gettext_lazy as _

from jaga.incidents.kinds.base import IncidentKind, Resolution, Severity
from jaga.incidents.kinds.monitored import monitor_sentence

KIND = IncidentKind(
    key="outage",
    label=_("Situs tidak dapat diakses"),
    default_severity=Severity.KRITIS,
    resolution=Resolution.MONITOR,
    runbooks=("hosting-down", "domain-unpaid", "certificate-expired", "database-down"),
    diagnose=True,
    sentence=monitor_sentence,
)
