"""The example queries the query page offers: the query library, one click away."""

from __future__ import annotations

from hled_graph import resources


def example_queries(*, allow_federation: bool = False) -> list[dict[str, str]]:
    """Name, title, question and text of each library query the endpoint can run, sorted by name."""
    examples = []
    for path in sorted(resources.queries_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
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
