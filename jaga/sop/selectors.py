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
from jaga.sop.models import NOT_DONE, Activity, LedgerEntry, Outcome, Sop
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
    last_done: LedgerEntry | None  # the latest record that was done (not failed, interrupted or running)
    next_due: dt.datetime | None
    state: str
    running: LedgerEntry | None = None  # long work of this activity going on now (ledger_open)
    lines: tuple[Any, ...] = ()  # what the performing app adds to the tile (jaga.sop.tiles.TileLine)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def tile_class(self) -> str:
        return {State.OK: "ok", State.DONE: "ok", State.DUE: "due", State.OVERDUE: "overdue"}.get(self.state, "")


def ledger_notes_lines(notes: str) -> list[str]:
    """A ledger entry's notes in the reader's language, one line each: a line Jaga wrote is stored as a sentence
    (:mod:`jaga.core.sentences`; one of :data:`jaga.sop.services.SYSTEM_NOTES` as its Indonesian msgid) and read
    now; a line a person wrote is shown as it was written."""
    from django.utils.translation import gettext

    from jaga.core.sentences import sentence_read
    from jaga.sop.services import SYSTEM_NOTES

    return [
        gettext(line) if line.strip() in SYSTEM_NOTES else sentence_read(line) for line in (notes or "").splitlines()
    ]


def ledger_notes_text(notes: str) -> str:
    """:func:`ledger_notes_lines` joined again (a CSV cell, a PDF row)."""
    return "\n".join(ledger_notes_lines(notes))


def sop_for_institution(*, institution: Institution) -> Sop:
    return sop_resolve(institution=institution)


def _entries(*, institution: Institution, site: Site | None) -> models.QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.filter(institution=institution)
    if site is not None:
        qs = qs.filter(site=site)
    return qs.select_related("performed_by", "site")


def activity_entries_q(activity: Activity) -> models.Q:
    """The entries of ``activity``: by its key when it has one (whatever number earlier SOPs gave it), else by
    its number among the entries recorded without a key."""
    if activity.key:
        return models.Q(activity_key=activity.key)
    return models.Q(activity_number=activity.number, activity_key="")


def ledger_last_by_activity(
    *, institution: Institution, site: Site | None = None, exclude_failures: bool = False, running: bool = False
) -> dict[int, LedgerEntry]:
    """The latest finished record of each activity, by activity number (for ``site`` only when given).

    ``exclude_failures``: the latest that was done (not failed or interrupted). ``running``: instead, the
    latest work still going on. One indexed query per activity rather than one grouped query: the ledger grows
    by thousands of automatic records a day, and "latest per activity" over seven activities stays cheap.
    """
    qs = _entries(institution=institution, site=site)
    if running:
        qs = qs.filter(outcome=Outcome.RUNNING)
        order = ("-started_at", "-pk")
    else:
        qs = qs.exclude(outcome__in=NOT_DONE if exclude_failures else (Outcome.RUNNING,))
        order = ("-ended_at", "-pk")
    latest: dict[int, LedgerEntry] = {}
    for activity in sop_for_institution(institution=institution).activities.all():
        entry = qs.filter(activity_entries_q(activity)).order_by(*order).first()
        if entry is not None:
            latest[activity.number] = entry
    return latest


def activity_state(
    *, activity: Activity, last_done: LedgerEntry | None, now: dt.datetime
) -> tuple[str, dt.datetime | None]:
    if last_done is None or last_done.ended_at is None:  # a done entry has ended; running ones are not "done"
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
    running = ledger_last_by_activity(institution=institution, site=site, running=True)
    statuses = []
    for activity in sop.activities.order_by("number"):
        done = last_done.get(activity.number)
        state, next_due = activity_state(activity=activity, last_done=done, now=now)
        statuses.append(
            ActivityStatus(
                activity=activity,
                last=last.get(activity.number),
                last_done=done,
                next_due=next_due,
                state=state,
                running=running.get(activity.number),
            )
        )
    return statuses


