"""Jaga's long-running processes: the web server, the worker, the scheduler and the ``jaga up`` supervisor.

The management commands (core's own for web, worker and scheduler; the one above the apps for ``jaga up``)
only parse options and call these modules.
"""
