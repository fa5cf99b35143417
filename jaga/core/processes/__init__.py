"""Jaga's long-running processes: the web server, the worker, the scheduler and the ``jaga up`` supervisor.

The management commands (``jaga/core/management/commands`` for web, worker and scheduler; ``jaga/ops`` for
``jaga up``) only parse options and call these modules.
"""
