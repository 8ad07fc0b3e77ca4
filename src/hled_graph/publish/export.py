"""Serializations of the graph: deterministic (same bytes on every build), written atomically."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from rdflib import Dataset, Graph

from hled_graph.formats import RdfSyntax, rdf_syntax
from hled_graph.graph import bind_prefixes
from hled_graph.namespaces import PREFIXES, SSSOM
from hled_graph.terms import oxigraph_quads, rdflib_triples

if TYPE_CHECKING:
    import pyoxigraph as ox

_T = TypeVar("_T")


def canonical(graph: Graph) -> Graph:
    """The same triples with blank nodes relabelled canonically (RDFC-1.0), in sorted order.

    rdflib's writers name blank nodes randomly and follow the store's unordered iteration;
    canonical labels plus sorted insertion make every output reproducible. pyoxigraph does the
    canonicalization (rdflib's own takes seconds on this graph).
    """
    result = bind_prefixes(Graph())
    for triple in sorted(rdflib_triples(q.triple for q in _canonical_quads(oxigraph_quads(graph))), key=_triple_key):
        result.add(triple)
    return result


def _canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with blank nodes relabelled canonically over all of them, named ``b1``, ``b2`` … in order.

    One labelling for the whole dataset: a blank node stated in two named graphs (a node of the
    data that an inferred triple mentions) stays one node in TriG and N-Quads.
    """
    import pyoxigraph as ox

    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    blank_ids = sorted({t.value for q in dataset for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)})
    # Canonical labels are 64-hex hashes; short names in their sorted order read better.
    short = {old: ox.BlankNode(f"b{i}") for i, old in enumerate(blank_ids, start=1)}

    def renamed(term: _T) -> _T | ox.BlankNode:
        return short[term.value] if isinstance(term, ox.BlankNode) else term

    return [ox.Quad(renamed(q.subject), q.predicate, renamed(q.object), q.graph_name) for q in dataset]


def _triple_key(triple: tuple) -> tuple:
    return tuple((type(term).__name__, term.n3()) for term in triple)


def serialize(source: Graph | Dataset, fmt: str) -> bytes:
    """The whole graph (or dataset) in ``fmt`` (a name of :data:`hled_graph.formats.RDF_SYNTAXES`), byte-for-byte deterministic.

    Turtle comes from rdflib (its writer sorts and nests blank nodes readably); JSON-LD from
    rdflib with its arrays sorted; every other format from pyoxigraph fed sorted quads, because
    rdflib's other writers follow the store's unordered iteration.
    """
    syntax = rdf_syntax(fmt)
    if fmt == "turtle":
        return canonical(_as_graph(source)).serialize(format="turtle", encoding="utf-8")
    if fmt == "jsonld":
        # Compacted with the project's context, the JSON-LD reads as plain JSON (label, pillar, ...).
        graph = canonical(_as_graph(source))
        return _sorted_jsonld(graph.serialize(format="json-ld", context=jsonld_context()["@context"], encoding="utf-8"))
    return _oxigraph_serialize(source, syntax)


def _oxigraph_serialize(source: Graph | Dataset, syntax: RdfSyntax) -> bytes:
    import pyoxigraph as ox

    # TriG and N-Quads of a dataset keep its named graphs; anything else is written as one default graph.
    named = syntax.named_graphs and isinstance(source, Dataset)
    quads = _canonical_quads(_dataset_quads(cast("Dataset", source)) if named else oxigraph_quads(_as_graph(source)))
    quads.sort(key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    statements: list[ox.Quad] | list[ox.Triple] = quads if syntax.named_graphs else [q.triple for q in quads]
    line_based = syntax.rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)  # they have no prefixes
    prefixes = None if line_based else dict(sorted(PREFIXES.items()))
    return ox.serialize(statements, format=syntax.rdf_format, prefixes=prefixes) or b""  # None only given a file


def _dataset_quads(source: Dataset) -> list[ox.Quad]:
    """Every quad of the dataset, its named graphs kept and its default graph as pyoxigraph's.

    Through N-Quads: one serialization and one parse, so a blank node in two graphs stays one node.
    """
    import pyoxigraph as ox

    return list(ox.parse(source.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS))


