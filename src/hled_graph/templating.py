"""The Jinja2 environment of every HTML page: each face keeps its templates in its own
``templates/`` folder (shipped in the wheel with the package) and renders them through here.

Autoescape is on for every template, so a value from the data (a label, a quote, an IRI) is
escaped by the template engine, never by hand; ``tojson`` writes JSON that is safe inside a
``<script>`` element (``<``, ``>``, ``&``, ``'`` and, with ASCII output, U+2028/U+2029 escaped).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

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
    )
    # Sorted keys make the pages byte-for-byte reproducible; compact separators keep maps small.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}
    return env


def render(package: str, template: str, **context: Any) -> str:
    """``template`` of ``package`` rendered with ``context``."""
    return environment(package).get_template(template).render(**context)
