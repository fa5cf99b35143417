from django.utils.translation import gettext_lazy as _

from jaga.incidents.kinds.base import IncidentKind, Resolution, Severity

# An expired service (the domain, the hosting) takes the site down with it.
KIND = IncidentKind(
    key="renewal_due",
    label=_("Perpanjangan terlambat"),
    default_severity=Severity.TINGGI,
    resolution=Resolution.CAUSE,  # the confirmed renewal clears it
    runbooks=("domain-unpaid",),
    severity_rules=(("expired", True, Severity.KRITIS),),
)
