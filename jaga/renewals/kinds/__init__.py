"""Service kinds: one module each, listed in ``REGISTRY``. They differ in how the expiry is found.

A domain's expiry comes from its registry through RDAP, a certificate's from the monitoring app's TLS
monitor (the one reading of the live certificate), and hosting, connection and other subscriptions are
entered by hand and reminded of. A new kind is a module with ``KIND`` plus one line here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.core.registry import Registry
from jaga.renewals.kinds.base import ServiceKind

REGISTRY: Registry[ServiceKind] = Registry("service kind", attribute="KIND", noun=_("jenis layanan"))

REGISTRY.register(
    "domain",
    "jaga.renewals.kinds.domain",
    label=_("Nama domain"),
    description=_("Tanggal berakhir dibaca dari registri melalui RDAP (PANDI untuk .id dan .go.id)."),
)
REGISTRY.register(
    "hosting",
    "jaga.renewals.kinds.manual:HOSTING",
    label=_("Hosting"),
    description=_("Sewa server atau hosting; tanggal berakhir diisi dari kontrak, dengan pengingat."),
)
REGISTRY.register(
    "connection",
    "jaga.renewals.kinds.manual:CONNECTION",
    label=_("Koneksi internet"),
    description=_("Langganan koneksi internet; tanggal berakhir diisi dari kontrak, dengan pengingat."),
)
REGISTRY.register(
    "certificate",
    "jaga.renewals.kinds.certificate",
    label=_("Sertifikat TLS"),
    description=_("Tanggal berakhir dibaca dari monitor TLS situs (satu sumber, tanpa pengambilan kedua)."),
)
REGISTRY.register(
    "other",
    "jaga.renewals.kinds.manual:OTHER",
    label=_("Langganan lain"),
    description=_("E-mail, lisensi CMS dan langganan lain; tanggal berakhir diisi petugas."),
)
