"""Rewrite the README's generated parts (data counts, Wikidata coverage): `python tools/refresh_readme.py`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from hled_graph.graph import load_graph
from hled_graph.publish.coverage import coverage_markdown
from hled_graph.stats import compute_stats

README = Path(__file__).resolve().parent.parent / "README.md"


def generated_parts() -> dict[str, str]:
    """Each generated README part by its marker name."""
    return {"stats": compute_stats(load_graph()).to_markdown(), "coverage": coverage_markdown().rstrip()}


def refresh(text: str) -> str:
    for name, body in generated_parts().items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            sys.exit(f"README.md: no <!-- {name}:start --> ... <!-- {name}:end --> markers")
        text = pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)
    return text


if __name__ == "__main__":
    README.write_text(refresh(README.read_text(encoding="utf-8")), encoding="utf-8")
