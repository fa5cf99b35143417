"""Writes for monitoring: monitors (create, update, pause), probe results in batches, status transitions.

The probe engine calls :func:`results_write_batch`; forms, the API and tasks call the monitor services.
Outside hooks (notifications, maintenance windows, the ``monitor_status_changed`` signal that the incidents
app listens to) never lose a result: a failing one is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from jaga.core import clock, kindconfig, scheduling
from jaga.core.kindconfig import KindConfig
from jaga.monitoring import announce, rollups, signals
from jaga.monitoring.engine import store
from jaga.monitoring.findings import findings_sync
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.kinds.base import CheckOutcome, Status
from jaga.monitoring.maintenance import MaintenanceIndex
from jaga.monitoring.models import CheckResult, Finding, Monitor, MonitorStatus, Probe, StatusChange
from jaga.monitoring.reasons import ENGINE, reason_dump

logger = logging.getLogger(__name__)

MIN_INTERVAL_SECONDS = 10
MAX_INTERVAL_SECONDS = 7 * 24 * 3600
FAILED = frozenset({Status.DOWN.value})
# A monitor's own settings as people edit them (forms, API); its kind and configuration come besides.
MONITOR_SETTINGS_FIELDS = (
    "name",
    "interval_seconds",
    "timeout_seconds",
    "retries",
    "failures_before_down",
    "required_agreement",
    "is_public",
)
EDITABLE_FIELDS = ("kind", "config", *MONITOR_SETTINGS_FIELDS)


# --- monitors ---------------------------------------------------------------------------------


def monitor_config_clean(
    *, kind: str, config: dict[str, Any] | KindConfig, stored: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The configuration as stored (secrets encrypted), validated ONCE by the one validator.

    ``config``: a dict (the API, tasks) or the model a form already validated with the same validator.
    ``stored``: the monitor's stored configuration, so that a masked secret sent back keeps its value.
    Raises ``ValidationError`` keyed ``config.<field path>`` (``kind`` for an unknown kind).
    """
    if isinstance(config, KindConfig) and kind in REGISTRY and type(config) is REGISTRY.get(kind).Config:
        return kindconfig.config_dump(config)
    try:
        model = kindconfig.config_validate(REGISTRY, kind, config, stored=kindconfig.config_plain(stored))
    except ValidationError as exc:
        raise ValidationError(
            {key if key == "kind" else f"config.{key}": value for key, value in exc.error_dict.items()}
        ) from None
    return kindconfig.config_dump(model)


