from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_evidence_packs")]

    operations = [
        migrations.AddField(
            model_name="evidencepack", name="owner_process", field=models.CharField(blank=True, max_length=64)
        ),
        migrations.AddField(
            model_name="evidencepack", name="owner_host", field=models.CharField(blank=True, max_length=255)
        ),
        migrations.AddField(
            model_name="evidencepack", name="owner_pid", field=models.PositiveIntegerField(blank=True, null=True)
        ),
    ]
