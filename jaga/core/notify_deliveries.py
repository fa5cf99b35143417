"""Sending recorded deliveries: one attempt at a time, claimed atomically, retried with back-off.

A delivery is attempted by the ``quick`` queue's task right after ``notify()`` records it. An attempt that
fails plans the next one after 1 minute, then 5 minutes, 30 minutes and 2 hours; after the fifth attempt the
delivery is given up and shown as failed. The retries are sent by :func:`notification_deliveries_retry_due`,
which the scheduler runs every minute. Every attempt first claims the delivery with one conditional UPDATE
(PostgreSQL and SQLite alike), so that two workers, or a worker and the sweep, never send it twice; a worker
killed in the middle of a send leaves a claim that expires, and the sweep tries again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import F, Q

from jaga.core import clock, notify_transport, scheduling
from jaga.core.models import DeliveryStatus, Institution, NotificationChannel, NotificationDelivery

logger = logging.getLogger(__name__)

# The wait before the 2nd, 3rd, 4th and 5th attempt; then the delivery is given up.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1
# How long an attempt may take before another worker may take the delivery over (a killed worker).
CLAIM_LEASE = timedelta(minutes=10)
RETRY_SCHEDULE_KEY = "notification-retries"
RETRY_TASK = "jaga.core.tasks.notification_deliveries_retry"
RETRY_INTERVAL_SECONDS = 60


# --- the channel's own state (its last success and last error) -----------------------------------------


def notification_channels_failing(*, institution: Institution) -> list[NotificationChannel]:
    """Enabled channels whose last attempt failed (the same rule as ``NotificationChannel.is_failing``)."""
    return list(
        NotificationChannel.objects.filter(institution=institution, enabled=True, last_error_at__isnull=False).filter(
            Q(last_success_at__isnull=True) | Q(last_error_at__gte=F("last_success_at"))
        )
    )


def notification_channel_record(*, channel_id: int, error: str | None) -> None:
    """Record a send's outcome on the channel (a plain UPDATE: machine bookkeeping, not audited)."""
    now = clock.now()
    if error is None:
        NotificationChannel.objects.filter(pk=channel_id).update(last_success_at=now)
    else:
        NotificationChannel.objects.filter(pk=channel_id).update(last_error=error[:2000], last_error_at=now)


# --- one attempt ------------------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    """Deliveries whose (next) attempt has come, and those whose claim expired (a worker died sending it)."""
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_until__lt=now
    )


