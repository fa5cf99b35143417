"""Jaga: keeps a public institution's website up, current, backed up, safe and accounted for."""

__version__ = "0.1.0"
