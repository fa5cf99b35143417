"""``{% channel_warnings institution %}``: a banner listing the institution's failing notification channels."""

from __future__ import annotations

from typing import Any

from django import template

from jaga.core.models import Institution
from jaga.core.notifications import notification_channels_failing
from jaga.core.permissions import user_can

register = template.Library()


@register.inclusion_tag("core/_channel_warnings.html", takes_context=True)
def channel_warnings(context: template.Context, institution: Institution) -> dict[str, Any]:
    """Shown only to members who may view the institution; nothing at all when every channel works."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user_can(user, institution, "view"):
        return {"channels": []}
    return {"institution": institution, "channels": notification_channels_failing(institution=institution)}
