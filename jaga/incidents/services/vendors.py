"""The institution's register of vendors (the third parties of tier 3) and the post-incident review."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jaga.core import clock
from jaga.core.permissions import user_can
from jaga.incidents.models import REVIEWED_SEVERITIES, Incident, Vendor
from jaga.incidents.services.workflow import _locked, _require

VENDOR_FIELDS = ("name", "services", "contacts", "contract_reference", "contract_ends_on", "support_hours", "notes")


def _may_edit(user: Any, institution: Any) -> None:
    if not user_can(user, institution, "operate"):
        raise PermissionDenied(_("Anda tidak dapat mengubah register vendor."))


def vendor_save(*, institution: Any, user: Any, vendor: Vendor | None = None, **values: Any) -> Vendor:
    """Create a vendor (``vendor`` None) or change one; a name already in the register is refused."""
    _may_edit(user, institution)
    unknown = set(values) - set(VENDOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown vendor fields: {sorted(unknown)}")
    if not str(values.get("name", vendor.name if vendor else "")).strip():
        raise ValidationError({"name": _("Tulis nama vendor.")})
    target = vendor or Vendor(institution=institution)
    if target.institution_id != institution.pk:
        raise PermissionDenied
    for field, value in values.items():
        setattr(target, field, value.strip() if isinstance(value, str) else value)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise ValidationError({"name": _("Vendor bernama %(name)s sudah ada.") % {"name": target.name}}) from None
    return target


def vendor_delete(*, vendor: Vendor, user: Any) -> None:
    """Remove a vendor. The incidents that name it keep its name and their ticket numbers."""
    _may_edit(user, vendor.institution)
    vendor.delete()


def incident_review_save(
    *, incident: Incident, user: Any, what: str, cause: str, done: str, prevention: str
) -> Incident:
    """The post-incident review of a resolved Kritis or Tinggi incident: every part is needed."""
    _require(user, incident)
    values = {"review_what": what.strip(), "review_cause": cause.strip(), "review_done": done.strip(),
              "review_prevention": prevention.strip()}  # fmt: skip
    missing = {field: _("Bagian ini perlu diisi.") for field, value in values.items() if not value}
    if missing:
        raise ValidationError(missing)
    with transaction.atomic():
        fresh = _locked(incident, None)
        if fresh.is_open:
            raise ValidationError(_("Tinjauan pasca-insiden diisi setelah insiden selesai."), code="open")
        if fresh.severity not in REVIEWED_SEVERITIES:
            raise ValidationError(_("Tinjauan pasca-insiden hanya untuk insiden Kritis dan Tinggi."), code="severity")
        for field, value in values.items():
            setattr(fresh, field, value)
        fresh.reviewed_at = clock.now()
        fresh.reviewed_by = user
        fresh.version += 1
        fresh.save(update_fields=[*values, "reviewed_at", "reviewed_by", "version"])
    return fresh
