from django.utils.translation import gettext_lazy as _

from jaga.incidents.kinds.base import IncidentKind, Resolution, Severity

KIND = IncidentKind(
    key="content_stale",
    label=_("Konten tidak mutakhir"),
    default_severity=Severity.SEDANG,
    resolution=Resolution.CAUSE,
)
