"""Jaga's long-running processes: the web server, the worker, the scheduler and the ``jaga up`` supervisor.

The management commands in ``jaga/core/management/commands`` only parse options and call these modules.
"""
