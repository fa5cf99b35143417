"""Activity keys (the ledger is written by key, not by number), running and interrupted ledger entries.

Until now Jaga recorded its work by the PN Bangil numbers (monitoring as 1, ...): the existing activities
numbered 1 to 7 get those keys, and the existing entries the key of their activity.
"""

import jaga.sop.keys
from django.conf import settings
from django.db import migrations, models


KEYS_BY_NUMBER = {
    1: "monitoring",
    2: "backup",
    3: "traffic",
    4: "renewal",
    5: "report",
    6: "incident_action",
    7: "troubleshooting",
}


def keys_from_numbers(apps, schema_editor):  # type: ignore[no-untyped-def]
    Activity = apps.get_model("sop", "Activity")
    LedgerEntry = apps.get_model("sop", "LedgerEntry")
    for number, key in KEYS_BY_NUMBER.items():
        Activity.objects.filter(number=number, key="").update(key=key)
    for activity in Activity.objects.exclude(key=""):
        LedgerEntry.objects.filter(activity=activity).update(activity_key=activity.key)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('sop', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='activity',
            name='key',
            field=models.CharField(blank=True, default='', help_text='Pekerjaan Jaga yang dicatat pada aktivitas ini, mis. backup; kosong untuk aktivitas lain.', max_length=40, validators=[jaga.sop.keys.validate_activity_key], verbose_name='kunci aktivitas'),
        ),
        migrations.AddField(
            model_name='ledgerentry',
            name='activity_key',
            field=models.CharField(blank=True, default='', max_length=40, verbose_name='kunci aktivitas'),
        ),
        migrations.AddField(
            model_name='ledgerentry',
            name='owner_host',
            field=models.CharField(blank=True, max_length=255, verbose_name='mesin pelaksana'),
        ),
        migrations.AddField(
            model_name='ledgerentry',
            name='owner_pid',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='PID pelaksana'),
        ),
        migrations.AddField(
            model_name='ledgerentry',
            name='owner_process',
            field=models.CharField(blank=True, max_length=64, verbose_name='proses pelaksana'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='duration',
            field=models.DurationField(blank=True, null=True, verbose_name='durasi'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='ended_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='selesai'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='outcome',
            field=models.CharField(choices=[('success', 'Berhasil'), ('partial', 'Sebagian'), ('failure', 'Gagal'), ('interrupted', 'Terputus'), ('running', 'Sedang berjalan')], max_length=12, verbose_name='hasil'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['institution', 'activity_key', '-ended_at'], name='ledger_inst_key_ended'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['site', 'activity_key', '-ended_at'], name='ledger_site_key_ended'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(condition=models.Q(('outcome', 'running')), fields=['outcome'], name='ledger_running'),
        ),
        migrations.AddConstraint(
            model_name='activity',
            constraint=models.UniqueConstraint(condition=models.Q(('key', ''), _negated=True), fields=('sop', 'key'), name='activity_unique_key_per_sop'),
        ),
        migrations.RunPython(keys_from_numbers, migrations.RunPython.noop),
    ]
