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
percent-encodes such characters instead, so the link still leads to the same IRI.
"""

from __future__ import annotations

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


def _reveal_invisible(value: Any) -> Any:
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return reveal(value)
    return value


def _href(value: str) -> str:
    """An ``href`` value with invisible characters percent-encoded (autoescape does the rest)."""
    return reveal_in_url(str(value))


def render(package: str, template: str, **context: Any) -> str:
    """``template`` of ``package`` rendered with ``context``."""
    return environment(package).get_template(template).render(**context)
