from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("backups", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="repository",
            name="removed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dilepas"),
        ),
        migrations.AddField(
            model_name="repository",
            name="data_removed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="data restic dihapus"),
        ),
        migrations.AddField(
            model_name="plan",
            name="removed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="diarsipkan"),
        ),
        migrations.AlterField(
            model_name="plan",
            name="is_active",
            field=models.BooleanField(
                default=True,
                help_text="Rencana nonaktif tidak dijalankan jadwalnya; riwayatnya tetap.",
                verbose_name="aktif",
            ),
        ),
    ]
