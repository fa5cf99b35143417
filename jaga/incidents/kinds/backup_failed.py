from django.utils.translation import gettext_lazy as _

from jaga.incidents.kinds.base import IncidentKind, Resolution, Severity

KIND = IncidentKind(
    key="backup_failed",
    label=_("Pencadangan gagal"),
    default_severity=Severity.TINGGI,
    resolution=Resolution.CAUSE,  # the next successful run (or check, or drill) clears it
    runbooks=("backup-disk-full",),
)
