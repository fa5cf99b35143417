"""Shared content parsing for the freshness, required-pages and integrity kinds.

``fetch`` reads pages through the probe's shared session with a byte cap and a decoding that never fails;
``html`` extracts visible text, links (with the reason a link is hidden) and metadata with selectolax;
``xmlfeeds`` parses sitemaps and RSS/Atom feeds without expanding entities; ``words`` matches the spam and
defacement word lists with word boundaries; ``dates`` finds dates in headers, metadata and Indonesian text.
"""
