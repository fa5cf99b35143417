from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Schedule(models.Model):
    """A recurring job. ``jaga scheduler`` enqueues ``task_path`` when ``next_run_at`` is due.

    A schedule runs either every ``interval_seconds`` or on a ``calendar`` (daily, weekly or monthly at a
    time of day, in the institution's time zone; see :class:`jaga.core.scheduling.Calendar`), never both.
    Claiming is a conditional UPDATE on ``next_run_at`` so that two schedulers, on two machines,
    never enqueue the same due run twice. A schedule with an ``owner`` is deleted with its owner.
    """

    key = models.CharField(_("kunci"), max_length=200, unique=True, help_text=_("Nama unik, mis. backup-plan:12"))
    task_path = models.CharField(_("tugas"), max_length=200, help_text=_("Path Python dari tugas django-tasks."))
    kwargs = models.JSONField(default=dict, blank=True)
    interval_seconds = models.PositiveIntegerField(_("selang (detik)"), null=True, blank=True)
    calendar = models.JSONField(_("kalender"), null=True, blank=True)
    next_run_at = models.DateTimeField(_("jalan berikutnya"), db_index=True)
    last_run_at = models.DateTimeField(_("jalan terakhir"), null=True, blank=True)
    last_enqueued_id = models.CharField(max_length=64, blank=True)
    enabled = models.BooleanField(_("aktif"), default=True)
    institution = models.ForeignKey(
        "core.Institution", on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    owner_content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("jenis pemilik")
    )
    owner_object_id = models.PositiveBigIntegerField(_("pemilik"), null=True, blank=True)
    owner = GenericForeignKey("owner_content_type", "owner_object_id")

    class Meta:
        ordering = ["next_run_at"]
        verbose_name = _("jadwal")
        verbose_name_plural = _("jadwal")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(interval_seconds__isnull=False, calendar__isnull=True)
                    | models.Q(interval_seconds__isnull=True, calendar__isnull=False)
                ),
                name="schedule_interval_xor_calendar",
            ),
        ]
        indexes = [models.Index(fields=["owner_content_type", "owner_object_id"], name="schedule_owner")]

    def __str__(self) -> str:
        return self.key


def ScheduleRelation() -> GenericRelation:
    """The field an owner model declares so that deleting an object deletes its schedules (cascade).

    ``schedule_ensure(owner=obj)`` refuses an owner whose model lacks it, so a deleted site or backup
    plan can never leave a schedule behind that fails at every run.
    """
    relation: GenericRelation = GenericRelation(
        "core.Schedule", content_type_field="owner_content_type", object_id_field="owner_object_id"
    )
    return relation


def has_schedule_relation(model: type[models.Model] | Any) -> bool:
    return any(
        isinstance(field, GenericRelation) and field.related_model is Schedule for field in model._meta.private_fields
    )
