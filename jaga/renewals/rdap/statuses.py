"""The RDAP status values a registry gives a domain (RFC 8056's mapping of the EPP statuses), as a person reads
them. RDAP sends them in English; a value not listed here is shown as the registry wrote it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

RDAP_STATUSES: dict[str, StrOrPromise] = {
    "active": _("aktif"),
    "inactive": _("tidak aktif"),
    "locked": _("terkunci"),
    "client hold": _("ditangguhkan oleh registrar"),
    "server hold": _("ditangguhkan oleh registri"),
    "client transfer prohibited": _("pindah registrar dikunci oleh registrar"),
    "server transfer prohibited": _("pindah registrar dikunci oleh registri"),
    "client delete prohibited": _("penghapusan dikunci oleh registrar"),
    "server delete prohibited": _("penghapusan dikunci oleh registri"),
    "client update prohibited": _("perubahan dikunci oleh registrar"),
    "server update prohibited": _("perubahan dikunci oleh registri"),
    "client renew prohibited": _("perpanjangan dikunci oleh registrar"),
    "server renew prohibited": _("perpanjangan dikunci oleh registri"),
    "pending create": _("menunggu pendaftaran"),
    "pending delete": _("menunggu penghapusan"),
    "pending renew": _("menunggu perpanjangan"),
    "pending transfer": _("menunggu pindah registrar"),
    "pending update": _("menunggu perubahan"),
    "redemption period": _("masa tebus (sudah berakhir, masih dapat ditebus)"),
    "auto renew period": _("masa perpanjangan otomatis"),
    "renew period": _("masa perpanjangan"),
    "add period": _("masa awal pendaftaran"),
    "transfer period": _("masa pindah registrar"),
}


def rdap_status_label(status: str) -> StrOrPromise:
    return RDAP_STATUSES.get(status.strip().lower(), status)
