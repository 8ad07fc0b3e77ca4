"""Write the links graph (data/links.ttl) from the Wikidata mapping set: `python tools/build_links.py`.

The mapping set, data/links.sssom.tsv, is the file to edit; tests/test_links_data.py fails when
data/links.ttl no longer matches it. Needs the `sssom` package (the test extra installs it).
"""

from __future__ import annotations

import sys

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.publish.mapping_set import links_turtle


def main() -> int:
    try:
        text = links_turtle()
    except InputError as exc:
        print(f"build_links: {exc.message}", file=sys.stderr)
        return 2
    resources.links_file().write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {resources.links_file()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
