import datetime as dt
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from jaga.incidents.kinds.base import IncidentKind, Resolution, Severity


def incident_title(details: dict[str, Any], summary: str) -> str | None:
    """The title "<service>: tenggat <date> lewat, tahap <state>" or "<service> berakhir <date> (<n> hari lalu)", in the
    reader's language with the date as a person reads it (jaga/renewals/services/escalation.py fills the
    details). An incident opened before the details held the service's name keeps its summary."""
    from jaga.renewals.models import CaseState

    service = details.get("service_name")
    if not service:
        return None
    if details.get("expired"):
        return _t("%(service)s berakhir %(date)s (%(days)s hari lalu)") % {
            "service": service,
            "date": date_format(dt.date.fromisoformat(details["expires"])),
            "days": -int(details["days_left"]),
        }
    return _t("%(service)s: tenggat %(date)s lewat, tahap %(state)s") % {
        "service": service,
        "date": date_format(dt.date.fromisoformat(details["deadline"])),
        "state": CaseState(details["state"]).label,
    }


# An expired service (the domain, the hosting) takes the site down with it.
KIND = IncidentKind(
    key="renewal_due",
    label=_("Perpanjangan terlambat"),
    default_severity=Severity.TINGGI,
    resolution=Resolution.CAUSE,  # the confirmed renewal clears it
    runbooks=("domain-unpaid",),
    severity_rules=(("expired", True, Severity.KRITIS),),
    title=incident_title,
)
