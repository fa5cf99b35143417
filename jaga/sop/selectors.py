"""Reads of the sop app: the SOP an institution works under, the state of each activity, compliance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from jaga.core import clock
from jaga.core.models import Institution, Site
from jaga.sop.models import Activity, LedgerEntry, Outcome, Sop
from jaga.sop.services import sop_resolve

# An activity with a rhythm turns "due" in the last fifth of its interval, "overdue" once past it.
DUE_SOON_FRACTION = 0.2
LEDGER_PAGE = 200


class State:
    NEVER = "never"  # no record at all
    OK = "ok"  # done, next due time still ahead
    DUE = "due"  # next due time close
    OVERDUE = "overdue"  # next due time passed
    DONE = "done"  # no rhythm (relative): only "last done"


STATE_LABELS = {
    State.NEVER: _("Belum pernah"),
    State.OK: _("Sesuai jadwal"),
    State.DUE: _("Segera jatuh tempo"),
    State.OVERDUE: _("Terlambat"),
    State.DONE: _("Relatif"),
}


@dataclass(frozen=True)
class ActivityStatus:
    activity: Activity
    last: LedgerEntry | None  # the latest record, whatever its outcome
    last_done: LedgerEntry | None  # the latest record that was not a failure; the rhythm counts from it
    next_due: dt.datetime | None
    state: str

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def tile_class(self) -> str:
        return {State.OK: "ok", State.DONE: "ok", State.DUE: "due", State.OVERDUE: "overdue"}.get(self.state, "")


def sop_for_institution(*, institution: Institution) -> Sop:
    return sop_resolve(institution=institution)


def _entries(*, institution: Institution, site: Site | None) -> models.QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.filter(institution=institution)
    if site is not None:
        qs = qs.filter(site=site)
    return qs.select_related("performed_by", "site")


def ledger_last_by_activity(
    *, institution: Institution, site: Site | None = None, exclude_failures: bool = False
) -> dict[int, LedgerEntry]:
    """The latest record of each activity number (for ``site`` only when given).

    One indexed query per activity rather than one grouped query: the ledger grows by thousands of
    automatic records a day, and "latest per number" over seven numbers stays cheap this way.
    """
    qs = _entries(institution=institution, site=site)
    if exclude_failures:
        qs = qs.exclude(outcome=Outcome.FAILURE)
    numbers = sop_for_institution(institution=institution).activities.values_list("number", flat=True)
    latest: dict[int, LedgerEntry] = {}
    for number in numbers:
        entry = qs.filter(activity_number=number).order_by("-ended_at", "-pk").first()
        if entry is not None:
            latest[number] = entry
    return latest


def activity_state(
    *, activity: Activity, last_done: LedgerEntry | None, now: dt.datetime
) -> tuple[str, dt.datetime | None]:
    if last_done is None:
        return State.NEVER, None
    if activity.recurrence is None:
        return State.DONE, None
    next_due = last_done.ended_at + activity.recurrence
    if now > next_due:
        return State.OVERDUE, next_due
    if now >= next_due - activity.recurrence * DUE_SOON_FRACTION:
        return State.DUE, next_due
    return State.OK, next_due


def activity_status_list(
    *, institution: Institution, site: Site | None = None, now: dt.datetime | None = None
) -> list[ActivityStatus]:
    """Each activity of the institution's SOP with its last record and whether it is due."""
    now = now or clock.now()
    sop = sop_for_institution(institution=institution)
    last = ledger_last_by_activity(institution=institution, site=site)
    last_done = ledger_last_by_activity(institution=institution, site=site, exclude_failures=True)
    statuses = []
    for activity in sop.activities.order_by("number"):
        done = last_done.get(activity.number)
        state, next_due = activity_state(activity=activity, last_done=done, now=now)
        statuses.append(
            ActivityStatus(
                activity=activity, last=last.get(activity.number), last_done=done, next_due=next_due, state=state
            )
        )
    return statuses


