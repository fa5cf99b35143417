"""Core's part of ``jaga demo``: a program's API token and a change it made, so that the demo's audit trail
shows a change through the API (its user and token) beside the changes of people and of Jaga itself (run
through ``jaga demo``, everything the demo makes is in the trail as Jaga's, through that command)."""

from __future__ import annotations

from jaga.core.audit import actor_as, token_via
from jaga.core.demo import DemoContext
from jaga.core.models import ApiToken, Role
from jaga.core.services import api_token_create

TOKEN_NAME = "skrip pemantau log (demo)"
ERROR_LOG = "/var/log/nginx/pn-contoh.error.log"


def demo_fill(*, ctx: DemoContext) -> None:
    staff = ctx.users[Role.STAFF_P2TI]
    token = ApiToken.objects.filter(user=staff, institution=ctx.institution, name=TOKEN_NAME).first()
    if token is None:
        token, _raw = api_token_create(user=staff, institution=ctx.institution, name=TOKEN_NAME)
    site = ctx.site
    if site.error_log_paths:
        ctx.done.append(f"token API «{TOKEN_NAME}» sudah ada (dibiarkan)")
        return
    with actor_as(user=staff, via=token_via(token)):  # as the API does for a request with this token
        site.error_log_paths = ERROR_LOG
        site.save(update_fields=["error_log_paths"])
    ctx.done.append(f"token API «{TOKEN_NAME}» milik {staff.get_username()} dan satu perubahan lewat token itu")
