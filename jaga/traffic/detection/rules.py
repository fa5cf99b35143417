"""Rules as data: one YAML file per rule, validated by its kind; Jaga's own and the installation's custom ones.

A rule file::

    key: sqli-probe                 # unique; a custom rule with the same key replaces Jaga's
    kind: signature                 # an entry of RULE_KINDS
    family: sqli                    # one of base.FAMILIES: the family precision and recall are measured for
    severity: tinggi                # rendah, sedang, tinggi, kritis
    label: {id: ..., en: ...}
    explanation: {id: ..., en: ...} # what it means
    advice: {id: ..., en: ...}      # what to do
    incident: true                  # a detection opens (or adds to) an incident (default true)
    config: {...}                   # the kind's Config
    tests:                          # each checked by the test suite and by ``jaga traffic rules --check``
      - {line: '<a combined log line>', match: true}
      - {line: '...', repeat: 30, every_seconds: 1, detect: true}
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError

from jaga.core.kindconfig import config_validate, messages_joined
from jaga.traffic.detection import RULE_KINDS
from jaga.traffic.detection.base import FAMILIES, SEVERITIES, Rule, RuleTest, Text

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "rules"
# libyaml's safe loader where PyYAML has it: the 29 rule files parse alike in 0.02 s instead of 0.15.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_cache: dict[tuple[Any, ...], list[Rule]] = {}
_lock = threading.Lock()


class RuleError(ValueError):
    """A rule file that cannot be used: the file, the field and what is wrong (Indonesian / English)."""


def _text(data: dict[str, Any], name: str, origin: str, *, required: bool = True) -> Text:
    value = data.get(name)
    if value is None and not required:
        return Text(id="", en="")
    if not isinstance(value, dict) or not value.get("id") or not value.get("en"):
        raise RuleError(f"{origin}: {name}: perlu 'id' dan 'en' / needs 'id' and 'en'")
    return Text(id=str(value["id"]).strip(), en=str(value["en"]).strip())


def _test_parse(test: Any, where: str, *, nested: bool = False) -> RuleTest:
    if not isinstance(test, dict) or not isinstance(test.get("line"), str):
        raise RuleError(f"{where}: perlu 'line' / needs 'line'")
    try:
        repeat, every = int(test.get("repeat", 1)), float(test.get("every_seconds", 1.0))
    except (TypeError, ValueError):
        raise RuleError(f"{where}: repeat dan every_seconds harus angka / must be numbers") from None
    if repeat < 1 or every < 0:
        raise RuleError(f"{where}: repeat paling sedikit 1 / at least 1; every_seconds >= 0")
    baseline = test.get("baseline")
    if baseline is not None and nested:
        raise RuleError(f"{where}: baseline tidak boleh bersarang / cannot be nested")
    return RuleTest(
        line=test["line"],
        match=test.get("match"),
        repeat=repeat,
        every_seconds=every,
        detect=test.get("detect"),
        baseline=_test_parse(baseline, f"{where}.baseline", nested=True) if baseline is not None else None,
    )


def rule_parse(data: Any, *, origin: str) -> Rule:
    """One rule from its parsed YAML; :class:`RuleError` naming the file and the field when it is wrong."""
    if not isinstance(data, dict):
        raise RuleError(f"{origin}: bukan objek YAML / not a YAML mapping")
    for name in ("key", "kind", "family", "severity", "config"):
        if name not in data:
            raise RuleError(f"{origin}: {name}: wajib diisi / required")
    key, kind = str(data["key"]), str(data["kind"])
    if kind not in RULE_KINDS:
        raise RuleError(f"{origin}: kind: jenis tidak dikenal / unknown kind {kind!r}")
    if data["family"] not in FAMILIES:
        raise RuleError(f"{origin}: family: keluarga tidak dikenal / unknown family {data['family']!r}")
    if data["severity"] not in SEVERITIES:
        raise RuleError(f"{origin}: severity: harus salah satu dari / must be one of {', '.join(SEVERITIES)}")
    try:
        config = config_validate(RULE_KINDS, kind, data["config"])
    except ValidationError as exc:
        raise RuleError(f"{origin}: config: {messages_joined(exc)}") from None
    tests = []
    for index, test in enumerate(data.get("tests") or []):
        tests.append(_test_parse(test, f"{origin}: tests.{index}"))
    return Rule(
        key=key,
        kind=kind,
        family=str(data["family"]),
        severity=str(data["severity"]),
        label=_text(data, "label", origin),
        explanation=_text(data, "explanation", origin),
        advice=_text(data, "advice", origin),
        config=config,
        tests=tuple(tests),
        origin=origin,
        incident=bool(data.get("incident", True)),
    )


def rules_read(folder: Path) -> list[Rule]:
    rules = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            raise RuleError(f"{path}: YAML tidak sah / invalid YAML: {exc}") from None
        rules.append(rule_parse(data, origin=str(path)))
    return rules


DB_STAMP_SECONDS = 10.0  # how long another process's change to the custom rules may go unseen
_db_stamp: list[Any] = [None, 0.0]  # (count, latest change) of the custom rules, when it was read


def rules_forget() -> None:
    """Read the rules again at the next use (a custom rule was saved or deleted in this process)."""
    with _lock:
        _cache.clear()
        _db_stamp[:] = [None, 0.0]


def _custom_stamp() -> Any:
    """(count, latest change) of the active custom rules, read at most every DB_STAMP_SECONDS."""
    import time

    from django.db.models import Count, Max

    from jaga.traffic.models import CustomRule

    now = time.monotonic()
    if _db_stamp[0] is None or now - _db_stamp[1] > DB_STAMP_SECONDS:
        found = CustomRule.objects.filter(is_active=True).aggregate(n=Count("pk"), latest=Max("updated_at"))
        _db_stamp[:] = [(found["n"], str(found["latest"])), now]
    return _db_stamp[0]


def _custom_rules() -> list[Rule]:
    """The custom rules of the database (checked when saved; one that no longer parses is left out, logged)."""
    import logging

    from jaga.traffic.models import CustomRule

    rules = []
    found = CustomRule.objects.filter(is_active=True).order_by("key").values_list("key", "text", "institution_id")
    for key, text, institution_id in found:
        try:
            rule = rule_parse(yaml.safe_load(text), origin=f"aturan khusus / custom rule {key}")
            rules.append(dataclasses.replace(rule, institution_id=institution_id))
        except (RuleError, yaml.YAMLError) as exc:
            logging.getLogger("jaga.traffic").warning("aturan khusus %s dilewati / custom rule skipped: %s", key, exc)
    return rules


def _rules(*, database: bool) -> list[Rule]:
    custom = getattr(settings, "JAGA_TRAFFIC_RULES_DIR", "") or ""
    folders = [BUILTIN_DIR] + ([Path(custom)] if custom else [])
    stamp: tuple[Any, ...] = tuple(
        (str(f), max((p.stat().st_mtime for p in f.glob("*.yaml")), default=0.0)) for f in folders
    )
    stamp += (_custom_stamp() if database else None,)
    with _lock:
        if stamp not in _cache:
            by_key: dict[str, Rule] = {}
            for folder in folders:
                for rule in rules_read(folder):
                    by_key[rule.key] = rule
            for rule in _custom_rules() if database else []:
                if rule.institution_id is None or rule.key not in by_key:  # one court's rule replaces nothing
                    by_key[rule.key] = rule
            if len(_cache) > 4:
                _cache.clear()
            _cache[stamp] = list(by_key.values())
        return _cache[stamp]


def rules_files() -> list[Rule]:
    """Jaga's rules, then the custom folder's (``JAGA_TRAFFIC_RULES_DIR``): no database needed."""
    return _rules(database=False)


def rules_all() -> list[Rule]:
    """The rules in force: :func:`rules_files`, then the custom rules of the database (the admin, ``jaga traffic
    rules --add``); a later one of the same key replaces an earlier."""
    return _rules(database=True)


def rules_for(*, institution_id: int | None) -> list[Rule]:
    """The rules in force for the sites of one institution: :func:`rules_all` without the other institutions'
    own custom rules."""
    return [rule for rule in rules_all() if rule.institution_id in (None, institution_id)]


def rule_get(key: str) -> Rule | None:
    return next((rule for rule in rules_all() if rule.key == key), None)
