"""HTTP request headers are secrets: encrypt those stored in clear before this version (issue 14)."""

from typing import Any

from django.db import migrations


def encrypt_headers(apps: Any, schema_editor: Any) -> None:
    import json

    from jaga.core import fields
    from jaga.core.kindconfig import ENCRYPTED

    Monitor = apps.get_model("monitoring", "Monitor")
    for monitor in Monitor.objects.filter(kind="http").only("pk", "config"):
        headers = (monitor.config or {}).get("request_headers")
        if isinstance(headers, dict) and headers and set(headers) != {ENCRYPTED}:
            config = dict(monitor.config)
            config["request_headers"] = {ENCRYPTED: fields.encrypt(json.dumps(headers, ensure_ascii=False))}
            Monitor.objects.filter(pk=monitor.pk).update(config=config)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_compact_results_claims_series")]

    operations = [migrations.RunPython(encrypt_headers, migrations.RunPython.noop)]