def activity_status_lists_by_site(
    *, institution: Institution, sites: Sequence[Site], now: dt.datetime | None = None
) -> dict[int, list[ActivityStatus]]:
    """:func:`activity_status_list` for many sites at once (an institution dashboard of hundreds of sites).

    A constant number of queries whatever the number of sites: the SOP, one query per kind of "latest"
    (finished, done, running) with one correlated subquery per activity, and one read of those entries.
    """
    now = now or clock.now()
    activities = list(sop_for_institution(institution=institution).activities.order_by("number"))
    site_ids = [site.pk for site in sites]
    if not site_ids:
        return {}
    latest_pks: dict[str, dict[tuple[int, int], int]] = {}
    for kind in ("last", "done", "running"):
        annotations: dict[str, Any] = {}
        for activity in activities:
            entries = LedgerEntry.objects.filter(activity_entries_q(activity), institution=institution).filter(
                site=models.OuterRef("pk")
            )
            if kind == "running":
                entries = entries.filter(outcome=Outcome.RUNNING).order_by("-started_at", "-pk")
            else:
                excluded = NOT_DONE if kind == "done" else (Outcome.RUNNING,)
                entries = entries.exclude(outcome__in=excluded).order_by("-ended_at", "-pk")
            annotations[f"a{activity.number}"] = models.Subquery(entries.values("pk")[:1])
        found: dict[tuple[int, int], int] = {}
        if annotations:
            for row in (
                Site.objects.filter(pk__in=site_ids).order_by().annotate(**annotations).values("pk", *annotations)
            ):
                for activity in activities:
                    if (pk := row[f"a{activity.number}"]) is not None:
                        found[(row["pk"], activity.number)] = pk
        latest_pks[kind] = found
    wanted = {pk for found in latest_pks.values() for pk in found.values()}
    entries_by_pk = LedgerEntry.objects.select_related("performed_by", "site").in_bulk(wanted)

    def latest(kind: str, site_id: int, activity: Activity) -> LedgerEntry | None:
        pk = latest_pks[kind].get((site_id, activity.number))
        return entries_by_pk.get(pk) if pk is not None else None

    result: dict[int, list[ActivityStatus]] = {}
    for site_id in site_ids:
        statuses = []
        for activity in activities:
            done = latest("done", site_id, activity)
            state, next_due = activity_state(activity=activity, last_done=done, now=now)
            statuses.append(
                ActivityStatus(
                    activity=activity,
                    last=latest("last", site_id, activity),
                    last_done=done,
                    next_due=next_due,
                    state=state,
                    running=latest("running", site_id, activity),
                )
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
    entries: list[LedgerEntry]  # the records of page ``page`` (``LEDGER_PAGE`` per page, newest first)
    running: int = 0
    interrupted: int = 0
    per_day: list[tuple[dt.date, int]] = field(default_factory=list)
    page: int = 1
    pages: int = 1

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
    *,
    institution: Institution,
    activity_number: int,
    start: dt.date,
    end: dt.date,
    site: Site | None = None,
    page: int = 1,
) -> Compliance:
    """Records of one activity started between ``start`` and ``end`` (inclusive, institution's calendar).

    The figures count every record of the period; ``entries`` holds one page of them (``LEDGER_PAGE``),
    ``page`` clamped to ``1..pages``.

    Running work counts in the total but not in the on-time rate (it has no duration yet); interrupted work
    counts as not on time.
    """
    sop = sop_for_institution(institution=institution)
    activity = sop.activities.get(number=activity_number)
    since, until = period_bounds(institution=institution, start=start, end=end)
    qs = _entries(institution=institution, site=site).filter(
        activity_entries_q(activity), started_at__gte=since, started_at__lt=until
    )
    counts = qs.aggregate(
        total=models.Count("pk"),
        with_standard=models.Count("pk", filter=models.Q(met_standard__isnull=False)),
        on_time=models.Count("pk", filter=models.Q(met_standard=True)),
        running=models.Count("pk", filter=models.Q(outcome=Outcome.RUNNING)),
        interrupted=models.Count("pk", filter=models.Q(outcome=Outcome.INTERRUPTED)),
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
    pages = max(1, -(-counts["total"] // LEDGER_PAGE))
    page = min(max(page, 1), pages)
    offset = (page - 1) * LEDGER_PAGE
    entries = list(qs.prefetch_related("evidence")[offset : offset + LEDGER_PAGE])
    return Compliance(
        activity=activity,
        start=start,
        end=end,
        total=counts["total"],
        with_standard=counts["with_standard"],
        on_time=counts["on_time"],
        running=counts["running"],
        interrupted=counts["interrupted"],
        entries=entries,
        per_day=per_day,
        page=page,
        pages=pages,
    )
