"""Runs SPARQL. The engine behind the CLI and the server is pyoxigraph: quick to start and to query.

This module must not import rdflib: ``hled-graph query`` pays only for pyoxigraph (~10 ms to
import, ~25 ms to load the shipped graph), rdflib stays the Python API (:mod:`.rdflib_engine`).
Queries without FROM / FROM NAMED see one merged graph (the union of the named graphs ontology,
data, links and inferred, the RDFS closure of the others), and ``GRAPH ?g`` still tells the
parts apart; a query that names its dataset gets that dataset. In that union a triple stated in
two named graphs is seen twice (rdflib's merged Graph sees it once): queries that count use DISTINCT.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

import pyoxigraph as ox

from hled_graph import resources
from hled_graph.errors import InputError
from hled_graph.files import fsync_tree, process_alive, replace_folder
from hled_graph.formats import rdf_syntax_of_file
from hled_graph.inference import inferred_oxigraph
from hled_graph.input_limits import check_input_file
from hled_graph.names import ENTITY_NAMESPACE, Entity
from hled_graph.namespaces import (
    BASE,
    GRAPH_DATA,
    GRAPH_INFERRED,
    GRAPH_LINKS,
    GRAPH_ONTOLOGY,
    PREFIXES,
    SPARQL_PROLOGUE,
)
from hled_graph.sparql.guard import QueryShape, Refusal, check_query

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
QueryKind = Literal["select", "ask", "construct"]

# Inputs at least this big get a progress line while they load into an on-disk store.
PROGRESS_THRESHOLD_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class QueryOutcome:
    """The answer to one query, engine-neutral enough for every writer.

    ``select``: ``variables`` and ``rows`` (one tuple per solution, ``None`` where unbound).
    ``ask``: ``boolean``. ``construct`` (also DESCRIBE): ``rows`` are (subject, predicate,
    object) triples, sorted so that output is the same every time.
    """

    kind: QueryKind
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None

    def triples(self) -> list[ox.Triple]:
        """The constructed graph as pyoxigraph triples (CONSTRUCT and DESCRIBE only)."""
        if self.kind != "construct":
            raise ValueError(f"a {self.kind.upper()} result has no triples")
        return [ox.Triple(*cast("tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, Term]", row)) for row in self.rows]


# --------------------------------------------------------------------------- loading


def shipped_graph_files() -> list[tuple[Path, str]]:
    """The shipped files and the named graph each one goes into."""
    files = [(resources.ontology_file(), GRAPH_ONTOLOGY)]
    files += [(path, GRAPH_DATA) for path in resources.data_files()]
    if resources.links_file().is_file():
        files.append((resources.links_file(), GRAPH_LINKS))
    return files


def load_store(*, data: Sequence[Path] | None = None, store_path: Path | None = None) -> ox.Store:
    """An in-memory store of the shipped graph, of ``data`` files, or an on-disk store.

    Each file loads in one transaction, so a file with a syntax error leaves nothing half-loaded;
    the error names the file, line and column. The shipped files keep their named graphs.
    """
    if store_path is not None:
        return open_store(Path(store_path))
    store = ox.Store()
    for path, graph in _inputs(data):
        _load_file(store, path, graph=graph)
    if not data:
        store.extend(inferred_quads(store))
    return store


def inferred_quads(store: ox.Store) -> list[ox.Quad]:
    """The RDFS closure of the shipped graph in ``store`` (:mod:`hled_graph.inference`), as quads of its own graph.

    Computed from the store's own terms, so that a blank node of the data is the same node in the
    inferred graph (the files' blank node labels are local to each file).
    """
    asserted = {quad.triple for quad in store}
    reused = [quad.triple for quad in ox.parse(path=str(resources.reused_axioms_file()), format=ox.RdfFormat.TURTLE)]
    axioms = [quad.triple for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ONTOLOGY))]
    # The reused vocabularies' axioms go into the inferred graph too (as in graph.inferred_graph), so
    # that "most specific class" filters over rdfs:subClassOf+ see them.
    triples = set(inferred_oxigraph(asserted, axioms + reused)) | (set(reused) - asserted)
    graph = ox.NamedNode(GRAPH_INFERRED)
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in sorted(triples, key=str)]


def open_store(path: Path) -> ox.Store:
    """Open an on-disk store made by :func:`create_store`, read-only."""
    if not path.is_dir():
        raise InputError(
            f"{path}: no such store folder; create one with `hled-graph store create {path}`"
        )
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise InputError(
            f"{path}: not a readable store ({_one_line(exc)}); make one with `hled-graph store create`"
        ) from None


def create_store(
    path: Path,
    *,
    data: Sequence[Path] | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Bulk-load the shipped graph (or ``data`` files) into a new on-disk store; return its size in quads.

    ``path`` must not exist or be an empty folder. The store is built in a staging folder beside
    it and renamed into place only once it is complete, closed and on disk, so a failed or
    interrupted load leaves no store (a staging folder of a killed load is removed by the next).
    ``progress`` receives a line now and then while big inputs load.
    """
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise InputError(f"{path}: already exists and is not an empty folder; choose a new folder")
    inputs = _inputs(data)
    for file, _graph in inputs:
        _check_input_file(file)
        check_input_file(file)
    _remove_abandoned_staging(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        prefix = _STORE_STAGING.format(name=path.name, pid=os.getpid())
        staging = Path(tempfile.mkdtemp(prefix=prefix, dir=path.parent))
    except OSError as exc:
        raise InputError(
            f"{path.parent}: cannot create the store here ({exc.strerror}); choose another folder"
        ) from None
    try:
        store = ox.Store(str(staging))
        for file, graph in inputs:
            _bulk_load(store, file, graph=graph, progress=progress)
        if not data:
            store.bulk_extend(inferred_quads(store))
        store.flush()
        size = len(store)
        del store  # closes the database, so that it can be opened read-only right away
        fsync_tree(staging)
        staging.chmod(0o755)  # mkdtemp makes it private; a store is as shareable as its data
        replace_folder(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return size


# A staging folder names the process that made it, so the next load removes only dead ones.
_STORE_STAGING = ".{name}.store-staging-{pid}-"


def _remove_abandoned_staging(path: Path) -> None:
    for leftover in path.parent.glob(f".{path.name}.store-staging-*-*"):
        pid = leftover.name.rsplit("-", 2)[-2]
        if leftover.is_dir() and not leftover.is_symlink() and pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _inputs(data: Sequence[Path] | None) -> list[tuple[Path, str | None]]:
    if data:
        return [(Path(p), None) for p in data]
    return [(p, g) for p, g in shipped_graph_files()]


def _check_input_file(path: Path) -> ox.RdfFormat:
    if not path.is_file():
        raise InputError(f"{path}: no such file; check the path")
    return rdf_syntax_of_file(path).rdf_format


def _load_file(store: ox.Store, path: Path, *, graph: str | None) -> None:
    fmt = _check_input_file(path)
    check_input_file(path)
    target = ox.NamedNode(graph) if graph else None
    try:
        # Store.load is transactional: a syntax error anywhere loads nothing of this file.
        store.load(path=str(path), format=fmt, to_graph=target)
    except SyntaxError as exc:
        raise _file_syntax_error(path, exc) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read as RDF ({_one_line(exc)})") from None


def _file_syntax_error(path: Path, exc: SyntaxError) -> InputError:
    where = f"{path}, line {exc.lineno}, column {exc.offset}" if exc.lineno else str(path)
    detail = re.sub(r"^Parser error (?:between|at) [^:]*: ", "", _one_line(exc.msg or exc))
    return InputError(f"{where}: {detail}; fix the file and try again")


class _ProgressReader:
    """A binary file that reports how far the parser has read, for the progress line."""

    def __init__(
        self, handle: BinaryIO, *, total: int, label: str, report: Callable[[str], None]
    ) -> None:
        self._handle, self._total, self._label, self._report = handle, total, label, report
        self._done = 0
        self._last_percent = -1

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        self._done += len(chunk)
        percent = self._done * 100 // max(self._total, 1)
        if percent // 10 != self._last_percent // 10:  # a line per tenth, once
            self._last_percent = percent
            self._report(
                f"loading {self._label}: {percent}% ({self._done / 1e6:.1f} of {self._total / 1e6:.1f} MB)"
            )
        return chunk


def _bulk_load(
    store: ox.Store, path: Path, *, graph: str | None, progress: Callable[[str], None] | None
) -> None:
    fmt = _check_input_file(path)
    target = ox.NamedNode(graph) if graph else None
    size = path.stat().st_size
    try:
        if progress is not None and size >= PROGRESS_THRESHOLD_BYTES:
            with path.open("rb") as handle:
                reader = _ProgressReader(handle, total=size, label=path.name, report=progress)
                store.bulk_load(input=cast("BinaryIO", reader), format=fmt, to_graph=target)  # a file by duck typing
        else:
            store.bulk_load(path=str(path), format=fmt, to_graph=target)
    except SyntaxError as exc:
        raise _file_syntax_error(path, exc) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot load as RDF ({_one_line(exc)})") from None


# --------------------------------------------------------------------------- querying


def run_query(
    store: ox.Store,
    text: str,
    *,
    bindings: Mapping[str, Term] | None = None,
    base_iri: str | None = BASE,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    allow_federation: bool = True,
) -> QueryOutcome:
    """Run one SPARQL query over ``store``.

    The dataset: the query's own FROM / FROM NAMED, or ``default_graphs`` / ``named_graphs``
    (the protocol's ``default-graph-uri`` / ``named-graph-uri``, which win over the query's);
    with neither, the default graph is the union of the store's graphs. Relative IRIs resolve
    against ``base_iri``. ``bindings`` fix variables to values before evaluation (SEP-0007
    substitution). Our prefixes are predeclared, so ``hdo:epa`` works without a PREFIX line.
    A syntax error becomes an :class:`InputError` "query line L, column C: …".
    """
    try:
        shape = check_query(text, allow_federation=allow_federation)
    except Refusal as refusal:
        raise InputError(refusal.message) from None
    substitutions = {ox.Variable(name): value for name, value in (bindings or {}).items()}
    try:
        result = store.query(
            text,
            base_iri=base_iri,
            prefixes=PREFIXES,
            substitutions=substitutions or None,
            **query_dataset(shape, default_graphs=default_graphs, named_graphs=named_graphs),
        )
        return _outcome_of(result)
    except SyntaxError as exc:
        raise InputError(describe_syntax_error(str(exc))) from None
    except RuntimeError as exc:
        # pyoxigraph substitutes only variables that a SELECT returns.
        unbound = re.search(r"variable \?(\w+)", str(exc))
        if unbound and "projection" in str(exc):
            name = unbound.group(1)
            raise InputError(
                f"cannot bind ?{name}: a SELECT can only bind variables it returns; add ?{name} to the SELECT list"
            ) from None
        raise InputError(f"the query failed while it ran: {_one_line(exc)}; check the query") from None
    except OSError as exc:
        # pyoxigraph's I/O: the on-disk store, or a SERVICE endpoint when federation is on.
        raise InputError(f"the query failed: {_one_line(exc)}; check what it reads (store, SERVICE endpoints)") from None


def entities_in_store(store: ox.Store) -> list[Entity]:
    """Every entity of ``store`` (an IRI under the project's ``id/`` namespace) with its label, for bare names."""
    from hled_graph.labels import LABEL_PROPERTIES, choose

    candidates: dict[str, list[tuple[str, str, str | None]]] = {}
    for quad in store:
        subject = quad.subject
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(ENTITY_NAMESPACE):
            found = candidates.setdefault(subject.value, [])
            if quad.predicate.value in LABEL_PROPERTIES and isinstance(quad.object, ox.Literal):
                found.append((quad.predicate.value, quad.object.value, quad.object.language))
    return [(iri, choose(found)) for iri, found in sorted(candidates.items())]


def query_dataset(
    shape: QueryShape, *, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = ()
) -> dict[str, Any]:
    """``Store.query``'s dataset arguments for a query of ``shape`` and the protocol's graph IRIs.

    pyoxigraph lets these arguments override the query's FROM / FROM NAMED, so they are given
    only when the protocol names graphs (which then win, as the SPARQL 1.1 Protocol says) or when
    nobody does (the union default graph, and every named graph for GRAPH ?g). Raises
    ValueError for a graph IRI that is not an absolute IRI.
    """
    if default_graphs or named_graphs:
        return {
            "default_graph": [ox.NamedNode(iri) for iri in default_graphs],
            "named_graphs": [ox.NamedNode(iri) for iri in named_graphs],
        }
    if shape.has_dataset_clause:
        return {}
    return {"use_default_graph_as_union": True}


def _outcome_of(result: ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple]) -> QueryOutcome:
    if isinstance(result, ox.QueryBoolean):
        return QueryOutcome(kind="ask", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = tuple(v.value for v in result.variables)
        rows = tuple(tuple(solution) for solution in result)  # a solution iterates in variable order
        return QueryOutcome(kind="select", variables=variables, rows=rows)
    triples = {(t.subject, t.predicate, t.object) for t in result}
    return QueryOutcome(
        kind="construct",
        variables=("subject", "predicate", "object"),
        rows=tuple(sorted(triples, key=lambda t: tuple(str(term) for term in t))),
    )


_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)


def describe_syntax_error(message: str) -> str:
    """Turn the parser's message into one readable line: "query line L, column C: …".

    The parser lists every token it would have accepted, including Unicode character ranges;
    those ranges help nobody, and a sentence among the alternatives ("Prefix not found") is
    the real diagnosis, so it goes first.
    """
    match = _POSITION.match(message.strip())
    if not match:
        return f"query: {_one_line(message)}"
    line, column, detail = match.groups()
    detail = " ".join(detail.split())
    if detail.startswith("expected one of "):
        items = _split_alternatives(detail[len("expected one of ") :])
        sentences = [item for item in items if " " in item and not item.startswith(("[", '"'))]
        tokens = [item for item in items if item not in sentences and not item.startswith("[")]
        if sentences:
            detail = "; ".join(sentences)
        elif tokens:
            detail = "expected one of " + ", ".join(tokens)
        else:
            detail = "unexpected character"
    return f"query line {line}, column {column}: {detail}"


def _split_alternatives(text: str) -> list[str]:
    """Split "A, B, [x, y], C" at the commas that are not inside brackets or quotes."""
    items: list[str] = []
    current: list[str] = []
    depth, quoted = 0, False
    for char in text:
        if char == '"' and depth == 0:
            quoted = not quoted
        elif not quoted and char == "[":
            depth += 1
        elif not quoted and char == "]":
            depth -= 1
        if char == "," and depth == 0 and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return [item for item in items if item]


def _one_line(exc: BaseException | str) -> str:
    return " ".join(str(exc).split())


# --------------------------------------------------------------------------- remote endpoints

class RemoteEndpoint:
    """A SPARQL 1.1 Protocol endpoint, queried like a local store (``hled-graph query --endpoint``)."""

    def __init__(self, url: str, *, timeout: float | None = None) -> None:
        from hled_graph import http_client  # only remote queries pay for the HTTP stack

        self.url = http_client.check_url(url)
        self.timeout = http_client.TIMEOUT_S if timeout is None else timeout

    def query(self, text: str, *, bindings: Mapping[str, Term] | None = None) -> QueryOutcome:
        """Send ``text`` (with our prefixes and ``bindings`` inlined) and read the answer."""
        from hled_graph import http_client

        body = SPARQL_PROLOGUE + inline_bindings(text, bindings or {})
        return _outcome_of(http_client.sparql_query(self.url, body, timeout=self.timeout))


# A SPARQL lexer just good enough to find keywords outside strings, IRIs and comments.
_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*"
)
_WHERE = re.compile(r"(?<![\w:?$])WHERE(?![\w:])", re.I)


def inline_bindings(text: str, bindings: Mapping[str, Term]) -> str:
    """Bind variables for an engine without substitution: ``VALUES`` first in the WHERE group.

    A join at the start of the outermost group pattern gives the same answers as substitution
    for every query whose parameters appear in that group (all of the library's).
    """
    if not bindings:
        return text
    values = " ".join(f"VALUES ?{name} {{ {term} }}" for name, term in bindings.items())
    position = 0
    while position < len(text):
        skipped = _SKIP.match(text, position)
        if skipped:
            position = skipped.end()
            continue
        where = _WHERE.match(text, position)
        if where:
            brace = _next_code_char(text, where.end(), "{")
            if brace is not None:
                return f"{text[:brace + 1]} {values} {text[brace + 1:]}"
        position += 1
    raise InputError(
        "cannot bind parameters for a remote endpoint: the query has no WHERE keyword; add one"
    )


def _next_code_char(text: str, start: int, wanted: str) -> int | None:
    position = start
    while position < len(text):
        skipped = _SKIP.match(text, position)
        if skipped:
            position = skipped.end()
            continue
        if text[position] == wanted:
            return position
        if not text[position].isspace():
            return None
        position += 1
    return None
