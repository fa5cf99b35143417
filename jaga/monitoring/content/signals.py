"""Freshness signals: a date, how much it can be trusted and why, and where it was read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

TRUST_RANK = {"high": 3, "medium": 2, "low": 1, "untrusted": 0}
# A value that changed at every check for this long is dynamic (a counter, a token, a clock), not content:
# judged by time, so that a daily check of a site updated daily is not mistaken for a counter ...
DYNAMIC_AFTER = timedelta(hours=6)
DYNAMIC_MIN_CHECKS = 3
# ... and only when the checks came at least this often (a change per day for days is a busy newsroom).
DYNAMIC_MAX_GAP = timedelta(hours=2)

# What a person reads for a signal and its trust (pages, reasons), never the stored key.
SIGNAL_LABELS = {
    "feed": _("feed RSS/Atom"),
    "region": _("bagian halaman yang dipantau"),
    "last_modified": _("header Last-Modified"),
    "etag": _("header ETag"),
    "sitemap": _("tanggal di sitemap"),
    "page_date": _("tanggal tertulis di halaman"),
}
TRUST_LABELS = {"high": _("tinggi"), "medium": _("sedang"), "low": _("rendah"), "untrusted": _("tidak dipercaya")}


def signal_label(name: str) -> str:
    return gettext(SIGNAL_LABELS[name]) if name in SIGNAL_LABELS else name


def trust_label(trust: str) -> str:
    return gettext(TRUST_LABELS[trust]) if trust in TRUST_LABELS else trust


@dataclass
class Signal:
    name: str  # "feed", "region", "last_modified", "etag", "sitemap", "page_date"
    value: datetime | None
    trust: str
    reason: str
    where: str = ""  # URL, header name, element
    evidence: str = ""  # the date as written

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value.isoformat() if self.value else None,
            "trust": self.trust,
            "reason": self.reason,
            "where": self.where,
            "evidence": self.evidence,
        }


def signal_choose(signals: list[Signal], priority: tuple[str, ...]) -> Signal | None:
    """The most trusted signal that has a date; among equally trusted ones the newest (the site *was* updated
    if any trusted signal says so), then by ``priority``."""
    usable = [s for s in signals if s.value is not None and TRUST_RANK[s.trust] > 0]
    if not usable:
        return None

    def key(s: Signal) -> tuple[int, datetime, int]:
        order = priority.index(s.name) if s.name in priority else len(priority)
        assert s.value is not None
        return (TRUST_RANK[s.trust], s.value, -order)

    return max(usable, key=key)


def change_track(
    state: dict[str, Any],
    key: str,
    value: str,
    *,
    now: datetime,
    trust: str,
    max_age_days: int,
    label: str,
    counts: bool = True,
) -> Signal:
    """Remember ``value`` under ``state[key]`` and turn its history into a signal.

    ``counts=False``: the value changed to something that is no update (gambling spam in the region); it is
    remembered so that the next real change counts, but it dates nothing.

    Before any change is seen, the content is at least as old as the first check: that proves staleness
    once the monitor has watched longer than the maximum age, and proves nothing before.
    """
    previous = state.get(key)
    if not isinstance(previous, dict) or "value" not in previous:
        state[key] = {"value": value, "first_seen": now.isoformat(), "checked_at": now.isoformat(), "changed_at": None}
        return Signal(key, None, "low", f"{label}: pemeriksaan pertama (baseline); belum ada perubahan teramati")
    record: dict[str, Any] = previous
    record.pop("streak", None)  # the count of consecutive changes of earlier versions
    previous_check = record.get("checked_at") or record.get("changed_at") or record["first_seen"]
    record["checked_at"] = now.isoformat()
    if record["value"] != value and not counts:
        record["value"] = value  # a change that is no update (spam): remembered, never dated
    elif record["value"] != value:
        if not record.get("run"):
            record["run_since"] = previous_check  # the run of changes began after the check before it
        record.update(value=value, changed_at=now.isoformat(), run=int(record.get("run") or 0) + 1)
    else:
        record.update(run=0, run_since=None)
    run = int(record.get("run") or 0)
    if run >= DYNAMIC_MIN_CHECKS and record.get("run_since"):
        lasted = now - datetime.fromisoformat(record["run_since"])
        if lasted >= DYNAMIC_AFTER and lasted / run <= DYNAMIC_MAX_GAP:
            hours = lasted.total_seconds() / 3600
            return Signal(
                key,
                now,
                "untrusted",
                f"{label} berubah pada setiap pemeriksaan selama {hours:.0f} jam ({run} kali): unsur dinamis "
                "(penghitung, token, jam), bukan pembaruan isi; tambahkan ignore_selectors/ignore_patterns",
            )
    if record.get("changed_at"):
        changed = datetime.fromisoformat(record["changed_at"])
        return Signal(key, changed, trust, f"{label}: perubahan terakhir teramati {changed:%Y-%m-%d %H:%M} UTC")
    first_seen = datetime.fromisoformat(record["first_seen"])
    if now - first_seen > timedelta(days=max_age_days):
        return Signal(key, first_seen, trust, f"{label}: tidak berubah sejak mulai dipantau {first_seen:%Y-%m-%d}")
    return Signal(
        key, None, "low", f"{label}: belum berubah sejak {first_seen:%Y-%m-%d}; usia sebenarnya belum diketahui"
    )
