from jaga.core.models.institutions import Institution, Membership, Role, Site
from jaga.core.models.schedules import Schedule

__all__ = ["Institution", "Membership", "Role", "Schedule", "Site"]
