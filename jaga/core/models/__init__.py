from jaga.core.models.accounts import UserProfile
from jaga.core.models.audit import AuditAction, AuditEvent
from jaga.core.models.institutions import Institution, Membership, Role, Site
from jaga.core.models.notifications import EVENT_TYPES, NotificationChannel, NotificationRoute
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
    "Role",
    "Schedule",
    "Site",
    "UserProfile",
]
