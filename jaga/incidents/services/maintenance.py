"""Updates on a scheduled maintenance (a monitoring maintenance window): where the work stands and what is
said to the public, chosen per update as on an incident's timeline."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from jaga.core import clock
from jaga.core.permissions import user_can
from jaga.incidents.models import MaintenanceStage, MaintenanceUpdate

TEXT_MAX = 5000


def maintenance_update_add(
    *, window: Any, user: Any, stage: str, text: str, is_public: bool = False, public_text: str = ""
) -> MaintenanceUpdate:
    """Post an update on ``window``. Operators only; the text is required, the public text optional."""
    if not user_can(user, window.site.institution_id, "operate"):
        raise PermissionDenied(_("Anda tidak dapat menulis pembaruan pemeliharaan."))
    if stage not in MaintenanceStage.values:
        raise ValidationError({"stage": _("Pilih tahap pemeliharaan.")})
    text, public_text = text.strip(), public_text.strip()
    if not text:
        raise ValidationError({"text": _("Tulis isi pembaruannya.")})
    for field, value in (("text", text), ("public_text", public_text)):
        if len(value) > TEXT_MAX:
            raise ValidationError(
                {field: _("Paling banyak %(n)s karakter (tertulis %(got)s).") % {"n": TEXT_MAX, "got": len(value)}}
            )
    return MaintenanceUpdate.objects.create(
        window=window, at=clock.now(), author=user, stage=stage, text=text,
        is_public=is_public, public_text=public_text,
    )  # fmt: skip
