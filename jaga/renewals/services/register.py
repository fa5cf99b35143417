"""Writes to the register: services, their documents, the expiry in force and the manual override.

The expiry in force (``Service.expires_on``) is decided in one place, :func:`service_expiry_apply`:

- a manual override is kept while no automatic source says later (a registry that lags); when a look-up
  finds a later date the override has done its job and is cleared, with a note in the trail;
- otherwise a fresh automatic date always replaces the stored one (the registry is the authority: no
  stale date survives a renewal, the bug #7189 of Uptime Kuma);
- a look-up that finds no date (``unknown``) or fails changes nothing but is recorded, and shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import models, transaction
from django.utils.translation import gettext as _

from jaga.core import clock
from jaga.core.models import Institution, Site
from jaga.renewals.kinds import REGISTRY
from jaga.renewals.kinds.base import ExpiryFinding
from jaga.renewals.models import Document, ExpiryLookup, ExpirySource, LookupStatus, Service
from jaga.renewals.uploads import pdf_check

logger = logging.getLogger(__name__)

SERVICE_FIELDS = (
    "kind",
    "name",
    "identifier",
    "rdap_url",
    "provider",
    "account",
    "contract_number",
    "cost",
    "billing_period",
    "started_on",
    "expires_on",
    "auto_renew",
    "contacts",
    "notes",
    "is_active",
)


def local_date(moment: dt.datetime, institution: Institution) -> dt.date:
    return moment.astimezone(ZoneInfo(institution.time_zone)).date()


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    for name, value in values.items():  # a text cleared with null (an API PATCH) is an empty text, not NULL
        field = Service._meta.get_field(name)
        if value is None and not field.null and isinstance(field, models.CharField | models.TextField):
            values[name] = ""
    kind_key = values.get("kind", "")
    if kind_key not in REGISTRY:
        raise ValidationError(
            {"kind": ValidationError(_("Jenis layanan tidak dikenal: %(kind)s"), params={"kind": kind_key})}
        )
    kind = REGISTRY.get(kind_key)
    identifier = str(values.get("identifier") or "")
    try:
        values["identifier"] = kind.identifier_clean(identifier)
    except ValidationError as exc:
        raise ValidationError({"identifier": exc.error_list}) from None
    if kind.identifier_required and not values["identifier"]:
        raise ValidationError(
            {"identifier": ValidationError(_("%(field)s: wajib diisi."), params={"field": kind.identifier_label})}
        )
    started, expires = values.get("started_on"), values.get("expires_on")
    if started and expires and expires < started:
        raise ValidationError({"expires_on": ValidationError(_("Tanggal berakhir sebelum tanggal mulai."))})
    return values


def service_create(*, institution: Institution, sites: Iterable[Site] = (), **values: Any) -> Service:
    """A new entry of the register; an automatic kind is looked up at once (a failure is shown, not raised)."""
    values = _clean({key: value for key, value in values.items() if key in SERVICE_FIELDS})
    sites = list(sites)
    for site in sites:
        if site.institution_id != institution.pk:
            raise ValidationError({"sites": ValidationError(_("Situs bukan milik instansi ini."))})
    if values.get("expires_on"):
        values.setdefault("expiry_source", ExpirySource.MANUAL)
    with transaction.atomic():
        service = Service(institution=institution, **values)
        if values.get("expires_on"):
            service.expiry_source = ExpirySource.MANUAL
        service.full_clean(exclude=["institution", "sites"])
        service.save()
        service.sites.set(sites)
    from jaga.renewals.services.daily import renewal_schedules_ensure_for

    renewal_schedules_ensure_for(institution=institution)
    return service


def service_update(*, service: Service, sites: Iterable[Site] | None = None, **values: Any) -> Service:
    changes = {key: value for key, value in values.items() if key in SERVICE_FIELDS}
    merged = {field: getattr(service, field) for field in SERVICE_FIELDS} | changes
    merged = _clean(merged)
    with transaction.atomic():
        if "expires_on" in changes and changes["expires_on"] != service.expires_on:
            service.expiry_source = ExpirySource.MANUAL if changes["expires_on"] else ExpirySource.NONE
        for field, value in merged.items():
            setattr(service, field, value)
        service.full_clean(exclude=["institution", "sites"])
        service.save()
        if sites is not None:
            sites = list(sites)
            if any(site.institution_id != service.institution_id for site in sites):
                raise ValidationError({"sites": ValidationError(_("Situs bukan milik instansi ini."))})
            service.sites.set(sites)
    return service


def service_override_set(*, service: Service, expires_on: dt.date, reason: str, by: Any) -> Service:
    """A date set by hand over the automatic one, with the reason (e.g. the registrar's invoice says so)."""
    if not reason.strip():
        raise ValidationError(
            {"override_reason": ValidationError(_("Tuliskan alasan penetapan tanggal secara manual."))}
        )
    service.override_expires_on = expires_on
    service.override_reason = reason.strip()
    service.override_by = by if getattr(by, "is_authenticated", False) else None
    service.override_at = clock.now()
    service.expires_on = expires_on
    service.expiry_source = ExpirySource.OVERRIDE
    service.save()
    return service


def service_override_clear(*, service: Service, note: str = "") -> Service:
    service.override_expires_on = None
    service.override_reason = note
    service.override_by = None
    service.override_at = None
    last = service.last_lookup
    if last is not None and last.expires_at is not None:
        service.expires_on = last.expires_at.astimezone(dt.UTC).date()
        service.expiry_source = last.source
    else:
        service.expiry_source = ExpirySource.MANUAL if service.expires_on else ExpirySource.NONE
    service.save()
    return service


def service_expiry_apply(*, service: Service, finding: ExpiryFinding) -> ExpiryLookup:
    """Record a look-up and decide the expiry in force from it (see the module's docstring)."""
    now = clock.now()
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        lookup = ExpiryLookup.objects.create(
            service=service,
            at=now,
            source=finding.source,
            status=finding.status,
            expires_at=finding.expires_at,
            registrar=finding.registrar,
            statuses=finding.statuses,
            nameservers=finding.nameservers,
            url=finding.url[:500],
            error=finding.error,
            from_cache=finding.from_cache,
        )
        service.last_lookup = lookup
        service.expiry_checked_at = now
        if finding.status == LookupStatus.FOUND and finding.expires_at is not None:
            # The registry's own calendar date (UTC), not the local one: .id domains end at 23:59:59Z, which
            # is already the next morning in WIB; a deadline read a few hours early is the safe side.
            found = finding.expires_at.astimezone(dt.UTC).date()
            if service.override_expires_on is not None:
                if found > service.override_expires_on:
                    service.override_reason = (
                        f"{service.override_reason}\n[{now:%Y-%m-%d}] tanggal dari {finding.source} "
                        f"({found:%Y-%m-%d}) melewati tanggal manual / the looked-up date passed the manual one"
                    ).strip()
                    service.override_expires_on = None
                    service.expires_on, service.expiry_source = found, finding.source
            else:
                service.expires_on, service.expiry_source = found, finding.source
        service.save()
    return lookup


def service_expiry_check(*, service: Service, force: bool = False) -> ExpiryLookup | None:
    """Look the expiry up now (an automatic kind) and apply it; ``None`` for a kind entered by hand."""
    kind = REGISTRY.get(service.kind)
    finding = kind.expiry_find(service, force=force)
    if finding is None:
        return None
    lookup = service_expiry_apply(service=service, finding=finding)
    service.refresh_from_db()
    from jaga.renewals.services.workflow import case_renewal_detect

    case_renewal_detect(service=service)
    return lookup


# --- documents ---------------------------------------------------------------------------------


def document_store(*, service: Service, upload: Any, kind: str, by: Any, case: Any = None, title: str = "") -> Document:
    """Check the upload (a real, inert PDF) and store it; raises ``ValidationError`` and stores nothing."""
    pdf_check(upload)
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    original = Path(str(getattr(upload, "name", "") or "dokumen.pdf")).name[:255]
    document = Document(
        service=service,
        case=case,
        kind=kind,
        title=title[:200],
        original_name=original,
        sha256=digest.hexdigest(),
        size=size,
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        uploaded_at=clock.now(),
    )
    document.file.save(original, upload if isinstance(upload, File) else File(upload, name=original), save=False)
    try:
        document.save()
    except BaseException:
        document.file.delete(save=False)
        raise
    return document
