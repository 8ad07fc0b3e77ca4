"""The example queries the query page offers: the query library, one click away."""

from __future__ import annotations

from hled_graph import resources
from hled_graph.sparql.server.guard import Refusal, check_query


def example_queries(*, allow_federation: bool = False) -> list[dict[str, str]]:
    """Name, title, question and text of each library query the endpoint can run, sorted by name."""
    examples = []
    for path in sorted(resources.queries_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        try:
            check_query(text, allow_federation=allow_federation)
        except Refusal:
            continue  # e.g. a query that needs SERVICE on an endpoint without federation
        header = {}
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            key, _, value = line[1:].strip().partition(":")
            header.setdefault(key.strip(), value.strip())
        examples.append({
            "name": path.stem,
            "title": header.get("title") or path.stem,
            "question": header.get("question", ""),
            "text": text,
        })
    return examples
