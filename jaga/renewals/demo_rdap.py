"""The demo's registry: an RDAP server on Jaga's own address for the demo court's domain only.

It answers only while the demo institution exists (after ``jaga demo``), in the shape of PANDI's answers,
so that the demo's domain is looked up through the real RDAP client, over loopback, like any other.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from jaga.core.models import Institution
from jaga.demo.content import DEMO_SLUG

DEMO_DOMAIN = "pn-contoh.go.id"

DEMO_EXPIRES_AFTER_DAYS = 45  # counted from the day the demo was made: the domain is due, a case is running


def demo_domain_document(*, made: dt.datetime) -> dict[str, Any]:
    expires = (made + dt.timedelta(days=DEMO_EXPIRES_AFTER_DAYS)).date()
    return {
        "rdapConformance": ["rdap_level_0"],
        "objectClassName": "domain",
        "handle": "PN-CONTOH.GO.ID-ID",
        "ldhName": DEMO_DOMAIN,
        "status": ["active", "client transfer prohibited"],
        "events": [
            {"eventAction": "registration", "eventDate": "2011-06-14T09:12:00Z"},
            {"eventAction": "expiration", "eventDate": f"{expires.isoformat()}T23:59:59Z"},
            {"eventAction": "last update of RDAP database", "eventDate": made.strftime("%Y-%m-%dT%H:%M:%SZ")},
        ],
        "nameservers": [
            {"objectClassName": "nameserver", "ldhName": "ns1.pn-contoh.go.id"},
            {"objectClassName": "nameserver", "ldhName": "ns2.pn-contoh.go.id"},
        ],
        "entities": [
            {
                "objectClassName": "entity",
                "roles": ["registrar"],
                "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Registrar Demo .go.id"]]],
            }
        ],
        "notices": [{"title": "Demo", "description": ["Registri contoh Jaga / Jaga's example registry"]}],
    }


def domain(request: HttpRequest, name: str) -> HttpResponse:
    """Public like the demo court site (``/demo-situs/``): it serves nothing but the demo's made-up domain."""
    institution = Institution.objects.filter(slug=DEMO_SLUG).first()
    if institution is None or name.lower() != DEMO_DOMAIN:
        raise Http404
    document = demo_domain_document(made=institution.created_at)
    return HttpResponse(json.dumps(document), content_type="application/rdap+json")
