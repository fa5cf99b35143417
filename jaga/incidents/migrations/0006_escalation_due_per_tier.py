"""``incident.escalation_due`` became one event type per proposed tier (``incident.escalation_due_umum``,
``incident.escalation_due_vendor``), so that each goes to the next tier's role: every route on the old type
is kept as a route on both new ones (same channel, same role), and back."""

from __future__ import annotations

from typing import Any

from django.db import migrations

OLD = "incident.escalation_due"
NEW = ("incident.escalation_due_umum", "incident.escalation_due_vendor")


def _move(apps: Any, old: tuple[str, ...], new: tuple[str, ...]) -> None:
    Route = apps.get_model("core", "NotificationRoute")
    for route in Route.objects.filter(event_type__in=old):
        for event_type in new:
            Route.objects.get_or_create(
                institution_id=route.institution_id, channel_id=route.channel_id, role=route.role, event_type=event_type
            )
    Route.objects.filter(event_type__in=old).delete()


def forwards(apps: Any, schema_editor: Any) -> None:
    _move(apps, (OLD,), NEW)


def backwards(apps: Any, schema_editor: Any) -> None:
    _move(apps, NEW, (OLD,))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_maintenance_updates"),
        ("core", "0006_institution_allow_internal_addresses"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
