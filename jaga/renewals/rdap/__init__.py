"""RDAP (RFC 9082/9083) for domain expiry: the IANA bootstrap registry, a small client over ``jaga.core.http``.

- :mod:`.bootstrap`: which RDAP server answers for a domain (IANA's ``dns.json``, carried with Jaga in
  ``jaga/renewals/data/`` and refreshed by ``jaga renewals rdap-bootstrap-refresh`` into the data folder);
- :mod:`.client`: one query, every failure a readable reason (timeouts, refusals, malformed JSON);
- :mod:`.parse`: the expiration event, registrar, status and name servers of a domain object;
- :mod:`.lookup`: the cached look-up the register uses.

No maintained RDAP library fits: whoisit (the best known) sends through requests/httpx of its own, keeps
its bootstrap as process-wide state that needs all five IANA files, and accepts only https servers, so it
would bypass Jaga's one HTTP wrapper (its address guard, user agent, size caps and timeouts) and could not
be tested on loopback without a certificate authority. What it would save is a page of parsing.
"""
