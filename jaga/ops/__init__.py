"""The commands that stand above the apps: ``jaga up``, ``jaga bootstrap`` and ``jaga demo``.

They put the apps together (seed the SOP, run every app's demo step, start every process), so they may
name any app; core and the apps never name this package.
"""