def _limits_clean(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    interval = values.get("interval_seconds")
    timeout = values.get("timeout_seconds")
    if interval is not None and not MIN_INTERVAL_SECONDS <= int(interval) <= MAX_INTERVAL_SECONDS:
        errors["interval_seconds"] = [
            f"Selang harus {MIN_INTERVAL_SECONDS}-{MAX_INTERVAL_SECONDS} detik / interval out of range"
        ]
    if timeout is not None and not 0.5 <= float(timeout) <= 120:
        errors["timeout_seconds"] = ["Batas waktu harus 0,5-120 detik / timeout must be 0.5-120 s"]
    if interval is not None and timeout is not None and float(timeout) >= int(interval):
        errors.setdefault("timeout_seconds", []).append(
            "Batas waktu harus lebih pendek dari selang / timeout must be shorter than the interval"
        )
    if "retries" in values and not 0 <= int(values["retries"]) <= 5:
        errors["retries"] = ["Ulangan harus 0-5 / retries must be 0-5"]
    if "failures_before_down" in values and not 1 <= int(values["failures_before_down"]) <= 20:
        errors["failures_before_down"] = ["Harus 1-20 / must be 1-20"]
    if "required_agreement" in values and int(values["required_agreement"]) not in (1, 2):
        errors["required_agreement"] = ["Harus 1 atau 2 / must be 1 or 2"]
    if "name" in values and not str(values["name"]).strip():
        errors["name"] = ["Nama wajib diisi / name is required"]
    elif "name" in values:
        name, limit = str(values["name"]).strip(), Monitor._meta.get_field("name").max_length or 200
        if len(name) > limit:
            errors["name"] = [
                gettext("Nama paling panjang %(limit)s karakter (sekarang %(count)s).")
                % {"limit": limit, "count": len(name)}
            ]
        elif "\x00" in name:
            errors["name"] = [gettext("Karakter NUL tidak diperbolehkan.")]
    if errors:
        raise ValidationError(errors)


def monitor_create(
    *,
    site: Any,
    name: str,
    kind: str,
    config: dict[str, Any] | KindConfig,
    interval_seconds: int = 60,
    timeout_seconds: float = 10.0,
    retries: int = 1,
    failures_before_down: int = 2,
    required_agreement: int = 1,
    enabled: bool = True,
    is_public: bool = False,
) -> Monitor:
    """Create a monitor after validating its kind's configuration; it is due at once."""
    cleaned = monitor_config_clean(kind=kind, config=config)
    values: dict[str, Any] = {
        "name": name.strip(),
        "interval_seconds": interval_seconds,
        "timeout_seconds": timeout_seconds,
        "retries": retries,
        "failures_before_down": failures_before_down,
        "required_agreement": required_agreement,
    }
    _limits_clean(values)
    monitor = Monitor.objects.create(
        site=site,
        kind=kind,
        config=cleaned,
        enabled=enabled,
        is_public=is_public,
        status=MonitorStatus.UNKNOWN if enabled else MonitorStatus.PAUSED,
        status_since=clock.now(),
        next_check_at=clock.now() if enabled else None,
        **values,
    )
    monitoring_schedules_ensure(site=site)
    return monitor


def monitor_update(*, monitor: Monitor, **changes: Any) -> Monitor:
    """Change editable fields; kind and config are validated together. Unknown fields are an error."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({"__all__": [f"Kolom tidak dapat diubah / not editable: {', '.join(sorted(unknown))}"]})
    kind = changes.get("kind", monitor.kind)
    if "kind" in changes or "config" in changes:
        changes["config"] = monitor_config_clean(
            kind=kind,
            config=changes.get("config", kindconfig.config_plain(monitor.config)),
            stored=monitor.config if kind == monitor.kind else None,
        )
    merged = {f: changes.get(f, getattr(monitor, f)) for f in EDITABLE_FIELDS if f != "config"}
    _limits_clean(merged)
    changes = {name: value.strip() if name == "name" else value for name, value in changes.items()}
    changes = {name: value for name, value in changes.items() if getattr(monitor, name) != value}
    if "config" in changes and kindconfig.config_plain(changes["config"]) == kindconfig.config_plain(monitor.config):
        del changes["config"]  # the same settings (a secret is encrypted anew each time it is saved)
    for name, value in changes.items():
        setattr(monitor, name, value)
    update_fields = [*changes, "updated_at"]
    if set(Monitor.SERIES_FIELDS) & set(changes):
        # A new series (``Monitor.save`` moves ``settings_version``): a check still running with the old
        # settings will be stored but move nothing, and failures counted so far do not count against it.
        monitor.consecutive_failures = 0
        monitor.confirm_exclude_probe = ""
        monitor.confirm_until = None
        update_fields += ["consecutive_failures", "confirm_exclude_probe", "confirm_until"]
    if {"kind", "config", "interval_seconds"} & set(changes) and monitor.enabled:
        monitor.next_check_at = clock.now()  # check the new settings soon, not after the old interval
        update_fields.append("next_check_at")
    if "kind" in changes:
        monitor.state = {}
        update_fields.append("state")
    monitor.save(update_fields=update_fields)
    return monitor


def monitor_pause(*, monitor: Monitor, paused: bool = True, at: datetime | None = None) -> Monitor:
    """Pause (no checks, no alerts) or resume a monitor; the change is kept as a status change."""
    now = at or clock.now()
    if paused == (not monitor.enabled):
        return monitor
    old = monitor.status
    new = MonitorStatus.PAUSED if paused else MonitorStatus.UNKNOWN
    with transaction.atomic():
        monitor.enabled = not paused
        monitor.status = new
        monitor.status_since = now
        monitor.status_reason = reason_dump(ENGINE("paused" if paused else "resumed"))
        monitor.consecutive_failures = 0
        monitor.next_check_at = None if paused else now
        monitor.claimed_by = ""
        monitor.claim_token = ""
        monitor.claimed_until = None
        monitor.save()
        StatusChange.objects.create(
            monitor=monitor, at=now, from_status=old, to_status=new, reason=monitor.status_reason
        )
    return monitor


def monitoring_schedules_ensure(*, site: Any) -> None:
    """Make sure the site's 2-hour monitoring round (the SOP's monitoring activity) is scheduled into the ledger."""
    scheduling.schedule_ensure(
        key=f"monitoring-round:{site.id}",
        task_path="jaga.monitoring.tasks.monitoring_round_record",
        interval_seconds=7200,
        kwargs={"site_id": site.id},
        institution=site.institution,
        owner=site,  # a deleted site takes its round with it
        first_run_at=clock.now() + timedelta(seconds=7200),  # the first round covers two hours of checks
    )


# --- probe results ----------------------------------------------------------------------------


@dataclass
class ResultRecord:
    """One finished check, as the engine hands it to :func:`results_write_batch`."""

    monitor_id: int
    probe: str
    checked_at: datetime
    outcome: CheckOutcome
    state: dict[str, Any] | None = None  # the kind's state after the check (None = unchanged)
    next_check_at: datetime | None = None  # None = checked_at + interval
    # The claim the check ran under: written only while the monitor is still claimed with this token
    # (None: a write outside a claim, e.g. a test or an import).
    claim_token: str | None = None
    # The monitor's settings when the check started: an older version is stored but moves nothing.
    settings_version: int | None = None
    lag_ms: float | None = None  # due time to start


@dataclass
class Transition:
    monitor_id: int
    from_status: str
    to_status: str
    reason: str  # as stored (jaga.monitoring.reasons): read it with reason_read
    at: datetime
    probes: list[str] = field(default_factory=list)
    in_maintenance: bool = False


def _result_row(record: ResultRecord) -> tuple[Any, ...]:
    outcome = record.outcome
    details = outcome.details
    if "lag_ms" in details:  # the engine's figure has its own column
        details = {k: v for k, v in details.items() if k != "lag_ms"}
    lag = record.lag_ms
    response = outcome.response_ms
    return (
        record.monitor_id,
        record.probe,
        record.checked_at.replace(microsecond=0),  # to the second: the row and its index stay small
        outcome.status.value,
        None if response is None else float(round(response)),  # whole ms are stored as small integers
        reason_dump(outcome.stored),
        details,
        None if lag is None else max(0, round(lag)),
    )


def results_write_batch(
    *, records: Sequence[ResultRecord], probe_name: str, now: datetime | None = None
) -> list[Transition]:
    """Store a batch of results, move monitor statuses, keep findings; then notify outside the transaction.

    A result is dropped (and logged) when the probe no longer owns the claim it ran under: its lease lapsed
    and another probe took the monitor. A result of a check started before the monitor's settings changed
    is stored but moves neither the status nor the schedule. Returns the status transitions that happened
    (each also stored as a :class:`StatusChange`).
    """
    if not records:
        return []
    now = now or clock.now()
    transitions: list[Transition] = []
    with transaction.atomic():
        rollups.results_batch_lock()  # PostgreSQL: the rollup run waits for this batch before it counts
        rows = store.rows_read([r.monitor_id for r in records])
        kept: list[ResultRecord] = []
        current: list[ResultRecord] = []  # kept, and made with the monitor's current settings
        for record in sorted(records, key=lambda r: r.checked_at):
            row = rows.get(record.monitor_id)
            if row is None:
                continue  # the monitor was deleted meanwhile
            if record.claim_token is not None and record.claim_token != row.claim_token:
                logger.warning(
                    "monitor %s: result of probe %s dropped, its claim was lost (now: %s)",
                    record.monitor_id,
                    record.probe,
                    row.claimed_by or "-",
                )
                continue
            kept.append(record)
            if record.settings_version is not None and record.settings_version != row.settings_version:
                # Checked with the old settings: the new series starts with the next check.
                row.claimed_by, row.claim_token, row.claimed_until, row.changed = "", "", None, True
                continue
            current.append(record)
            transition = _status_apply(row, record)
            if transition is not None:
                transitions.append(transition)
        store.results_insert([_result_row(r) for r in kept])
        _maintenance_mark(transitions, rows)
        to_review = findings_sync(current)
        store.rows_write(rows.values())
        StatusChange.objects.bulk_create(
            [
                StatusChange(
                    monitor_id=t.monitor_id,
                    at=t.at,
                    from_status=t.from_status,
                    to_status=t.to_status,
                    reason=t.reason,
                    probes=t.probes,
                    in_maintenance=t.in_maintenance,
                )
                for t in transitions
            ]
        )
        if not store.probe_count(probe_name=probe_name, now=now, checks=len(kept)):
            Probe.objects.get_or_create(name=probe_name, defaults={"last_seen": now, "checks_total": len(kept)})
    if transitions or to_review:
        monitors = Monitor.objects.select_related("site__institution").in_bulk(
            {t.monitor_id for t in transitions} | {f.monitor_id for f in to_review}
        )
        for transition in transitions:
            if transition.monitor_id in monitors:
                _transition_announce(monitors[transition.monitor_id], transition)
        by_monitor: dict[int, list[Finding]] = {}
        for finding in to_review:
            by_monitor.setdefault(finding.monitor_id, []).append(finding)
        for monitor_id, found in by_monitor.items():
            if monitor_id in monitors:
                announce.findings_review_notify(monitors[monitor_id], found)
    return transitions


def _status_apply(monitor: Any, record: ResultRecord) -> Transition | None:
    """Move the monitor's status for one result. Never DOWN on one probe's single failure.

    ``monitor`` is a :class:`~jaga.monitoring.engine.store.MonitorRow` (or a Monitor: same attributes).
    """
    outcome = record.outcome
    status = outcome.status.value
    monitor.changed = True
    monitor.last_checked_at = record.checked_at
    monitor.claimed_by = ""
    monitor.claim_token = ""
    monitor.claimed_until = None
    if record.state is not None:
        monitor.state_new = record.state
    if outcome.response_ms is not None:
        monitor.last_response_ms = outcome.response_ms
    monitor.next_check_at = record.next_check_at or record.checked_at + timedelta(seconds=monitor.interval_seconds)
    if not monitor.enabled:
        monitor.next_check_at = None
        return None
    if monitor.confirm_exclude_probe and monitor.confirm_exclude_probe != record.probe:
        monitor.confirm_exclude_probe = ""  # another probe has given its view
        monitor.confirm_until = None

    if status == Status.PROBE_OFFLINE.value:
        return None  # the probe cannot see the internet: say nothing about the site

    new: str | None
    probes = [record.probe]
    if status in FAILED:
        monitor.consecutive_failures += 1
        new = None
        if monitor.consecutive_failures >= monitor.failures_before_down:
            if monitor.required_agreement >= 2:
                agreeing = _probes_failing(monitor, record)
                if len(agreeing) >= 2:
                    new, probes = MonitorStatus.DOWN, agreeing
                else:
                    _confirmation_request(monitor, record)
            else:
                new = MonitorStatus.DOWN
    else:
        monitor.consecutive_failures = 0
        new = MonitorStatus.UP if status == Status.UP.value else MonitorStatus.DEGRADED

    reason = reason_dump(outcome.stored)
    if new is None or new == monitor.status:
        if new == monitor.status:
            monitor.status_reason = reason
        return None
    transition = Transition(
        monitor_id=monitor.pk,
        from_status=monitor.status,
        to_status=new,
        reason=reason,
        at=record.checked_at,
        probes=probes,
    )
    monitor.status = new
    monitor.status_since = record.checked_at
    monitor.status_reason = reason
    return transition


def _probes_failing(monitor: Any, record: ResultRecord) -> list[str]:
    """Probes whose LATEST result for this monitor, within two intervals, is a failure (this one included:
    it is not stored yet when the batch decides)."""
    since = record.checked_at - timedelta(seconds=2 * monitor.interval_seconds)
    latest: dict[str, str] = {}
    rows = (
        CheckResult.objects.filter(monitor_id=monitor.pk, checked_at__gte=since, checked_at__lte=record.checked_at)
        .exclude(status=Status.PROBE_OFFLINE.value)
        .order_by("checked_at", "id")
        .values_list("probe", "status")
    )
    for probe, status in rows:
        latest[probe] = status  # ordered by time: the last one wins
    latest[record.probe] = record.outcome.status.value
    return sorted(p for p, s in latest.items() if s in FAILED)


def _confirmation_request(monitor: Any, record: ResultRecord) -> None:
    """Ask another probe to look now: this probe may not claim the monitor until then (or until it expires)."""
    monitor.confirm_exclude_probe = record.probe
    monitor.confirm_until = record.checked_at + timedelta(seconds=2 * monitor.interval_seconds)
    monitor.next_check_at = record.checked_at


def _maintenance_mark(transitions: list[Transition], monitors: dict[int, Any]) -> None:
    """Flag transitions inside a maintenance window: one query for the whole batch."""
    if not transitions:
        return
    try:
        index = MaintenanceIndex.build(
            monitor_sites={t.monitor_id: monitors[t.monitor_id].site_id for t in transitions},
            start=min(t.at for t in transitions),
            end=max(t.at for t in transitions) + timedelta(microseconds=1),
        )
        for t in transitions:
            t.in_maintenance = index.in_maintenance(t.monitor_id, t.at)
    except Exception:
        logger.exception("maintenance check failed; alerts are not suppressed")


def _transition_announce(monitor: Monitor, transition: Transition) -> None:
    """Notify (the kind chooses the event type), then tell the listening apps (incidents). A failing hook is
    logged and never loses the result."""
    try:
        announce.transition_notify(monitor, transition)
    except Exception:
        logger.exception("notify failed for monitor %s", monitor.pk)
    for receiver, error in signals.monitor_status_changed.send_robust(
        sender=Monitor, monitor=monitor, transition=transition
    ):
        if isinstance(error, Exception):
            logger.error("monitor %s: receiver %s failed: %r", monitor.pk, receiver, error, exc_info=error)


# --- claims -----------------------------------------------------------------------------------

LEASE_SECONDS = 10.0  # a claim lapses this long after its last renewal: a killed probe's work is soon free


def monitors_claim_due(
    *,
    probe_name: str,
    now: datetime,
    limit: int,
    lease_seconds: float = LEASE_SECONDS,
    token: str = "",
    lookahead_seconds: float = 0.0,
) -> list[Any]:
    """Atomically take up to ``limit`` due monitors for this probe (process ``token``).

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` inside the claiming UPDATE, so probes on several machines never
    take the same monitor; SQLite: the IMMEDIATE transaction holds the write lock. A claim is a lease
    (``claimed_until``) that the probe renews while the check runs (:func:`monitors_claims_renew`); if the
    probe dies the lease lapses within ``lease_seconds`` and any probe takes the monitor. ``next_check_at``
    stays the due time. With ``token`` the claims are returned as
    :class:`~jaga.monitoring.engine.store.Claim`; without one (older callers, tests) as Monitor objects.
    """
    if limit <= 0:
        return []
    with transaction.atomic():
        claims = store.claim(
            probe_name=probe_name,
            token=token or probe_name,
            now=now,
            due_before=now + timedelta(seconds=lookahead_seconds),
            lease_until=now + timedelta(seconds=lease_seconds),
            limit=limit,
        )
    if token:
        return claims
    monitors = Monitor.objects.in_bulk([c.monitor_id for c in claims])
    return [monitors[c.monitor_id] for c in claims if c.monitor_id in monitors]


def monitors_claims_renew(*, token: str, monitor_ids: Sequence[int], now: datetime, lease_seconds: float) -> int:
    """Extend the leases of the checks this probe process is still running; returns how many it still owns."""
    if not monitor_ids:
        return 0
    with transaction.atomic():
        return store.renew(token=token, monitor_ids=monitor_ids, until=now + timedelta(seconds=lease_seconds))


def monitors_release(*, probe_name: str, monitor_ids: Sequence[int], now: datetime, token: str = "") -> int:
    """Give back claims that were not checked (the probe is stopping): due again at once."""
    if not monitor_ids:
        return 0
    with transaction.atomic():
        return store.release(monitor_ids=monitor_ids, now=now, token=token, probe_name=probe_name)


def probe_heartbeat(
    *,
    probe_name: str,
    now: datetime,
    control_ok: bool | None = None,
    version: str = "",
    stats: dict[str, int | None] | None = None,
) -> Probe:
    """The probe is alive; with ``stats`` also how it keeps up (lag percentiles, checks behind, unwritten)."""
    probe, _ = Probe.objects.get_or_create(name=probe_name)
    probe.last_seen = now
    fields = ["last_seen"]
    if control_ok is not None:
        probe.control_ok = control_ok
        probe.control_checked_at = now
        fields += ["control_ok", "control_checked_at"]
    if version:
        probe.version = version
        fields.append("version")
    for name, value in (stats or {}).items():
        if name in PROBE_STATS:
            setattr(probe, name, value if value is not None or name.startswith("lag_") else 0)
            fields.append(name)
    probe.save(update_fields=fields)
    return probe


PROBE_STATS = ("lag_p50_ms", "lag_p99_ms", "lag_max_ms", "checks_last_minute", "behind", "unwritten")
