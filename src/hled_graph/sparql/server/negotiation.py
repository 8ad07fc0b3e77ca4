"""Content negotiation: which of the formats we offer the client's ``Accept`` (or ``format``) wants."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    key: str
    media_type: str
    aliases: tuple[str, ...] = ()


SOLUTION_FORMATS = (
    Format("json", "application/sparql-results+json", ("json", "srj", "application/json")),
    Format("xml", "application/sparql-results+xml", ("xml", "srx", "application/xml", "text/xml")),
    Format("csv", "text/csv", ("csv",)),
    Format("tsv", "text/tab-separated-values", ("tsv", "tab")),
)
GRAPH_FORMATS = (
    Format("turtle", "text/turtle", ("turtle", "ttl", "application/x-turtle")),
    Format("ntriples", "application/n-triples", ("nt", "ntriples", "n-triples", "text/plain")),
    Format("jsonld", "application/ld+json", ("jsonld", "json-ld", "json", "application/json")),
    Format("rdfxml", "application/rdf+xml", ("rdfxml", "rdf", "xml", "application/xml", "text/xml")),
)
HTML = Format("html", "text/html", ("html", "application/xhtml+xml"))


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs, best first; a missing header accepts anything."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float, int]] = []
    for index, item in enumerate(header.split(",")[:64]):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        if not media or "/" not in media:
            continue
        quality = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(1.0, max(0.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality, index))
    ranges.sort(key=lambda r: (-r[1], -_specificity(r[0]), r[2]))
    return [(m, q) for m, q, _ in ranges]


def _specificity(media: str) -> int:
    if media == "*/*":
        return 0
    return 1 if media.endswith("/*") else 2


def negotiate(accept: str | None, offers: tuple[Format, ...], *, format_param: str | None = None) -> Format | None:
    """The offer the client prefers (the first offer breaks ties and answers ``*/*``), or None.

    An explicit ``format`` parameter (a short name or a media type) wins over ``Accept``.
    """
    if format_param:
        wanted = format_param.strip().lower()
        for offer in offers:
            if wanted in (offer.key, offer.media_type) or wanted in offer.aliases:
                return offer
        return None
    for media, quality in parse_accept(accept):
        if quality <= 0:
            continue
        for offer in offers:
            if _matches(media, offer):
                return offer
    return None


def _matches(media: str, offer: Format) -> bool:
    if media == "*/*":
        return True
    if media.endswith("/*"):
        return offer.media_type.startswith(media[:-1])
    return media == offer.media_type or media in offer.aliases


def names(offers: tuple[Format, ...]) -> str:
    return ", ".join(offer.media_type for offer in offers)
