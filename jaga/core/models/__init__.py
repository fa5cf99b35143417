from jaga.core.models.audit import AuditAction, AuditEvent
from jaga.core.models.institutions import Institution, Membership, Role, Site
from jaga.core.models.notifications import EVENT_TYPES, NotificationChannel, NotificationRoute
from jaga.core.models.processes import ProcessBeat
from jaga.core.models.schedules import Schedule
from jaga.core.models.tokens import ApiToken

__all__ = [
    "EVENT_TYPES",
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "Institution",
    "Membership",
    "NotificationChannel",
    "NotificationRoute",
    "ProcessBeat",
    "Role",
    "Schedule",
    "Site",
]
