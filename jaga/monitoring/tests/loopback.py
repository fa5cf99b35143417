"""Loopback servers for the monitoring tests (the helper lives in :mod:`jaga.core.testing`)."""

from jaga.core.testing import LoopbackServer, free_port

__all__ = ["LoopbackServer", "free_port"]
