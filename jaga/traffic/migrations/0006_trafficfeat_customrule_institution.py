import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("traffic", "0005_custom_rules_site_scope"),
    ]

    operations = [
        migrations.AddField(
            model_name="customrule",
            name="institution",
            field=models.ForeignKey(
                blank=True,
                help_text="Kosong: berlaku untuk semua situs instalasi ini.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="traffic_custom_rules",
                to="core.institution",
                verbose_name="institusi",
            ),
        ),
    ]
