"""The address guard's refusals become coded sentences (``net.address_*`` in jaga.core.http), as migration 0007
did for the common reasons: an older version wrote them as one "Indonesian / English" string, kept for ever in
status changes and shown on each monitor in both languages at once.

The codes are stable (a book keeps its codes), so this migration writes their JSON itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import migrations
from django.db.models import Q

from jaga.core.migrating import rows_rewrite

_ADDRESS = r"(\S+)"
# What an older version put between the parentheses of an internal address's refusal.
_INTERNAL_KINDS = {
    "alamat Jaga sendiri / Jaga's own address": "net.own_address",
    "loopback": "net.loopback",
    "link-local": "net.link_local",
    "tidak ditentukan / unspecified": "net.unspecified",
}
_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(rf"^Alamat {_ADDRESS} \((.+?)\) tidak boleh diperiksa; administrator Jaga dapat .* / address .*$"),
        lambda m: (
            ["net.address_internal", {"address": m[1], "what": [_INTERNAL_KINDS[m[2]]]}]
            if m[2] in _INTERNAL_KINDS
            else None
        ),
    ),
    (
        re.compile(rf"^Alamat {_ADDRESS} adalah alamat jaringan privat; izinkan dengan JAGA_HTTP_ALLOW_PRIVATE=true / .*$"),
        lambda m: ["net.address_private", {"address": m[1]}],
    ),
    (
        re.compile(rf"^Alamat {_ADDRESS} tidak dapat diperiksa / address \S+ cannot be checked .*$"),
        lambda m: ["net.address_reserved", {"address": m[1]}],
    ),
    (re.compile(rf"^Alamat {_ADDRESS} tidak dikenali / unrecognised address$"), lambda m: ["net.address_unrecognised", {"address": m[1]}]),
    (re.compile(r"^Tidak ada alamat / no address$"), lambda m: ["net.no_address"]),  # the connector's last word
]


def sentence_of(old: str) -> str | None:
    """The coded sentence of an older version's refusal, or None when it is not one."""
    for pattern, build in _PATTERNS:
        match = pattern.match(old)
        if match:
            built = build(match)
            return None if built is None else json.dumps(built, ensure_ascii=False, separators=(",", ":"))
    return None


def _rewrite(model: Any, field: str) -> None:
    older = Q(**{f"{field}__startswith": "Alamat "}) | Q(**{field: "Tidak ada alamat / no address"})
    rows_rewrite(model.objects.filter(older), field, sentence_of)


def forwards(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps.get_model("monitoring", "StatusChange"), "reason")
    _rewrite(apps.get_model("monitoring", "Monitor"), "status_reason")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0007_reasons_as_sentences")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
