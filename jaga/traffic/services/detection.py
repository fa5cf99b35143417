# ruff: noqa: S608 - SQL over DuckDB built from paths, ids and timestamps, never from a request
"""A detection round: the lines of batches not analysed yet, every rule over them, detections stored.

Each committed ingestion batch is analysed exactly once: the round reads the new batches' lines, plus the
earlier lines of the same hours as context for the behaviour buckets (a slow brute force spans rounds), runs
the rules, adds what the new lines contributed to each :class:`Detection`, and marks the batches analysed,
in one transaction. Then, outside it, each detection of a rule that asks for one opens (or adds to) the
site's incident for that rule, and the round is recorded in the SOP ledger as an execution of activity 3.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from jaga.core import clock
from jaga.core.models import Site
from jaga.core.rows import rows_update
from jaga.core.sentences import say, sentence_dump
from jaga.core.useragent import user_agent
from jaga.traffic.detection import anomaly, engine
from jaga.traffic.detection.base import Finding, Rule
from jaga.traffic.detection.rules import rules_for
from jaga.traffic.ingest import store
from jaga.traffic.logformats.base import sql_quote
from jaga.traffic.models import AllowedNetwork, Detection, IngestBatch
from jaga.traffic.services.ingest import store_connection

CONTEXT_MAX = timedelta(hours=12)  # how far back a bucket may look for the lines before the new ones
SAMPLES_KEPT = 5
ADDRESSES_KEPT = 50


@dataclass
class DetectRound:
    site: Site
    started_at: datetime
    ended_at: datetime | None = None
    batches: int = 0
    lines: int = 0
    findings: int = 0
    detections: list[Detection] = field(default_factory=list)


def _context(rules: list[Rule]) -> timedelta:
    longest = 0.0
    for rule in rules:
        config = rule.config
        if hasattr(config, "capacity"):
            longest = max(longest, float(config.capacity) * float(config.leak_seconds))
    return min(CONTEXT_MAX, timedelta(seconds=longest))


def _lines(con: Any, *, site: Site, batch_ids: list[int], rules: list[Rule]) -> list[Any] | None:
    """The new batches' lines (``is_new``) and, as context, the earlier lines of the same hours: Arrow tables of
    :data:`engine.SOURCE_COLUMNS` and ``is_new``, for :func:`engine.events_prepare`.

    The new lines come from memory when this process ingested them (see :func:`store.recent_lines`), else from
    their Parquet files; the context is always read from the files of the other batches.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = ", ".join(engine.SOURCE_COLUMNS)
    new_files = {p for b in batch_ids for p in store.site_dir(site.pk).glob(f"day=*/b{int(b)}_*.parquet")}
    probe = user_agent()
    kept = store.recent_lines(batch_ids)
    if kept is not None:
        if kept.num_rows == 0:
            return None
        span = pc.min_max(kept.column("ts")).as_py()
        first, last, last_day = span["min"], span["max"], pc.max(kept.column("day")).as_py()
        new = kept.select(list(engine.SOURCE_COLUMNS))
    elif new_files:
        listed = "[" + ", ".join(sql_quote(str(p)) for p in sorted(new_files)) + "]"
        new = con.sql(f"SELECT {columns} FROM read_parquet({listed}, hive_partitioning=false)").to_arrow_table()
        if new.num_rows == 0:
            return None
        span = pc.min_max(new.column("ts")).as_py()
        first, last = span["min"], span["max"]
        last_day = max(p.parent.name.removeprefix("day=") for p in new_files)
    else:
        return None
    if first is None:
        return None
    parts = [new.append_column("is_new", pa.repeat(True, new.num_rows))]
    since = first - _context(rules)
    context = [
        p
        for d in store.site_dir(site.pk).glob("day=*")
        if since.date().isoformat() <= d.name.removeprefix("day=") <= str(last_day)
        for p in d.glob("*.parquet")
        if p not in new_files
    ]
    if context:
        window = (
            f"ts BETWEEN {sql_quote(since.isoformat())}::TIMESTAMPTZ AND {sql_quote(last.isoformat())}::TIMESTAMPTZ"
        )
        listed = "[" + ", ".join(sql_quote(str(p)) for p in sorted(context)) + "]"
        parts.append(
            con.sql(f"""
                SELECT {columns}, false AS is_new FROM read_parquet({listed}, hive_partitioning=false)
                WHERE {window} AND agent <> {sql_quote(probe)}
            """).to_arrow_table()
        )
    return parts


