from typing import Any

from django.utils.translation import gettext_lazy as _

from jaga.incidents.kinds.base import IncidentKind, Resolution, Severity


def incident_title(details: dict[str, Any], summary: str) -> str | None:
    """The rule's label in the reader's language, then what the summary names ("<rule>: <addresses (counts)>");
    the summary was written with the label in both languages."""
    from jaga.traffic.detection.rules import rule_get

    rule = rule_get(str(details.get("rule", "")))
    if rule is None:
        return None
    _label, said, named = summary.partition(": ")
    return f"{rule.label}: {named}" if said else str(rule.label)


# A detection that stops says nothing about whether the hole is closed: a person verifies.
KIND = IncidentKind(
    key="traffic_detection",
    label=_("Aktivitas pengunjung mencurigakan"),
    default_severity=Severity.SEDANG,
    resolution=Resolution.VERIFY,
    runbooks=("cms-admin-compromised",),
    title=incident_title,
)
