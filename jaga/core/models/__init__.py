from jaga.core.models.accounts import UserProfile
from jaga.core.models.audit import AuditAction, AuditEvent
from jaga.core.models.institutions import Institution, Membership, Role, Site
from jaga.core.models.notifications import (
    DeliveryStatus,
    NotificationChannel,
    NotificationDelivery,
    NotificationRoute,
)
from jaga.core.models.processes import ProcessBeat
from jaga.core.models.schedules import Schedule
from jaga.core.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "DeliveryStatus",
    "Institution",
    "Membership",
    "NotificationChannel",
    "NotificationDelivery",
    "NotificationRoute",
    "ProcessBeat",
    "Role",
    "Schedule",
    "Site",
    "UserProfile",
]
