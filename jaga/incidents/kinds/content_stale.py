from django.utils.translation import gettext_lazy as _

from jaga.incidents.kinds.base import IncidentKind, Resolution, Severity
from jaga.incidents.kinds.monitored import monitor_sentence

KIND = IncidentKind(
    key="content_stale",
    label=_("Konten tidak mutakhir"),
    default_severity=Severity.SEDANG,
    resolution=Resolution.CAUSE,
    sentence=monitor_sentence,
)