def _sorted_jsonld(data: bytes) -> bytes:
    """JSON-LD with nodes sorted by @id and value arrays sorted (they are unordered sets)."""
    document = json.loads(data)

    def normalise(value, key=None):
        if isinstance(value, dict):
            return {k: normalise(v, k) for k, v in sorted(value.items())}
        if isinstance(value, list):
            items = [normalise(v) for v in value]
            if key == "@list":  # RDF lists keep their order
                return items
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        return value

    return (json.dumps(normalise(document), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _as_graph(source: Graph | Dataset) -> Graph:
    if isinstance(source, Dataset):
        merged = Graph()
        for s, p, o, _ in source.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged
    return source


def file_name(stem: str, fmt: str) -> str:
    return stem + rdf_syntax(fmt).extension


# --- JSON-LD ----------------------------------------------------------------------------------


def jsonld_context() -> dict[str, Any]:
    """A JSON-LD context under which the graph reads as plain JSON.

    Our prefixes, plus short keys for the common properties: IRIs coerced to ``@id``, typed
    literals to their datatype (integers and booleans stay JSON numbers and booleans), and labels
    as language maps (``"prefLabel": {"en": …, "es": …}``).
    """
    # The term "pillar" (hled:pillar) would shadow the prefix "pillar:" and make `pillar:1`
    # expand wrongly; pillars compact to `hd:pillar/1` instead.
    terms: dict[str, Any] = {prefix: iri for prefix, iri in PREFIXES.items() if prefix != "pillar"}
    terms |= {"id": "@id", "type": "@type"}

    def ref(curie: str) -> dict[str, str]:
        return {"@id": curie, "@type": "@id"}

    def typed(curie: str, datatype: str) -> dict[str, str]:
        return {"@id": curie, "@type": datatype}

    def by_language(curie: str) -> dict[str, str]:
        return {"@id": curie, "@container": "@language"}

    terms |= {
        # names and descriptions
        "label": by_language("rdfs:label"),
        "prefLabel": by_language("skos:prefLabel"),
        "altLabel": by_language("skos:altLabel"),
        "definition": by_language("skos:definition"),
        "description": by_language("dcterms:description"),
        "title": by_language("dcterms:title"),
        "comment": by_language("rdfs:comment"),
        # schema:name is sometimes untagged (official titles), so no language map here.
        "name": "schema:name",
        "details": by_language("schema:description"),
        "editorialNote": by_language("skos:editorialNote"),
        "nameInSource": by_language("hled:nameInSource"),
        "jobTitle": by_language("schema:jobTitle"),
        "notation": "skos:notation",
        "inScheme": ref("skos:inScheme"),
        # the dialogue, pillars, organizations
        "hasPillar": ref("hled:hasPillar"),
        "pillar": ref("hled:pillar"),
        "pillarNumber": "hled:pillarNumber",
        "partOfDialogue": ref("hled:partOfDialogue"),
        "country": ref("hled:country"),
        "iso3166Code": "hled:iso3166Code",
        "hasMember": ref("org:hasMember"),
        "hasParticipant": ref("hled:hasParticipant"),
        "unitOf": ref("org:unitOf"),
        "subOrganizationOf": ref("org:subOrganizationOf"),
        "affiliation": ref("schema:affiliation"),
        "containedInPlace": ref("schema:containedInPlace"),
        # actions
        "associatedWith": ref("prov:wasAssociatedWith"),
        "qualifiedAssociation": "prov:qualifiedAssociation",
        "agent": ref("prov:agent"),
        "role": ref("prov:hadRole"),
        "generated": ref("prov:generated"),
        "used": ref("prov:used"),
        "joined": ref("hled:joined"),
        # "status" is the act's hled:status; the prefix status: stays usable, as no term shadows it
        "actStatus": ref("hled:status"),
        "concerns": ref("hled:concerns"),
        "reportedAt": ref("hled:reportedAt"),
        "originalOrganization": ref("org:originalOrganization"),
        "resultingOrganization": ref("org:resultingOrganization"),
        "organizer": ref("schema:organizer"),
        "attendee": ref("schema:attendee"),
        "atLocation": ref("prov:atLocation"),
        "source": ref("dcterms:source"),
        "issued": typed("dcterms:issued", "xsd:date"),
        "created": typed("dcterms:created", "xsd:date"),
        "modified": typed("dcterms:modified", "xsd:date"),
        "sourceFile": "hled:sourceFile",
        "page": ref("foaf:page"),
        "publishedAt": ref("hled:publishedAt"),
        "derivedFrom": ref("prov:wasDerivedFrom"),
        "checksum": "spdx:checksum",
        "algorithm": ref("spdx:algorithm"),
        "checksumValue": typed("spdx:checksumValue", "xsd:hexBinary"),
        "creator": "dcterms:creator",
        "license": ref("dcterms:license"),
        "subject": ref("dcterms:subject"),
        # "inSector", not "sector": a term "sector" would shadow the prefix sector:
        "inSector": ref("hled:sector"),
        "broader": ref("skos:broader"),
        "isPartOf": ref("dcterms:isPartOf"),
        "references": ref("dcterms:references"),
        "relation": ref("dcterms:relation"),
        "publisher": ref("dcterms:publisher"),
        # money, counts, targets, time
        "amount": "hled:amount",
        "quantity": "hled:quantity",
        "target": "hled:target",
        "value": typed("schema:value", "xsd:decimal"),
        # counts and targets are whole numbers: the same schema:value as a JSON number
        "number": "schema:value",
        "minValue": "schema:minValue",
        "currency": "schema:currency",
        "unitText": by_language("schema:unitText"),
        "unitCode": "schema:unitCode",
        "targetYear": typed("hled:targetYear", "xsd:gYear"),
        "deadline": typed("hled:deadline", "xsd:gYearMonth"),
        "hasTime": "time:hasTime",
        "hasBeginning": "time:hasBeginning",
        "hasEnd": "time:hasEnd",
        "date": typed("time:inXSDDate", "xsd:date"),
        "yearMonth": typed("time:inXSDgYearMonth", "xsd:gYearMonth"),
        "year": typed("time:inXSDgYear", "xsd:gYear"),
        # Event dates are xsd:date, xsd:gYearMonth or xsd:gYear: kept as typed values.
        "startDate": "schema:startDate",
        "endDate": "schema:endDate",
        "superEvent": ref("schema:superEvent"),
        "eventStatus": ref("schema:eventStatus"),
        "eventAttendanceMode": ref("schema:eventAttendanceMode"),
        "location": ref("schema:location"),
        # rounds: their chairs (people holding posts at the round's date) and where each statement stands
        # ("office", not "post": a term "post" would shadow the prefix post:, as "pillar" would pillar:)
        "chair": "hled:chair",
        "member": ref("org:member"),
        "organization": ref("org:organization"),
        "office": ref("hled:post"),
        "memberDuring": "org:memberDuring",
        "inside": "time:inside",
        "postIn": ref("org:postIn"),
        "heldBy": ref("org:heldBy"),
        "locator": "hled:locator",
        "seeAlso": ref("rdfs:seeAlso"),
        # links out
        "sameAs": ref("owl:sameAs"),
        "exactMatch": ref("skos:exactMatch"),
        "closeMatch": ref("skos:closeMatch"),
        "broadMatch": ref("skos:broadMatch"),
        # the links' SSSOM mapping set (data/links.sssom.tsv): each mapping an owl:Axiom
        "mappings": ref(SSSOM + "mappings"),
        "annotatedSource": ref("owl:annotatedSource"),
        "annotatedProperty": ref("owl:annotatedProperty"),
        "annotatedTarget": ref("owl:annotatedTarget"),
        "mappingJustification": ref(SSSOM + "mapping_justification"),
        "confidence": typed(SSSOM + "confidence", "xsd:double"),
        "subjectLabel": SSSOM + "subject_label",
        "subjectCategory": SSSOM + "subject_category",
        "objectLabel": SSSOM + "object_label",
        "authorLabel": SSSOM + "author_label",
        "creatorLabel": SSSOM + "creator_label",
        # the ontology itself
        "subClassOf": ref("rdfs:subClassOf"),
        "subPropertyOf": ref("rdfs:subPropertyOf"),
        # Not ref(): a domain or range may be a class expression (a blank node), and rdflib's JSON-LD
        # writer drops a blank node's own statements when it is the value of an "@type": "@id" term.
        "domain": "rdfs:domain",
        "range": "rdfs:range",
        "isDefinedBy": ref("rdfs:isDefinedBy"),
        "versionIRI": ref("owl:versionIRI"),
        "versionInfo": "owl:versionInfo",
        "members": "owl:members",
        "unionOf": "owl:unionOf",
        "homepage": ref("foaf:homepage"),
        "preferredNamespacePrefix": "vann:preferredNamespacePrefix",
        "preferredNamespaceUri": typed("vann:preferredNamespaceUri", "xsd:anyURI"),
        "hasTopConcept": ref("skos:hasTopConcept"),
        "topConceptOf": ref("skos:topConceptOf"),
        # source quotes
        "hasBody": ref("oa:hasBody"),
        "hasTarget": "oa:hasTarget",
        "hasSource": ref("oa:hasSource"),
        "hasSelector": "oa:hasSelector",
        "motivatedBy": ref("oa:motivatedBy"),
        "exact": "oa:exact",
        "prefix": "oa:prefix",
        "suffix": "oa:suffix",
        "start": typed("oa:start", "xsd:nonNegativeInteger"),
        "end": typed("oa:end", "xsd:nonNegativeInteger"),
        # the standard super-properties of hled: properties, in the exports with the inferred graph
        "spatial": ref("dcterms:spatial"),
        "identifier": "dcterms:identifier",
        "anyDate": "dcterms:date",  # values of several date datatypes; "date" is time:inXSDDate
        "position": "schema:position",
        "note": "skos:note",
        "admsStatus": ref("adms:status"),  # "status" is left for hled:status
    }
    return {"@context": terms}