def activity_status_lists_by_site(
    *, institution: Institution, sites: Sequence[Site], now: dt.datetime | None = None
) -> dict[int, list[ActivityStatus]]:
    """:func:`activity_status_list` for many sites at once (an institution dashboard of hundreds of sites).

    A constant number of queries whatever the number of sites: the SOP, one query per kind of "latest"
    (any outcome, and not a failure) with one correlated subquery per activity, and one read of those entries.
    """
    now = now or clock.now()
    activities = list(sop_for_institution(institution=institution).activities.order_by("number"))
    site_ids = [site.pk for site in sites]
    if not site_ids:
        return {}
    latest_pks: dict[bool, dict[tuple[int, int], int]] = {}
    for exclude_failures in (False, True):
        annotations: dict[str, Any] = {}
        for activity in activities:
            entries = LedgerEntry.objects.filter(
                institution=institution, site=models.OuterRef("pk"), activity_number=activity.number
            )
            if exclude_failures:
                entries = entries.exclude(outcome=Outcome.FAILURE)
            annotations[f"a{activity.number}"] = models.Subquery(entries.order_by("-ended_at", "-pk").values("pk")[:1])
        found: dict[tuple[int, int], int] = {}
        if annotations:
            for row in (
                Site.objects.filter(pk__in=site_ids).order_by().annotate(**annotations).values("pk", *annotations)
            ):
                for activity in activities:
                    if (pk := row[f"a{activity.number}"]) is not None:
                        found[(row["pk"], activity.number)] = pk
        latest_pks[exclude_failures] = found
    wanted = {pk for found in latest_pks.values() for pk in found.values()}
    entries_by_pk = LedgerEntry.objects.select_related("performed_by", "site").in_bulk(wanted)
    result: dict[int, list[ActivityStatus]] = {}
    for site_id in site_ids:
        statuses = []
        for activity in activities:
            last_pk = latest_pks[False].get((site_id, activity.number))
            done_pk = latest_pks[True].get((site_id, activity.number))
            done = entries_by_pk.get(done_pk) if done_pk is not None else None
            state, next_due = activity_state(activity=activity, last_done=done, now=now)
            last = entries_by_pk.get(last_pk) if last_pk is not None else None
            statuses.append(
                ActivityStatus(activity=activity, last=last, last_done=done, next_due=next_due, state=state)
            )
        result[site_id] = statuses
    return result


@dataclass
class Compliance:
    activity: Activity
    start: dt.date
    end: dt.date
    total: int
    with_standard: int
    on_time: int
    entries: list[LedgerEntry]
    per_day: list[tuple[dt.date, int]] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        """On-time rate: records that met the time standard / records that had one. None without any."""
        return self.on_time / self.with_standard if self.with_standard else None

    @property
    def rate_percent(self) -> int | None:
        rate = self.rate
        return None if rate is None else round(rate * 100)


def period_bounds(*, institution: Institution, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``start`` 00.00 to the day after ``end`` 00.00, in the institution's time zone."""
    tz = ZoneInfo(institution.time_zone)
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def activity_compliance(
    *, institution: Institution, activity_number: int, start: dt.date, end: dt.date, site: Site | None = None
) -> Compliance:
    """Records of one activity started between ``start`` and ``end`` (inclusive, institution's calendar)."""
    sop = sop_for_institution(institution=institution)
    activity = sop.activities.get(number=activity_number)
    since, until = period_bounds(institution=institution, start=start, end=end)
    qs = _entries(institution=institution, site=site).filter(
        activity_number=activity_number, started_at__gte=since, started_at__lt=until
    )
    counts = qs.aggregate(
        total=models.Count("pk"),
        with_standard=models.Count("pk", filter=models.Q(met_standard__isnull=False)),
        on_time=models.Count("pk", filter=models.Q(met_standard=True)),
    )
    by_day = dict(
        qs.annotate(day=TruncDate("started_at", tzinfo=ZoneInfo(institution.time_zone)))
        .order_by()
        .values("day")
        .annotate(n=models.Count("pk"))
        .values_list("day", "n")
    )
    days = (end - start).days + 1
    per_day = [(start + dt.timedelta(days=i), by_day.get(start + dt.timedelta(days=i), 0)) for i in range(days)]
    entries = list(qs.prefetch_related("evidence")[:LEDGER_PAGE])
    return Compliance(
        activity=activity,
        start=start,
        end=end,
        total=counts["total"],
        with_standard=counts["with_standard"],
        on_time=counts["on_time"],
        entries=entries,
        per_day=per_day,
    )
