"""Freshness signals: a date, how much it can be trusted and why, and where it was read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from jaga.core.sentences import Reasons, Text, said

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


# What each signal says about itself (kept in a check's details, read in each reader's language).
NOTES = Reasons(
    "signal",
    {
        "baseline": _("%(label)s: pemeriksaan pertama (baseline); belum ada perubahan teramati"),
        "dynamic": _(
            "%(label)s berubah pada setiap pemeriksaan selama %(hours)s jam (%(runs)s kali): unsur dinamis "
            "(penghitung, token, jam), bukan pembaruan isi; tambahkan ignore_selectors/ignore_patterns"
        ),
        "changed": _("%(label)s: perubahan terakhir teramati %(at)s UTC"),
        "unchanged_since": _("%(label)s: tidak berubah sejak mulai dipantau %(date)s"),
        "not_changed_yet": _("%(label)s: belum berubah sejak %(date)s; usia sebenarnya belum diketahui"),
        "fingerprint": _("sidik sha256 teks wilayah"),
        "no_last_modified": _("header Last-Modified tidak dikirim"),
        "last_modified_dynamic": _(
            "Last-Modified sama dengan waktu respons: dibuat per permintaan oleh CMS, bukan tanggal isi"
        ),
        "last_modified": _("header Last-Modified server"),
        "no_feed": _("tidak ada feed RSS/Atom (tidak dikonfigurasi, tidak ditemukan)"),
        "feed_unreadable": _("feed tidak dapat diambil: %(problem)s"),
        "feed_undated": _("feed berisi %(items)s item tanpa tanggal yang sah"),
        "feed_undated_spam": _(
            "feed berisi %(items)s item tanpa tanggal yang sah (%(spam)s item spam judi tidak dihitung)"
        ),
        "feed_same_date": _("semua %(items)s item bertanggal sama: tanggal pembuatan feed, bukan terbit"),
        "feed_newest": _("item terbaru dari %(items)s item feed"),
        "feed_newest_spam": _(
            "item terbaru dari %(items)s item feed; %(spam)s item spam judi tidak dihitung sebagai pembaruan"
        ),
        "region_missing": _("selektor wilayah tidak cocok"),
        "sitemap_unreadable": _("sitemap tidak terbaca: %(problem)s"),
        "no_lastmod": _("tidak ada lastmod pada %(urls)s URL"),
        "few_lastmod": _("hanya %(urls)s URL berlastmod; terlalu sedikit untuk dinilai"),
        "same_lastmod": _(
            "%(share)s dari %(urls)s URL ber-lastmod sama %(date)s: tanggal pembuatan ulang sitemap, "
            "bukan perubahan isi"
        ),
        "same_lastmod_today": _(
            "%(share)s dari %(urls)s URL ber-lastmod sama %(date)s (= hari pengambilan): tanggal pembuatan ulang "
            "sitemap, bukan perubahan isi"
        ),
        "varied_lastmod": _("lastmod bervariasi pada %(urls)s URL (%(days)s tanggal berbeda)"),
    },
)


def note_read(note: Any) -> str:
    """A signal's note in the active language (a note of an older version: as it was stored)."""
    if isinstance(note, dict) and note.get("id"):
        try:
            return said(note)
        except (KeyError, TypeError, ValueError):
            return said(note, translate=False)
    return str(note or "")


def signal_label(name: str) -> str:
    return gettext(SIGNAL_LABELS[name]) if name in SIGNAL_LABELS else name


def trust_label(trust: str) -> str:
    return gettext(TRUST_LABELS[trust]) if trust in TRUST_LABELS else trust


@dataclass
class Signal:
    name: str  # "feed", "region", "last_modified", "etag", "sitemap", "page_date"
    value: datetime | None
    trust: str
    reason: Text | str  # a NOTES sentence (kept as data in the check's details)
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
    label: Text | str,
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
        return Signal(key, None, "low", NOTES("baseline", label=label))
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
            hours = round(lasted.total_seconds() / 3600)
            return Signal(key, now, "untrusted", NOTES("dynamic", label=label, hours=hours, runs=run))
    if record.get("changed_at"):
        changed = datetime.fromisoformat(record["changed_at"])
        return Signal(key, changed, trust, NOTES("changed", label=label, at=f"{changed:%Y-%m-%d %H:%M}"))
    first_seen = datetime.fromisoformat(record["first_seen"])
    if now - first_seen > timedelta(days=max_age_days):
        return Signal(key, first_seen, trust, NOTES("unchanged_since", label=label, date=f"{first_seen:%Y-%m-%d}"))
    return Signal(key, None, "low", NOTES("not_changed_yet", label=label, date=f"{first_seen:%Y-%m-%d}"))
