"""Every kind through the web form (create, then edit), secrets masked for every reader, names and CA files."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from jaga.core.kindconfig import ENCRYPTED, MASK
from jaga.core.services import api_token_create
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.models import Monitor

pytestmark = pytest.mark.django_db

BASE = {
    "interval_seconds": 60,
    "timeout_seconds": 10,
    "retries": 1,
    "failures_before_down": 2,
    "required_agreement": 1,
    "enabled": "on",
}
FILL = {"tcp": {"cfg_port": "22"}}  # what the site cannot pre-fill


def posted_back(form: Any) -> dict[str, Any]:
    """What a browser sends for a form left as it was shown."""
    data: dict[str, Any] = {"kind": form.kind_name}
    for bound in [*form.base_bound_fields(), *form.config_bound_fields()]:
        value = bound.value()
        if isinstance(bound.field.widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif value is not None:
            data[bound.html_name] = value
    return data


@pytest.mark.parametrize("kind", REGISTRY.keys())
def test_every_kind_is_created_and_edited_through_the_web_form(
    client: Client, staff: Any, site: Any, kind: str
) -> None:
    client.force_login(staff)
    url = reverse("monitoring:monitor_create", args=[site.pk])
    page = client.get(url, {"kind": kind})
    assert page.status_code == 200
    text = page.content.decode()
    for name in REGISTRY.get(kind).Config.model_fields:
        assert f'name="cfg_{name}"' in text
        assert f">{name}<" not in text  # a label, never the raw field name
    data = {**posted_back(page.context["form"]), **BASE, "name": f"Monitor {kind}", **FILL.get(kind, {})}
    created = client.post(url, data)
    assert created.status_code == 302, created.context["form"].errors if created.context else created
    monitor = Monitor.objects.get(name=f"Monitor {kind}")
    version = monitor.settings_version

    edit_url = reverse("monitoring:monitor_edit", args=[monitor.pk])
    form = client.get(edit_url).context["form"]
    edited = client.post(edit_url, {**posted_back(form), "name": f"Monitor {kind} (ubah)"})
    assert edited.status_code == 302, edited.context["form"].config_form.errors if edited.context else edited
    before = dict(monitor.config)
    monitor.refresh_from_db()
    assert monitor.name == f"Monitor {kind} (ubah)"
    assert monitor.config == before  # the form shown and sent back changes nothing...
    assert monitor.settings_version == version  # ...and starts no new series


def test_the_address_is_pre_filled_from_the_site(client: Client, staff: Any, site: Any) -> None:
    client.force_login(staff)
    form = client.get(reverse("monitoring:monitor_create", args=[site.pk]), {"kind": "http"}).context["form"]
    assert form.config_form["url"].value() == site.base_url
    assert form.config_form["url"].label == "Alamat halaman"


def test_required_pages_are_a_check_list_and_unticking_one_removes_it(client: Client, staff: Any, site: Any) -> None:
    client.force_login(staff)
    url = reverse("monitoring:monitor_create", args=[site.pk])
    form = client.get(url, {"kind": "required_pages"}).context["form"]
    data = {**posted_back(form), **BASE, "name": "SK KMA"}
    assert "profil" in data["cfg_pages"]
    data["cfg_pages"] = [key for key in data["cfg_pages"] if key != "profil"]
    assert client.post(url, data).status_code == 302
    keys = [page["key"] for page in Monitor.objects.get(name="SK KMA").config["pages"]]
    assert "profil" not in keys
    assert "struktur_organisasi" in keys


def test_a_name_longer_than_the_column_is_a_translated_error(client: Client, staff: Any, site: Any) -> None:
    client.force_login(staff)
    url = reverse("monitoring:monitor_create", args=[site.pk])
    form = client.get(url, {"kind": "http"}).context["form"]
    response = client.post(url, {**posted_back(form), **BASE, "name": "x" * 250})
    assert response.status_code == 200
    assert "paling banyak 200 karakter" in " ".join(response.context["form"].errors["name"])


def test_a_missing_ca_file_is_refused_when_saving(client: Client, staff: Any, site: Any, tmp_path: Any) -> None:
    client.force_login(staff)
    url = reverse("monitoring:monitor_create", args=[site.pk])
    form = client.get(url, {"kind": "tls"}).context["form"]
    data = {**posted_back(form), **BASE, "name": "TLS"}
    response = client.post(url, {**data, "cfg_ca_file": "/tidak/ada/ca.pem"})
    assert "tidak ada di server Jaga" in " ".join(response.context["form"].config_form.errors["ca_file"])
    not_pem = tmp_path / "bukan.pem"
    not_pem.write_text("bukan sertifikat")
    response = client.post(url, {**data, "cfg_ca_file": str(not_pem)})
    assert "bukan sertifikat CA" in " ".join(response.context["form"].config_form.errors["ca_file"])
    assert not Monitor.objects.filter(name="TLS").exists()


# --- secrets ------------------------------------------------------------------------------------------


@pytest.fixture
def secret_monitor(client: Client, staff: Any, site: Any) -> Monitor:
    client.force_login(staff)
    url = reverse("monitoring:monitor_create", args=[site.pk])
    form = client.get(url, {"kind": "http"}).context["form"]
    data = {**posted_back(form), **BASE, "name": "Intranet"}
    data["cfg_request_headers"] = "Authorization: Bearer rahasia-sekali\nX-Cabang: Bangil"
    assert client.post(url, data).status_code == 302
    client.logout()
    return Monitor.objects.get(name="Intranet")


def test_request_headers_are_stored_encrypted(secret_monitor: Monitor) -> None:
    stored = secret_monitor.config["request_headers"]
    assert set(stored) == {ENCRYPTED}
    assert "rahasia-sekali" not in json.dumps(secret_monitor.config)


def test_the_probe_gets_the_plain_headers(secret_monitor: Monitor) -> None:
    from jaga.monitoring.kinds.base import validate_config

    config = validate_config(REGISTRY.get("http"), secret_monitor.config)
    assert config.request_headers == {"Authorization": "Bearer rahasia-sekali", "X-Cabang": "Bangil"}


@pytest.mark.parametrize("reader", ["staff", "auditor"])
def test_no_reader_of_the_api_sees_a_secret(
    client: Client, secret_monitor: Monitor, institution: Any, reader: str, request: Any
) -> None:
    raw = api_token_create(user=request.getfixturevalue(reader), institution=institution, name="uji")[1]
    answer = client.get(f"/api/monitors/{secret_monitor.pk}", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 200
    assert "rahasia" not in answer.content.decode()
    assert answer.json()["config"]["request_headers"] == {"Authorization": MASK, "X-Cabang": MASK}


def test_the_operator_sees_only_that_a_value_is_set_and_keeps_or_replaces_it(
    client: Client, staff: Any, secret_monitor: Monitor
) -> None:
    client.force_login(staff)
    edit_url = reverse("monitoring:monitor_edit", args=[secret_monitor.pk])
    page = client.get(edit_url)
    assert "rahasia" not in page.content.decode()
    data = posted_back(page.context["form"])
    assert data["cfg_request_headers"] == f"Authorization: {MASK}\nX-Cabang: {MASK}"
    data["cfg_request_headers"] = f"Authorization: {MASK}\nX-Cabang: Pasuruan"  # keep one, replace one
    assert client.post(edit_url, data).status_code == 302
    from jaga.core.kindconfig import config_plain

    secret_monitor.refresh_from_db()
    assert config_plain(secret_monitor.config)["request_headers"] == {
        "Authorization": "Bearer rahasia-sekali",
        "X-Cabang": "Pasuruan",
    }
    data["cfg_request_headers"] = ""  # cleared
    assert client.post(edit_url, data).status_code == 302
    secret_monitor.refresh_from_db()
    assert (
        "request_headers" not in config_plain(secret_monitor.config)
        or not config_plain(secret_monitor.config)["request_headers"]
    )


def test_the_auditor_never_sees_the_edit_form(client: Client, auditor: Any, secret_monitor: Monitor) -> None:
    client.force_login(auditor)
    assert client.get(reverse("monitoring:monitor_edit", args=[secret_monitor.pk])).status_code == 403
    page = client.get(reverse("monitoring:monitor_detail", args=[secret_monitor.pk])).content.decode()
    assert "rahasia" not in page


def test_an_api_client_writing_the_masked_config_back_keeps_the_secret(
    client: Client, staff: Any, institution: Any, secret_monitor: Monitor
) -> None:
    raw = api_token_create(user=staff, institution=institution, name="uji")[1]
    auth = {"Authorization": f"Bearer {raw}"}
    config = client.get(f"/api/monitors/{secret_monitor.pk}", headers=auth).json()["config"]
    config["keyword"] = "Pengadilan"
    answer = client.patch(
        f"/api/monitors/{secret_monitor.pk}",
        data=json.dumps({"config": config}),
        content_type="application/json",
        headers=auth,
    )
    assert answer.status_code == 200, answer.content
    from jaga.core.kindconfig import config_plain

    secret_monitor.refresh_from_db()
    plain = config_plain(secret_monitor.config)
    assert plain["request_headers"]["Authorization"] == "Bearer rahasia-sekali"
    assert plain["keyword"] == "Pengadilan"


def test_the_api_names_a_bad_field_by_its_path(client: Client, staff: Any, institution: Any, site: Any) -> None:
    raw = api_token_create(user=staff, institution=institution, name="uji")[1]
    body = {
        "site_id": site.pk,
        "name": "x",
        "kind": "required_pages",
        "config": {"base_url": "https://pn.go.id/", "pages": [{"key": "a"}]},
    }
    answer = client.post(
        "/api/monitors",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert answer.status_code == 422
    assert ["body", "config", "pages", "0", "title"] in [error["loc"] for error in answer.json()["detail"]]


def test_headers_stored_in_clear_by_an_older_version_are_encrypted_by_the_migration(site: Any) -> None:
    import importlib

    from django.apps import apps

    from jaga.core.kindconfig import config_plain

    old = Monitor.objects.create(
        site=site,
        name="Lama",
        kind="http",
        config={"url": "http://127.0.0.1:9/", "request_headers": {"X-Token": "abc"}},
    )
    migration = importlib.import_module("jaga.monitoring.migrations.0004_kinds_encrypt_request_headers")
    migration.encrypt_headers(apps, None)
    old.refresh_from_db()
    assert set(old.config["request_headers"]) == {ENCRYPTED}
    assert config_plain(old.config)["request_headers"] == {"X-Token": "abc"}


def test_the_kind_picker_describes_each_kind_in_words(client: Client, staff: Any, site: Any) -> None:
    client.force_login(staff)
    page = client.get(reverse("monitoring:monitor_create", args=[site.pk])).content.decode()

    for entry in REGISTRY:
        assert str(entry.label) in page
        assert str(entry.description) in page
        assert f">{entry.key}<" not in page  # never the kind's code


def test_changing_the_kind_swaps_only_the_configuration_part(client: Client, staff: Any, site: Any) -> None:
    client.force_login(staff)
    url = reverse("monitoring:monitor_create", args=[site.pk])
    page = client.get(url, {"kind": "http"}).content.decode()
    assert f'hx-get="{url}"' in page
    assert 'hx-target="#config-fields"' in page

    swapped = client.get(url, {"kind": "tls"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="config-fields"' in swapped
    assert 'name="cfg_warn_days"' in swapped
    assert 'name="cfg_keyword"' not in swapped


@pytest.fixture
def loopback_site(site: Any) -> Any:
    from aiohttp import web

    from jaga.monitoring.tests.loopback import LoopbackServer

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="<html><body>Selamat datang di PN Contoh</body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/", hello)
    site.institution.allow_internal_addresses = True
    site.institution.save(update_fields=["allow_internal_addresses"])
    with LoopbackServer(app) as server:
        yield server.url("/")


def test_test_now_runs_one_check_and_saves_nothing(client: Client, staff: Any, site: Any, loopback_site: str) -> None:
    from jaga.monitoring.models import CheckResult

    client.force_login(staff)
    url = reverse("monitoring:monitor_test", args=[site.pk])
    shown = client.get(reverse("monitoring:monitor_create", args=[site.pk]), {"kind": "http"}).context["form"]
    data = {**posted_back(shown), **BASE, "name": "Beranda", "cfg_url": loopback_site, "cfg_keyword": "Selamat datang"}

    partial = client.post(url, data, HTTP_HX_REQUEST="true")
    missing = client.post(url, {**data, "cfg_keyword": "Tidak ada di halaman"}, HTTP_HX_REQUEST="true")
    full = client.post(url, data)  # without JavaScript: the whole form again, with the result

    assert partial.status_code == 200
    text = partial.content.decode()
    assert 'data-status="up"' in text
    assert "Hasil uji (belum disimpan)" in text
    assert 'data-status="down"' in missing.content.decode()
    assert 'data-status="up"' in full.content.decode()
    assert 'name="cfg_url"' in full.content.decode()
    assert Monitor.objects.count() == 0
    assert CheckResult.objects.count() == 0


def test_test_now_asks_for_a_valid_configuration_first(client: Client, staff: Any, site: Any) -> None:
    client.force_login(staff)
    url = reverse("monitoring:monitor_test", args=[site.pk])

    response = client.post(url, {"kind": "http", **BASE, "cfg_url": "bukan alamat"}, HTTP_HX_REQUEST="true")

    assert "Perbaiki isian konfigurasi dulu" in response.content.decode()


def test_test_now_is_for_operators_only(client: Client, auditor: Any, site: Any) -> None:
    client.force_login(auditor)
    response = client.post(reverse("monitoring:monitor_test", args=[site.pk]), {"kind": "http"})
    assert response.status_code == 403
