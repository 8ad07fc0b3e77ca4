"""The Jinja2 environment of every HTML page: each face keeps its templates in its own
``templates/`` folder (shipped in the wheel with the package) and renders them through here.

Autoescape is on for every template, so a value from the data (a label, a quote, an IRI) is
escaped by the template engine, never by hand; ``tojson`` writes JSON that is safe inside a
``<script>`` element (``<``, ``>``, ``&``, ``'`` and, with ASCII output, U+2028/U+2029 escaped).

Every value a template prints passes through :func:`hled_graph.visible.reveal` first (the
environment's ``finalize`` hook, so no template can forget it): a right-to-left override or a
zero-width space in a label shows as ``⟨U+202E⟩``, never silently reorders or hides text. Values
that are already markup (a macro's output, ``tojson``, ``| safe``) pass unchanged; their own
values went through the hook when they were rendered. Links use the ``href`` filter, which
percent-encodes such characters instead, so the link still leads to the same IRI, and which
lets only a relative reference or an http(s) address through: ``javascript:alert(1)`` is a valid
IRI, so data may hold it, and a click on it would run it (in Jupyter, next to the kernel).
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from hled_graph.visible import reveal, reveal_in_url

if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def environment(package: str) -> Environment:
    """The environment over ``package``'s ``templates/`` folder (e.g. ``hled_graph.viz``)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined  # only pages need Jinja2

    env = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        finalize=_reveal_invisible,
    )
    env.filters["href"] = _href
    # Sorted keys make the pages byte-for-byte reproducible; compact separators keep maps small.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}
    return env


# What a link becomes when its target is not one a browser merely navigates to.
BLOCKED_HREF = "about:invalid#unsafe-link"
_LINKABLE_SCHEMES = frozenset({"http", "https"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Browsers read the scheme after dropping leading C0 controls and spaces and every tab and newline.
_LEADING_IGNORED = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


def is_linkable(url: str) -> bool:
    """Whether following ``url`` only navigates: a relative reference or an http(s) address
    (not ``javascript:``, ``data:``, ``vbscript:``, ``file:``, however it is spelled)."""
    scheme = _SCHEME.match(_TAB_OR_NEWLINE.sub("", url).lstrip(_LEADING_IGNORED))
    return scheme is None or scheme[1].lower() in _LINKABLE_SCHEMES


def _reveal_invisible(value: Any) -> Any:
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return reveal(value)
    return value


def _href(value: str) -> str:
    """An ``href`` value with invisible characters percent-encoded (autoescape does the rest), or
    :data:`BLOCKED_HREF` when following it would do more than navigate."""
    url = str(value)
    return reveal_in_url(url) if is_linkable(url) else BLOCKED_HREF


def csp_hash(code: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script or style: ``'sha256-…'``."""
    import base64
    import hashlib

    return f"'sha256-{base64.b64encode(hashlib.sha256(code.encode('utf-8')).digest()).decode('ascii')}'"


def render(package: str, template: str, **context: Any) -> str:
    """``template`` of ``package`` rendered with ``context``."""
    return environment(package).get_template(template).render(**context)
