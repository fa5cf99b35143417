"""Every form shows each error next to its own field, and every invalid field at once."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_site_form_shows_every_invalid_field_at_once_next_to_each(client: Client, staff) -> None:
    client.force_login(staff)
    body = client.post(
        reverse("core:site_create", kwargs={"slug": "pn-bangil"}),
        {"name": "", "base_url": "bukan alamat", "cms": "wordpress", "server_port": "bukan-angka"},
    ).content.decode()
    for field in ("name", "base_url", "server_port"):
        error = re.search(
            rf'<label for="id_{field}">.*?</label>\s*<ul class="errorlist" id="id_{field}_error">', body, re.S
        )
        assert error, f"{field}: its error is not right under its label"
        assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in body or re.search(
            rf'id="id_{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_{field}"', body
        )
        assert f'<a href="#id_{field}">' in body  # in the summary at the top, linked to the field
    assert body.index('class="form-errors"') < body.index('id="id_name"')


def test_a_valid_form_has_no_error_summary() -> None:
    class Sample(forms.Form):
        nama = forms.CharField()

    assert "form-errors" not in str(Sample(data={"nama": "isi"}))
    assert "form-errors" in str(Sample(data={}))


def test_an_error_of_the_whole_form_stands_at_the_top() -> None:
    class Sample(forms.Form):
        nama = forms.CharField()

        def clean(self) -> dict[str, object]:
            raise forms.ValidationError("Gabungan isian ini tidak sah.")

    rendered = str(Sample(data={"nama": "isi"}))
    assert re.search(r'class="form-errors".*Gabungan isian ini tidak sah\.', rendered, re.S)


def test_a_checkbox_stands_before_its_own_label_on_one_line() -> None:
    class Sample(forms.Form):
        publik = forms.BooleanField(label="Tampilkan di halaman status publik", help_text="Bantuan.", required=False)
        catatan = forms.CharField(label="Catatan")

    rendered = str(Sample())
    box = re.search(
        r'<div class="check"><input type="checkbox" name="publik"[^>]*id="id_publik"[^>]*>\s*'
        r'<label for="id_publik">Tampilkan di halaman status publik</label></div>',
        rendered,
    )
    assert box, rendered
    assert 'aria-describedby="id_publik_helptext"' in box.group(0)
    assert '<label for="id_catatan">Catatan:</label>' in rendered  # every other field keeps its label above


def test_an_invalid_checkbox_keeps_its_error_and_summary() -> None:
    class Sample(forms.Form):
        setuju = forms.BooleanField(label="Saya setuju")

    rendered = str(Sample(data={}))
    assert '<a href="#id_setuju">Saya setuju</a>' in rendered
    assert re.search(r'<ul class="errorlist" id="id_setuju_error">.*?</ul>\s*<div class="check"><input', rendered, re.S)
    assert 'aria-invalid="true"' in rendered


class _NameForm(forms.Form):
    name = forms.CharField()


def test_a_services_errors_go_on_their_fields_and_the_rest_above_the_form() -> None:
    from django.core.exceptions import ValidationError

    from jaga.core.forms import form_errors_add

    form = _NameForm({"name": "x"})
    assert form.is_valid()
    form_errors_add(form, ValidationError({"name": "Nama sudah dipakai.", "slug": "Singkatan sudah dipakai."}))
    form_errors_add(form, ValidationError("Situs tidak aktif."))
    assert form.errors["name"] == ["Nama sudah dipakai."]
    assert form.non_field_errors() == ["Singkatan sudah dipakai.", "Situs tidak aktif."]
