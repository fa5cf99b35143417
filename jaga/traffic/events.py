"""The traffic app's notification event types (declared from ``TrafficConfig.ready()``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.core.notifications import event_type_register


def traffic_event_types_register() -> None:
    event_type_register(
        "traffic.detection",
        label=_("Aktivitas pengunjung mencurigakan"),
        severity="warning",
        description=_("Sebuah aturan deteksi menemukan serangan atau penyalahgunaan pada log akses situs."),
    )
