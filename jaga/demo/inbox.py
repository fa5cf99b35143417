"""The demo's notification inbox: a webhook on Jaga's own address that the demo's channel sends to.

``jaga demo`` routes every event to ``json://<Jaga>/demo-situs/pesan-masuk/``, so that the deliveries on the
channels page are real sends through apprise that succeed, without any outside service. It keeps nothing:
it accepts a JSON post of at most 1 MB while the demo institution exists, and answers 404 otherwise.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from jaga.demo.site import _demo_active

MAX_BYTES = 1024 * 1024


@csrf_exempt  # apprise posts as a machine, without a session or a form
@require_POST
def inbox(request: HttpRequest) -> HttpResponse:
    _demo_active()
    if int(request.headers.get("Content-Length") or 0) > MAX_BYTES:
        return HttpResponseBadRequest("terlalu besar / too large")
    try:
        message = json.loads(request.body or b"{}")
    except ValueError:
        return HttpResponseBadRequest("bukan JSON / not JSON")
    return JsonResponse({"diterima": bool(message.get("title") or message.get("message"))})
