"""Rendering terms from data in HTML: safe links and isolated text, in one place.

Data is untrusted (contributions, external caches): an IRI such as
``javascript:alert(1)`` or ``data:text/html,...`` must never become a clickable link,
and text with bidirectional overrides (U+202E ...) must not reorder the page around it.

Templates render every term through the template global :func:`term_link` (a link
when the address is safe, plain text otherwise, always inside ``<bdi>``) and the
filter ``bdi`` for text alone; :func:`install` registers both. Text that fills a
block of its own (a table cell, a heading) is isolated by that block already.
"""

from __future__ import annotations

import re

from flask import Flask
from markupsafe import Markup

#: The only schemes a page links to; anything else from data is shown as text.
WEB_SCHEMES = ("http", "https", "mailto")
# Browsers ignore tabs, newlines and leading control characters in a scheme
# ("java\tscript:"), so any such character disqualifies an address outright.
_ABSOLUTE = re.compile(r"^(?:https?://|mailto:)[^\x00-\x20\x7f]*$", re.IGNORECASE)
_LOCAL = re.compile(r"^(?:/(?![/\\])|[#?])[^\x00-\x20\x7f]*$")


def web_href(url: object) -> str | None:
    """``url`` if a page may link to it (http, https, mailto, or a path or fragment of
    this site), else ``None``."""
    if not isinstance(url, str) or not url:
        return None
    if _ABSOLUTE.match(url) or _LOCAL.match(url):
        return url
    return None


def bdi(text: object) -> Markup:
    """``text`` escaped and isolated from the text around it (``<bdi>``)."""
    return Markup("<bdi>{}</bdi>").format("" if text is None else text)


def term_link(url: object, text: object, *, external: bool = False, rel: str = "") -> Markup:
    """A link to ``url`` showing ``text`` (isolated); only ``text`` when ``url`` is not a
    web address. ``external`` adds ``class="external"`` and ``rel="external noopener"``."""
    href = web_href(url)
    if href is None:
        return bdi(text)
    rels = " ".join(r for r in (rel, "external noopener" if external else "") if r)
    attributes = Markup(' class="external"') if external else Markup("")
    if rels:
        attributes += Markup(' rel="{}"').format(rels)
    # The whole link is isolated (the text and the link as one unit).
    link = Markup('<a href="{}"{}>{}</a>').format(href, attributes, "" if text is None else text)
    return Markup("<bdi>{}</bdi>").format(link)


def install(app: Flask) -> None:
    """Make ``term_link`` and the ``bdi`` and ``web_href`` filters available to templates."""
    app.add_template_global(term_link, "term_link")
    app.add_template_filter(bdi, "bdi")
    app.add_template_filter(web_href, "web_href")
