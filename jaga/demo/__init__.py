"""The demo: a demo institution with people, SOP history and monitors, and a small court website that Jaga
itself serves under ``/demo-situs/`` so that every page has real data without internet (``jaga demo``).

Not a Django app (nothing to migrate): its templates are rendered by a private template engine.
"""