def notification_delivery_claim(*, delivery_id: int) -> NotificationDelivery | None:
    """Take the delivery for one attempt, or None when it is not due or someone else has it."""
    now = clock.now()
    claimed = (
        NotificationDelivery.objects.filter(_due(now), pk=delivery_id)
        .exclude(attempts__gte=F("max_attempts"))
        .update(
            status=DeliveryStatus.SENDING,
            claimed_until=now + CLAIM_LEASE,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    )
    if claimed != 1:
        return None
    return NotificationDelivery.objects.select_related("channel").get(pk=delivery_id)


def notification_delivery_attempt(*, delivery_id: int) -> str | None:
    """Claim and send one delivery; record the outcome. Returns the new status, or None if not claimed.

    Never raises: a failure is recorded on the delivery and the channel, and a retry is planned.
    """
    try:
        delivery = notification_delivery_claim(delivery_id=delivery_id)
    except Exception:
        logger.exception("could not claim notification delivery %s", delivery_id)
        return None
    if delivery is None:
        return None
    error, permanent = "", False
    try:
        _send(delivery)
    except notify_transport.NotificationError as exc:
        error, permanent = str(exc), exc.permanent
    except Exception as exc:  # apprise or a plugin failing in a way nobody foresaw: still only this delivery
        error = str(exc) or type(exc).__name__
    if error:
        logger.warning("notification delivery %s (channel %s) failed: %s", delivery.pk, delivery.channel_id, error)
    return _attempt_finish(delivery, error=error, permanent=permanent)


def _send(delivery: NotificationDelivery) -> None:
    channel = delivery.channel
    if channel is None:
        raise notify_transport.NotificationError("saluran sudah dihapus", permanent=True)
    if not channel.enabled:
        raise notify_transport.NotificationError("saluran dinonaktifkan sebelum pesan terkirim", permanent=True)
    url = channel.url
    if delivery.recipients and notify_transport.url_addresses_people(url):
        url = notify_transport.url_with_recipients(url, delivery.recipients, replace=True)
    notify_transport.send(
        url=url,
        title=delivery.title,
        body=delivery.body,
        severity=delivery.severity,
        attachments=list(delivery.attachments or []),
    )


def _attempt_finish(delivery: NotificationDelivery, *, error: str, permanent: bool) -> str:
    now = clock.now()
    history = [*(delivery.history or []), {"at": now.isoformat(timespec="seconds"), "error": error[:500]}]
    changes: dict[str, object] = {"claimed_until": None, "history": history}
    if not error:
        status = DeliveryStatus.PARTIAL if delivery.shortfall else DeliveryStatus.SENT
        changes.update(status=status, sent_at=now, error="", next_attempt_at=None)
    elif permanent or delivery.attempts >= delivery.max_attempts:
        status = DeliveryStatus.FAILED
        changes.update(status=status, error=error[:2000], next_attempt_at=None)
    else:
        status = DeliveryStatus.PENDING
        wait = BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
        changes.update(status=status, error=error[:2000], next_attempt_at=now + wait)
    # Only the attempt that holds the claim writes its outcome (a claim taken over after it expired wins).
    written = NotificationDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts
    ).update(**changes)
    if not written:
        logger.warning("notification delivery %s: claim taken over; outcome %s not written", delivery.pk, status)
    if delivery.channel_id is not None:
        channel_error = "; ".join(part for part in (error, delivery.shortfall) if part) or None
        notification_channel_record(channel_id=delivery.channel_id, error=channel_error)
    if status == DeliveryStatus.PENDING:
        try:
            notification_deliveries_retry_ensure()
        except Exception:
            logger.exception("could not schedule the notification retries")
    return status


# --- retries ----------------------------------------------------------------------------------------------


def notification_deliveries_retry_ensure() -> None:
    """Make sure the scheduler runs the retry sweep every minute (idempotent)."""
    scheduling.schedule_ensure(key=RETRY_SCHEDULE_KEY, task_path=RETRY_TASK, interval_seconds=RETRY_INTERVAL_SECONDS)


def notification_deliveries_retry_due(*, limit: int = 100) -> int:
    """Attempt every delivery that is due (a retry whose time has come, a claim that expired). Returns how
    many this call attempted; a delivery another worker claimed first is left to it."""
    now = clock.now()
    due = list(
        NotificationDelivery.objects.filter(_due(now))
        .exclude(attempts__gte=F("max_attempts"))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    attempted = 0
    for delivery_id in due:
        if notification_delivery_attempt(delivery_id=delivery_id) is not None:
            attempted += 1
    _expired_give_up(now)
    return attempted


def _expired_give_up(now: datetime) -> None:
    """A delivery whose last attempt was claimed and never finished (its worker died) is given up."""
    NotificationDelivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_until__lt=now, attempts__gte=F("max_attempts")
    ).update(status=DeliveryStatus.FAILED, claimed_until=None, next_attempt_at=None, error="proses pengirim berhenti")


def notification_delivery_resend(*, delivery: NotificationDelivery) -> bool:
    """Send a given-up delivery again (after its channel was fixed), with a fresh round of retries.

    False when there is nothing to resend: not failed, or failed before any attempt (nobody to send to)."""
    if delivery.status != DeliveryStatus.FAILED or delivery.attempts == 0:
        return False
    now = clock.now()
    updated = NotificationDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now, max_attempts=F("attempts") + MAX_ATTEMPTS
    )
    return bool(updated)


def notification_deliveries_recent(
    *, channels: list[NotificationChannel], limit: int = 5
) -> dict[int, list[NotificationDelivery]]:
    """The last ``limit`` deliveries of each channel (one query per channel: an institution has a few)."""
    return {
        channel.pk: list(NotificationDelivery.objects.filter(channel=channel).order_by("-created_at", "-id")[:limit])
        for channel in channels
    }
