"""Freshness signals: a date, how much it can be trusted and why, and where it was read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

TRUST_RANK = {"high": 3, "medium": 2, "low": 1, "untrusted": 0}
CHANGE_STREAK_UNTRUSTED = 3  # a value that changes at this many checks in a row is dynamic, not content


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
    state: dict[str, Any], key: str, value: str, *, now: datetime, trust: str, max_age_days: int, label: str
) -> Signal:
    """Remember ``value`` under ``state[key]`` and turn its history into a signal.

    Before any change is seen, the content is at least as old as the first check: that proves staleness
    once the monitor has watched longer than the maximum age, and proves nothing before.
    """
    previous = state.get(key)
    if not isinstance(previous, dict) or "value" not in previous:
        state[key] = {"value": value, "first_seen": now.isoformat(), "changed_at": None, "streak": 0}
        return Signal(key, None, "low", f"{label}: pemeriksaan pertama (baseline); belum ada perubahan teramati")
    record: dict[str, Any] = previous
    if record["value"] != value:
        record.update(value=value, changed_at=now.isoformat(), streak=int(record.get("streak", 0)) + 1)
    else:
        record["streak"] = 0
    if record["streak"] >= CHANGE_STREAK_UNTRUSTED:
        return Signal(
            key,
            now,
            "untrusted",
            f"{label} berubah pada {record['streak']} pemeriksaan berturut-turut: unsur dinamis (penghitung, "
            "token, jam), bukan pembaruan isi; tambahkan ignore_selectors/ignore_patterns",
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