_CHANGED = ("count", "first_seen", "last_seen", "clients", "addresses", "samples", "severity", "family", "private")


def _store_all(site: Site, found: list[tuple[Rule, Finding]], now: datetime) -> list[tuple[Rule, Detection]]:
    """Add each finding to its rule's detection of that key (made when new): one query to read the existing
    detections, one insert and one update statement for all of them (a round of a million lines makes hundreds)."""
    keys = sorted({finding.key[:200] for _rule, finding in found})
    existing: dict[tuple[str, str], Detection] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for known in Detection.objects.select_for_update().filter(site=site, key__in=chunk):
            existing[(known.rule_key, known.key)] = known
    made: dict[tuple[str, str], Detection] = {}
    changed: dict[int, Detection] = {}
    stored: list[tuple[Rule, Detection]] = []
    for rule, finding in found:
        key = finding.key[:200]
        addresses = finding.addresses[:ADDRESSES_KEPT]
        private = bool(finding.addresses) and all(engine.address_private(a) for a in addresses)
        current = existing.get((rule.key, key)) or made.get((rule.key, key))
        if current is None:
            detection = Detection(
                site=site,
                rule_key=rule.key,
                family=rule.family,
                severity=rule.severity,
                scope=finding.scope,
                key=key,
                first_seen=finding.first_seen,
                last_seen=finding.last_seen,
                count=finding.count,
                clients=finding.clients,
                addresses=addresses,
                samples=finding.samples[:SAMPLES_KEPT],
                private=private,
                updated_at=now,
            )
            made[(rule.key, key)] = detection
        else:
            detection = current
            detection.count += finding.count
            detection.first_seen = min(detection.first_seen, finding.first_seen)
            detection.last_seen = max(detection.last_seen, finding.last_seen)
            detection.clients = max(detection.clients, finding.clients)
            detection.addresses = sorted(set(detection.addresses) | set(finding.addresses))[:ADDRESSES_KEPT]
            detection.samples = (detection.samples + finding.samples)[-SAMPLES_KEPT:]
            detection.severity, detection.family, detection.private = rule.severity, rule.family, private
            detection.updated_at = now
            if detection.pk is not None:
                changed[detection.pk] = detection
        stored.append((rule, detection))
    if made:
        Detection.objects.bulk_create(list(made.values()), batch_size=500)
        if any(d.pk is None for d in made.values()):  # a database that does not return the new ids
            ids = {
                (d.rule_key, d.key): d.pk
                for d in Detection.objects.filter(site=site, key__in=[k for _r, k in made]).only("rule_key", "key")
            }
            for made_key, detection in made.items():
                detection.pk = ids[made_key]
    rows_update(list(changed.values()), [*_CHANGED, "updated_at"])
    return stored


KEYS_NAMED = 5  # keys named in an incident's summary and a notification; the page lists them all


def _named(detections: list[Detection]) -> str:
    top = sorted(detections, key=lambda d: -d.count)
    named = ", ".join(f"{d.key} ({d.count})" for d in top[:KEYS_NAMED])
    return named + (f" +{len(top) - KEYS_NAMED}" if len(top) > KEYS_NAMED else "")


def _incidents(site: Site, groups: list[tuple[Rule, list[Detection]]]) -> None:
    """The site's incident of each rule that found something, all in one call of the incidents service, whatever
    the number of rules and detections; each detection is linked to its rule's incident."""
    from jaga.incidents.services import IncidentReport, incidents_open_or_update

    if not groups:
        return
    reports = []
    for rule, detections in groups:
        latest = max(detections, key=lambda d: d.last_seen)
        reports.append(
            IncidentReport(
                site=site,
                kind="traffic_detection",
                cause_key=f"traffic:{rule.key}",
                summary=f"{rule.label.id} / {rule.label.en}: {_named(detections)}"[:500],
                details={
                    "rule": rule.key,
                    "family": rule.family,
                    "keys": [d.key for d in detections][:ADDRESSES_KEPT],
                    "detections": len(detections),
                    "count": sum(d.count for d in detections),
                    "first_seen": min(d.first_seen for d in detections).isoformat(),
                    "last_seen": latest.last_seen.isoformat(),
                    "samples": latest.samples[:3],
                },
                severity=rule.severity,
                at=latest.last_seen,
                source="traffic",
            )
        )
    linked = []
    for (_rule, detections), incident in zip(groups, incidents_open_or_update(reports=reports), strict=True):
        for detection in detections:
            if detection.incident_id != incident.pk:
                linked.append(detection)
            detection.incident = incident
    rows_update(linked, ["incident"])


