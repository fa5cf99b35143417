from django.utils.translation import gettext_lazy as _

from jaga.incidents.kinds.base import IncidentKind, Resolution, Severity

# A detection that stops says nothing about whether the hole is closed: a person verifies.
KIND = IncidentKind(
    key="traffic_detection",
    label=_("Aktivitas pengunjung mencurigakan"),
    default_severity=Severity.SEDANG,
    resolution=Resolution.VERIFY,
    runbooks=("cms-admin-compromised",),
)
