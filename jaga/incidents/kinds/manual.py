from django.utils.translation import gettext_lazy as _

from jaga.incidents.kinds.base import IncidentKind, Resolution, Severity

KIND = IncidentKind(
    key="manual",
    label=_("Dilaporkan petugas"),
    default_severity=Severity.SEDANG,
    resolution=Resolution.VERIFY,
)
