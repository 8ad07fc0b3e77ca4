"""Pin every declared dependency to its floor, for CI's second run on the lowest allowed versions.

`python tools/lowest_constraints.py > lowest.txt && pip install -c lowest.txt -e '.[test]'`

The floors in pyproject.toml are promises; this turns each `name>=X` into `name==X` (the
dependencies and every optional group), so that CI proves them. Transitive dependencies stay
free, as with `uv pip install --resolution lowest-direct`.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
_FLOOR = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*>=\s*([0-9][0-9A-Za-z.]*)\s*(?:,.*)?$")


def floor_pins(pyproject: dict) -> list[str]:
    """`name==floor` for every requirement of the project; a requirement without a floor is an error."""
    project = pyproject["project"]
    requirements = list(project.get("dependencies", []))
    for group in project.get("optional-dependencies", {}).values():
        requirements += group
    pins: dict[str, str] = {}
    for requirement in requirements:
        match = _FLOOR.match(requirement)
        if match is None:
            raise ValueError(f"pyproject.toml: {requirement!r} has no `>=` floor; give every dependency one")
        name, _extras, version = match.groups()
        pins[name.lower()] = version
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


def main() -> int:
    try:
        pins = floor_pins(tomllib.loads(PYPROJECT.read_text(encoding="utf-8")))
    except ValueError as exc:
        print(f"lowest_constraints: {exc}", file=sys.stderr)
        return 2
    print("\n".join(pins))
    return 0


if __name__ == "__main__":
    sys.exit(main())
