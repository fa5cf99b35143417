"""A TLS certificate: its expiry as the monitoring app's TLS monitor last read it (one source of truth).

No second connection is made: the latest result of a TLS monitor of the served sites (the one whose host or
server name is the service's host, when one is given) carries ``not_after``. Without such a monitor, or
before its first check, the look-up says so and the date stays as entered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from jaga.renewals.kinds.base import ExpiryFinding
from jaga.renewals.rdap.parse import rdap_date

if TYPE_CHECKING:
    from jaga.renewals.models import Service

RECENT_RESULTS = 20  # the newest results looked at for one that read a certificate


class CertificateKind:
    key: ClassVar[str] = "certificate"
    automatic: ClassVar[bool] = True
    identifier_required: ClassVar[bool] = False
    identifier_label: ClassVar[StrOrPromise] = _("Nama host (opsional)")

    def identifier_clean(self, value: str) -> str:
        from jaga.renewals.kinds.domain import domain_normalise

        return domain_normalise(value) if value.strip() else ""

    def expiry_find(self, service: Service, *, force: bool = False) -> ExpiryFinding | None:
        from jaga.monitoring.models import CheckResult, Monitor
        from jaga.renewals.models import ExpirySource, LookupStatus

        monitors = list(Monitor.objects.filter(kind="tls", site__in=service.sites.all()).order_by("pk"))
        host = service.identifier
        if host:
            monitors = [
                m
                for m in monitors
                if host in {str(m.config.get("host", "")).lower(), str(m.config.get("server_name", "")).lower()}
            ]
        if not monitors:
            where = host or ", ".join(s.name for s in service.sites.all()) or "-"
            return ExpiryFinding(
                source=ExpirySource.TLS,
                status=LookupStatus.FAILED,
                error=str(
                    _("Belum ada monitor TLS untuk %(where)s; tambahkan di halaman Pemantauan.") % {"where": where}
                ),
            )
        for monitor in monitors:
            for result in CheckResult.objects.filter(monitor=monitor).order_by("-checked_at")[:RECENT_RESULTS]:
                expires_at = rdap_date((result.details or {}).get("not_after"))
                if expires_at is not None:
                    return ExpiryFinding(
                        source=ExpirySource.TLS,
                        status=LookupStatus.FOUND,
                        expires_at=expires_at,
                        registrar=str((result.details or {}).get("issuer", ""))[:300],
                        url=monitor.get_absolute_url(),
                    )
        return ExpiryFinding(
            source=ExpirySource.TLS,
            status=LookupStatus.UNKNOWN,
            url=monitors[0].get_absolute_url(),
            error=str(_("Monitor TLS %(name)s belum membaca sertifikat.") % {"name": monitors[0].name}),
        )


KIND = CertificateKind()
