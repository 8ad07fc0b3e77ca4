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
    """``Accept`` as (media range, q) pairs in the client's order; a missing header accepts anything."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float]] = []
    for item in header.split(",")[:64]:
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
        ranges.append((media, quality))
    return ranges


def negotiate(accept: str | None, offers: tuple[Format, ...], *, format_param: str | None = None) -> Format | None:
    """The offer the client prefers, or None when it accepts none of them (RFC 9110, 12.5.1).

    Each offer takes the q of the most specific range that matches it, so
    ``text/turtle;q=0, */*;q=0.5`` refuses Turtle and accepts the rest. Between equal q, a more
    specific range wins, then the client's order, then the order of ``offers`` (so ``*/*``
    answers with the first offer). An explicit ``format`` parameter (a short name or a media
    type) wins over ``Accept``.
    """
    if format_param:
        wanted = format_param.strip().lower()
        for offer in offers:
            if wanted in (offer.key, offer.media_type) or wanted in offer.aliases:
                return offer
        return None
    ranges = parse_accept(accept)
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for offer_index, offer in enumerate(offers):
        match = _best_match(ranges, offer)
        if match is None or match[0] <= 0:
            continue
        quality, specificity, position = match
        rank = (quality, specificity, -position, -offer_index)
        if best is None or rank > best:
            best, chosen = rank, offer
    return chosen


def _best_match(ranges: list[tuple[str, float]], offer: Format) -> tuple[float, int, int] | None:
    """(q, specificity, position) of the most specific range in ``ranges`` that matches ``offer``."""
    found: tuple[float, int, int] | None = None
    for position, (media, quality) in enumerate(ranges):
        specificity = _specificity(media, offer)
        if specificity is not None and (found is None or specificity > found[1]):
            found = (quality, specificity, position)
    return found


def _specificity(media: str, offer: Format) -> int | None:
    """How exactly ``media`` names ``offer``: 2 by type, 1 by ``type/*``, 0 by ``*/*``; None if not at all."""
    if media == "*/*":
        return 0
    if media.endswith("/*"):
        return 1 if offer.media_type.startswith(media[:-1]) else None
    return 2 if media == offer.media_type or media in offer.aliases else None


def names(offers: tuple[Format, ...]) -> str:
    return ", ".join(offer.media_type for offer in offers)
