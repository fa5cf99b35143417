"""The monitoring rounds declared before schedules had owners: owned by their site from now on.

A round whose site was deleted already failed at every run; it is deleted here.
"""

from django.db import migrations


def rounds_owned_by_their_site(apps, schema_editor):  # type: ignore[no-untyped-def]
    Schedule = apps.get_model("core", "Schedule")
    Site = apps.get_model("core", "Site")
    ContentType = apps.get_model("contenttypes", "ContentType")
    site_type, _created = ContentType.objects.get_or_create(app_label="core", model="site")
    for schedule in Schedule.objects.filter(key__startswith="monitoring-round:", owner_object_id__isnull=True):
        site_id = schedule.kwargs.get("site_id") if isinstance(schedule.kwargs, dict) else None
        if site_id is None or not Site.objects.filter(pk=site_id).exists():
            schedule.delete()
            continue
        schedule.owner_content_type_id = site_type.pk
        schedule.owner_object_id = site_id
        schedule.save(update_fields=["owner_content_type", "owner_object_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0003_schedule_calendar_owner_process_beat"),
        ("monitoring", "0001_initial"),
    ]

    operations = [migrations.RunPython(rounds_owned_by_their_site, migrations.RunPython.noop)]
