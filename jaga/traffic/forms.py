"""The traffic app's forms: an institution's own detection rule (YAML, checked and its test lines run before it is
saved)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jaga.core.models import Institution
from jaga.traffic.detection.base import Rule
from jaga.traffic.detection.rules import RuleError

# What a new rule's text area starts with: a signature rule whose two test lines pass, to change.
EXAMPLE = """\
key: sipp-lama
kind: signature
family: sensitive
severity: sedang
label: {id: Akses ke alamat SIPP lama, en: Access to the old SIPP address}
explanation:
  id: Alamat SIPP lama sudah dimatikan; yang masih memintanya mungkin tautan usang atau pemindai.
  en: The old SIPP address was switched off; whoever still asks for it follows an old link or scans.
advice:
  id: Periksa perujuknya; bila pemindai, blokir alamatnya.
  en: Check the referrer; if it is a scanner, block the address.
config:
  match: {path: ['^/sipp-lama/']}
tests:
  - line: '203.0.113.9 - - [01/Nov/2026:09:00:00 +0700] "GET /sipp-lama/login HTTP/1.1" 200 512 "-" "Mozilla/5.0"'
    match: true
  - line: '203.0.113.9 - - [01/Nov/2026:09:00:00 +0700] "GET /sipp/ HTTP/1.1" 200 512 "-" "Mozilla/5.0"'
    match: false
"""


class CustomRuleForm(forms.Form):
    text = forms.CharField(
        label=_("Aturan (YAML)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code", "autocapitalize": "off"}),
        help_text=_(
            "Bentuk yang sama dengan berkas aturan Jaga (docs/traffic.md, “Rules are data”), dengan sedikitnya satu "
            "baris uji. Semua baris uji dijalankan sebelum aturan disimpan; aturan yang gagal tidak disimpan."
        ),
    )
    is_active = forms.BooleanField(label=_("Aktif"), required=False, initial=True)

    def __init__(self, *args: Any, institution: Institution, rule_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institution, self.rule_id = institution, rule_id
        self.rule: Rule | None = None

    def clean_text(self) -> str:
        from jaga.traffic.services.rules import custom_rule_check, custom_rule_key_problem

        text = str(self.cleaned_data["text"]).replace("\r\n", "\n")
        try:
            rule = custom_rule_check(text)
        except RuleError as exc:
            raise forms.ValidationError([line for line in str(exc).splitlines() if line.strip()]) from None
        problem = custom_rule_key_problem(rule, institution_id=self.institution.pk, editing=self.rule_id)
        if problem:
            raise forms.ValidationError(problem)
        self.rule = rule
        return text