def _routed(site: Site) -> bool:
    """Whether any channel hears ``traffic.detection`` from the site's institution: asked once per round, not
    once per rule (``notify`` asks the same and does nothing without one)."""
    from jaga.core.notifications import notification_audiences_for

    try:
        return bool(notification_audiences_for(institution=site.institution, event_type="traffic.detection"))
    except Exception:  # notify's own look-up logs it and sends nothing; so does the round
        return True


def _announce(site: Site, detections: list[Detection], rule: Rule) -> None:
    """One ``traffic.detection`` message per rule and round (a scan of 500 addresses is one message, not 500)."""
    from jaga.core.notifications import notify

    latest = max(detections, key=lambda d: d.last_seen)
    notify(
        institution=site.institution,
        event_type="traffic.detection",
        title=_("%(rule)s: %(key)s (%(site)s)"),
        body=_("%(count)s permintaan, %(first)s sampai %(last)s.\n%(sample)s"),
        params={
            "rule": str(rule.label),
            "key": _named(detections),
            "site": site.name,
            "count": sum(d.count for d in detections),
            "first": min(d.first_seen for d in detections),
            "last": latest.last_seen,
            "sample": (latest.samples or [""])[0],
        },
        site=site,
        link=f"/traffic/{site.institution.slug}/situs/{site.pk}/deteksi/",
    )


def traffic_detect(*, site: Site, rules: list[Rule] | None = None, record: bool = True, con: Any = None) -> DetectRound:
    """Analyse the site's batches not analysed yet; the round with the detections it added to. ``con``: the
    connection of :func:`~jaga.traffic.services.ingest.store_connection` the ingestion used (else one is opened)."""
    rules = rules if rules is not None else rules_for(institution_id=site.institution_id)
    result = DetectRound(site=site, started_at=clock.now())
    batch_ids = list(
        IngestBatch.objects.filter(
            source_file__source__site=site, state=IngestBatch.State.COMMITTED, analysed=False
        ).values_list("pk", flat=True)
    )
    if batch_ids:
        _round(site, rules, batch_ids, result, con)
    result.ended_at = clock.now()
    if record:
        _ledger(result)
    return result


def _round(site: Site, rules: list[Rule], batch_ids: list[int], result: DetectRound, given: Any) -> None:
    with nullcontext(given) if given is not None else store_connection() as con:
        lines = _lines(con, site=site, batch_ids=batch_ids, rules=rules)
        found: list[tuple[Rule, Finding]] = []
        if lines is not None:
            allow = AllowedNetwork.objects.filter(institution=site.institution).values_list("network", flat=True)
            engine.events_prepare(con, lines=lines, allow=list(allow), skip_agents=[user_agent()])
            # hook (trafficfeat): the rate anomalies' baseline, the same hours of the previous weeks
            anomaly.history_load(
                con, rules=rules, folder=store.site_dir(site.pk), batch_ids=batch_ids, allow=list(allow),
                skip_agent=user_agent(),
            )  # fmt: skip
            result.lines = int(con.execute("SELECT count(*) FROM ev_f WHERE is_new").fetchall()[0][0])
            found = engine.findings_run(con, rules)
    now = clock.now()
    with transaction.atomic():
        stored = _store_all(site, found, now)
        IngestBatch.objects.filter(pk__in=batch_ids).update(analysed=True)
    store.recent_forget(batch_ids)
    result.batches, result.findings = len(batch_ids), len(found)
    result.detections = [d for _rule, d in stored]
    by_rule: dict[str, tuple[Rule, list[Detection]]] = {}
    for rule, detection in stored:
        by_rule.setdefault(rule.key, (rule, []))[1].append(detection)
    _incidents(site, [(rule, detections) for rule, detections in by_rule.values() if rule.incident])
    if by_rule and _routed(site):
        for rule, detections in by_rule.values():
            _announce(site, detections, rule)


def _ledger(result: DetectRound) -> None:
    from jaga.sop.services import ledger_record

    site = result.site
    # A sentence, read in each reader's language on the ledger's pages (jaga.sop.selectors.ledger_notes_lines).
    notes = sentence_dump(
        say(
            gettext_noop("%(lines)s baris baru dianalisis, %(findings)s temuan"),
            lines=result.lines,
            findings=result.findings,
        )
    )
    ledger_record(
        activity_key="traffic",
        institution=site.institution,
        site=site,
        started_at=result.started_at,
        ended_at=result.ended_at or clock.now(),
        outcome="success",
        notes=notes,
    )
