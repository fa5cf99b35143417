"""``jaga probe``: run the monitor engine until SIGTERM/SIGINT (or one round with ``--once``)."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jaga.core.processes.actor import process_actor
from jaga.monitoring.engine import ProbeEngine

logger = logging.getLogger("jaga.probe")


class Command(BaseCommand):
    # Django's system checks import every URL module and API router (0.8 CPU s at every start); `jaga check`
    # and the test suite run them.
    requires_system_checks: list[str] = []
    help = "Menjalankan probe pemantauan / runs the monitoring probe."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Satu putaran lalu berhenti / one round, then exit.")
        parser.add_argument("--name", default=None, help="Nama probe (bawaan: JAGA_PROBE_NAME atau nama host).")
        parser.add_argument(
            "--concurrency", type=int, default=None, help="Pemeriksaan serentak (JAGA_PROBE_CONCURRENCY)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        engine = ProbeEngine(name=options["name"], concurrency=options["concurrency"])
        with process_actor("probe"):  # the audit trail names the probe for the status changes it writes
            asyncio.run(self._main(engine, once=options["once"]))

    async def _main(self, engine: ProbeEngine, *, once: bool) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, engine.stop)
        if once:
            async with engine:
                done = await engine.run_once()
            logger.info("probe %s: %d pemeriksaan / checks", engine.name, done)
            return
        logger.info("probe %s: berjalan, %d serentak / running", engine.name, engine.concurrency)
        await engine.run()
        logger.info("probe %s: berhenti setelah %d pemeriksaan / stopped", engine.name, engine.checks_done)
