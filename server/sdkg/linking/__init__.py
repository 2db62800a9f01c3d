"""Links from sdkg to external linked-data sources (Wikidata, ROR, GeoNames, DBpedia, UN SDG).

- :mod:`sdkg.linking.sources` reads ``link_sources.toml``: what each source's
  identifiers look like and what is pulled from it.
- :mod:`sdkg.linking.ourdata` reads our own data and finds its external links.
- :mod:`sdkg.linking.cache` writes a source's cache file in ``data/external/``.
- :mod:`sdkg.linking.ror` imports a ROR data dump (``sdkg link import-ror``).
- :mod:`sdkg.linking.fetch` pulls facts over SPARQL (``sdkg link fetch``).
- :mod:`sdkg.linking.check` reports link problems (``sdkg link check``).
"""

from sdkg.linking.errors import LinkingError

__all__ = ["LinkingError"]
