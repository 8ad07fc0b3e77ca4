"""What the published dataset is: VoID statistics, a DCAT catalogue entry, a JSON-LD context.

Everything is computed from the graph and the written files, never from the clock, so two builds
of the same data give the same bytes. The dataset is ``prov:wasDerivedFrom`` every document the
data describes (each ``foaf:Document``); ``dcterms:issued`` is the earliest of their dates, which a
later document does not move; ``modified`` is the latest date the data states about itself (the
ontology's ``dcterms:modified``, else its ``dcterms:created``).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from rdflib import RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, VOID, XSD
from rdflib.term import Node

from hled_graph.errors import InputError
from hled_graph.files import write_atomic
from hled_graph.formats import RDF_SYNTAXES
from hled_graph.namespaces import BASE, CC0, ID, PREFIXES, WIKIDATA, WIKIDATA_SPARQL
from hled_graph.publish.export import jsonld_context, serialize
from hled_graph.version import __version__

DATASET = URIRef(BASE + "dataset")
WIKIDATA_DATASET = URIRef(WIKIDATA)
WIKIDATA_ENTITY_SPACE = PREFIXES["wd"]
WIKIDATA_SPARQL_SERVICE = URIRef(WIKIDATA_SPARQL)
LICENSE = URIRef(CC0)
LANDING_PAGE = URIRef("https://w3id.org/hled")
DOWNLOAD_BASE = BASE
TITLE = "hled-graph: the 2022 U.S.-Mexico High-Level Economic Dialogue as a knowledge graph"
DESCRIPTION = (
    "The fact sheet of the 2022 U.S.-Mexico High-Level Economic Dialogue (HLED) as linked open data: "
    "who committed, launched, signed or funded what, under which pillar, where and when, with every "
    "action quoting its sentence of the source; organizations, people and places linked to Wikidata."
)
KEYWORDS = (
    "U.S.-Mexico relations",
    "High-Level Economic Dialogue",
    "economic cooperation",
    "supply chains",
    "knowledge graph",
    "linked open data",
)
LANGUAGES = ("en", "es")
VOID_FILE = "void.ttl"
CONTEXT_FILE = "context.jsonld"

_MEDIA_TYPES = {syntax.extension: syntax.media_type for syntax in RDF_SYNTAXES}


def media_type_of(path: Path) -> str:
    """The IANA media type of a distribution file, from its extension."""
    try:
        return _MEDIA_TYPES[Path(path).suffix.lower()]
    except KeyError:
        raise InputError(
            f"{path}: no known media type for {Path(path).suffix or '(no extension)'!r}; "
            f"distributions must be one of {', '.join(sorted(_MEDIA_TYPES))}"
        ) from None


def void_and_dcat(
    source: Graph | Dataset,
    *,
    distributions: Sequence[Path],
    endpoint_url: str | None = None,
    download_base: str = DOWNLOAD_BASE,
) -> Graph:
    """VoID statistics and the DCAT description of ``source`` and its distribution files.

    ``download_base`` is where the files are published: ``dcat:downloadURL`` is it plus the
    file name (default: under the project's base, ``https://w3id.org/hled/``).
    """
    triples = _triples(source)
    out = Graph()
    _describe_void(out, triples)
    _describe_linksets(out, triples)
    _describe_dcat(out, triples, distributions=distributions, download_base=download_base)
    if endpoint_url:
        _describe_endpoint(out, URIRef(endpoint_url))
    return out


def _triples(source: Graph | Dataset) -> set[tuple]:
    if isinstance(source, Dataset):
        return {(s, p, o) for s, p, o, _ in source.quads((None, None, None, None))}
    return set(source)


def _describe_void(out: Graph, triples: set[tuple]) -> None:
    subjects = {s for s, _, _ in triples}
    instances: dict[URIRef, set] = defaultdict(set)
    for s, p, o in triples:
        if p == RDF.type:
            instances[o].add(s)
    per_property = Counter(p for _, p, _ in triples)
    entities = {s for s in subjects if isinstance(s, URIRef) and str(s).startswith(ID)}

    out.add((DATASET, RDF.type, VOID.Dataset))
    out.add((DATASET, VOID.uriSpace, Literal(ID)))
    out.add((DATASET, VOID.triples, _count(len(triples))))
    out.add((DATASET, VOID.entities, _count(len(entities))))
    out.add((DATASET, VOID.classes, _count(len(instances))))
    out.add((DATASET, VOID.properties, _count(len(per_property))))
    out.add((DATASET, VOID.distinctSubjects, _count(len(subjects))))
    out.add((DATASET, VOID.distinctObjects, _count(len({o for _, _, o in triples}))))
    for cls in sorted(instances, key=str):
        partition = BNode()
        out.add((DATASET, VOID.classPartition, partition))
        out.add((partition, VOID["class"], cls))
        out.add((partition, VOID.entities, _count(len(instances[cls]))))
    for prop in sorted(per_property, key=str):
        partition = BNode()
        out.add((DATASET, VOID.propertyPartition, partition))
        out.add((partition, VOID.property, prop))
        out.add((partition, VOID.triples, _count(per_property[prop])))
    for vocabulary in sorted(_vocabularies(set(instances) | set(per_property))):
        out.add((DATASET, VOID.vocabulary, URIRef(vocabulary)))
    if URIRef(ID + "hled") in subjects:
        out.add((DATASET, VOID.exampleResource, URIRef(ID + "hled")))


def _count(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def _vocabularies(terms: set) -> set[str]:
    """The namespaces (of our prefixes) that the classes and properties come from."""
    # Longest namespace first, so a term is credited to the most specific one.
    namespaces = sorted(
        (iri for iri in PREFIXES.values() if not iri.startswith(ID)), key=len, reverse=True
    )
    found = set()
    for term in terms:
        match = next((ns for ns in namespaces if str(term).startswith(ns)), None)
        if match:
            found.add(match)
    return found


def _describe_linksets(out: Graph, triples: set[tuple]) -> None:
    """One void:Linkset per predicate linking an entity of ours to a Wikidata item."""
    per_predicate = Counter(
        p
        for s, p, o in triples
        if isinstance(s, URIRef)
        and str(s).startswith(ID)
        and isinstance(o, URIRef)
        and str(o).startswith(WIKIDATA_ENTITY_SPACE)
    )
    if not per_predicate:
        return
    out.add((WIKIDATA_DATASET, RDF.type, VOID.Dataset))
    out.add((WIKIDATA_DATASET, DCTERMS.title, Literal("Wikidata", lang="en")))
    out.add((WIKIDATA_DATASET, VOID.uriSpace, Literal(WIKIDATA_ENTITY_SPACE)))
    out.add((WIKIDATA_DATASET, VOID.sparqlEndpoint, WIKIDATA_SPARQL_SERVICE))
    for predicate in sorted(per_predicate, key=str):
        linkset = URIRef(f"{DATASET}/linkset/wikidata-{_slug(predicate)}")
        out.add((DATASET, VOID.subset, linkset))
        out.add((linkset, RDF.type, VOID.Linkset))
        out.add((linkset, VOID.subjectsTarget, DATASET))
        out.add((linkset, VOID.objectsTarget, WIKIDATA_DATASET))
        out.add((linkset, VOID.linkPredicate, predicate))
        out.add((linkset, VOID.triples, _count(per_predicate[predicate])))


def _slug(term: URIRef) -> str:
    from hled_graph.iris import compact

    return compact(term).strip("<>").replace(":", "-").lower()


def _describe_dcat(
    out: Graph, triples: set[tuple], *, distributions: Sequence[Path], download_base: str
) -> None:
    out.add((DATASET, RDF.type, DCAT.Dataset))
    out.add((DATASET, DCTERMS.title, Literal(TITLE, lang="en")))
    out.add((DATASET, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    out.add((DATASET, DCTERMS.license, LICENSE))
    out.add((DATASET, DCAT.landingPage, LANDING_PAGE))
    out.add((DATASET, URIRef(PREFIXES["dcat"] + "version"), Literal(__version__)))
    publisher = BNode()
    out.add((DATASET, DCTERMS.publisher, publisher))
    out.add((publisher, RDF.type, FOAF.Organization))
    out.add((publisher, FOAF.name, Literal("hled-graph contributors")))
    for keyword in KEYWORDS:
        out.add((DATASET, DCAT.keyword, Literal(keyword, lang="en")))
    for language in LANGUAGES:
        out.add(
            (DATASET, DCTERMS.language, URIRef(f"http://id.loc.gov/vocabulary/iso639-1/{language}"))
        )
    for theme in _pillars(triples):
        out.add((DATASET, DCAT.theme, theme))

    for document in sorted({s for s, p, o in triples if p == RDF.type and o == FOAF.Document}, key=str):
        out.add((DATASET, PROV.wasDerivedFrom, document))
    issued = _dates(triples, None, DCTERMS.issued, of_type=FOAF.Document)
    if issued:
        out.add((DATASET, DCTERMS.issued, min(issued)))
    # The ontology's last modification, else its creation: the newest date the data states.
    modified = _dates(triples, None, DCTERMS.modified, of_type=OWL.Ontology) or _dates(
        triples, None, DCTERMS.created, of_type=OWL.Ontology
    )
    if modified:
        out.add((DATASET, DCTERMS.modified, max(modified)))

    for path in sorted(distributions, key=lambda p: Path(p).name):
        path = Path(path)
        if not path.is_file():
            raise InputError(
                f"{path}: distribution file not found; write the exports before describing them"
            )
        name = path.name
        distribution = URIRef(f"{DATASET}/distribution/{name}")
        url = URIRef(download_base + name)
        out.add((DATASET, DCAT.distribution, distribution))
        out.add((DATASET, VOID.dataDump, url))
        out.add((distribution, RDF.type, DCAT.Distribution))
        out.add((distribution, DCTERMS.title, Literal(name)))
        out.add((distribution, DCAT.downloadURL, url))
        out.add((distribution, DCAT.accessURL, url))
        out.add(
            (
                distribution,
                DCAT.mediaType,
                URIRef("https://www.iana.org/assignments/media-types/" + media_type_of(path)),
            )
        )
        out.add(
            (
                distribution,
                DCAT.byteSize,
                Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger),
            )
        )
        out.add((distribution, DCTERMS.license, LICENSE))


def _pillars(triples: set[tuple]) -> list:
    scheme = URIRef(ID + "pillars")
    in_scheme = URIRef(PREFIXES["skos"] + "inScheme")
    return sorted({s for s, p, o in triples if p == in_scheme and o == scheme}, key=str)


def _dates(triples: set[tuple], subject: Node | None, predicate: URIRef, *, of_type: URIRef | None = None) -> list[Literal]:
    typed = (
        {s for s, p, o in triples if p == RDF.type and o == of_type}
        if of_type is not None
        else None
    )
    return [
        o
        for s, p, o in triples
        if p == predicate
        and isinstance(o, Literal)
        and o.datatype in {XSD.date, XSD.dateTime}
        and (subject is None or s == subject)
        and (typed is None or s in typed)
    ]


def _describe_endpoint(out: Graph, endpoint: URIRef) -> None:
    service = URIRef(f"{DATASET}/sparql-service")
    out.add((DATASET, VOID.sparqlEndpoint, endpoint))
    out.add((service, RDF.type, DCAT.DataService))
    out.add((service, DCTERMS.title, Literal("SPARQL 1.1 endpoint of hled-graph", lang="en")))
    out.add((service, DCAT.endpointURL, endpoint))
    out.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    out.add((service, DCAT.servesDataset, DATASET))
    out.add((service, DCTERMS.license, LICENSE))


# --- writing ----------------------------------------------------------------------------------


def write_dataset_description(
    source: Graph | Dataset,
    out_dir: Path,
    *,
    distributions: Sequence[Path],
    endpoint_url: str | None = None,
    download_base: str = DOWNLOAD_BASE,
) -> list[Path]:
    """Write ``void.ttl`` (VoID + DCAT) and ``context.jsonld`` into ``out_dir``; their paths."""
    out_dir = Path(out_dir)
    description = void_and_dcat(
        source, distributions=distributions, endpoint_url=endpoint_url, download_base=download_base
    )
    void_path = write_atomic(out_dir / VOID_FILE, serialize(description, "turtle"))
    context = json.dumps(jsonld_context(), indent=2, ensure_ascii=False) + "\n"
    context_path = write_atomic(out_dir / CONTEXT_FILE, context.encode("utf-8"))
    return [void_path, context_path]
