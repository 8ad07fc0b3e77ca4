"""The SPARQL 1.1 Protocol at /sparql: read the query, check it, run it, write the answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from hled_graph.namespaces import PREFIXES
from hled_graph.sparql.engine import describe_syntax_error, query_dataset
from hled_graph.sparql.guard import Refusal, check_query
from hled_graph.sparql.server import writers
from hled_graph.sparql.server.messages import HttpError, Request, Response
from hled_graph.sparql.server.negotiation import GRAPH_FORMATS, SOLUTION_FORMATS, Format, names, negotiate
from hled_graph.sparql.server.settings import ServerSettings

TRUNCATED_HEADER = "HLED-Results-Truncated"
_GRAPH_PARAMS = ("default-graph-uri", "named-graph-uri")
_MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class QueryRequest:
    """A query as the protocol delivers it: the text, the dataset, the wanted format."""

    text: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format_param: str | None = None


def read_query_request(request: Request) -> QueryRequest | None:
    """The query in ``request`` (GET, form POST or direct POST), or None for a bare GET (no query).

    Updates are refused here whatever way they arrive: the ``update`` parameter and the
    ``application/sparql-update`` body both answer 403.
    """
    url_params = request.query_params()
    if request.method in ("GET", "HEAD"):
        params = url_params
    elif request.method == "POST":
        media = request.media_type()
        if media == "application/sparql-update":
            raise HttpError(403, "this endpoint is read-only: SPARQL Update requests are refused")
        if media == "application/x-www-form-urlencoded":
            params = url_params + request.form_params()
        elif media == "application/sparql-query":
            if any(name in ("query", "update") for name, _ in url_params):
                raise HttpError(400, "a direct POST carries the query in the body, not in a query parameter")
            try:
                body = request.body.decode("utf-8")
            except UnicodeDecodeError:
                raise HttpError(400, "the query body is not UTF-8") from None
            params = [*url_params, ("query", body)]
        else:
            raise HttpError(
                415,
                f"unsupported Content-Type {media or '(none)'!r}; send application/sparql-query "
                "or application/x-www-form-urlencoded",
            )
    else:
        raise HttpError(405, f"{request.method} is not supported at /sparql; use GET or POST",
                        headers=(("Allow", "GET, HEAD, POST, OPTIONS"),))
    if any(name == "update" for name, _ in params):
        raise HttpError(403, "this endpoint is read-only: SPARQL Update requests are refused")
    queries = [value for name, value in params if name == "query"]
    if not queries:
        return None
    if len(queries) > 1:
        raise HttpError(400, "send exactly one 'query' parameter")
    formats = [value for name, value in params if name == "format"]
    return QueryRequest(
        text=queries[0],
        default_graphs=tuple(value for name, value in params if name == _GRAPH_PARAMS[0]),
        named_graphs=tuple(value for name, value in params if name == _GRAPH_PARAMS[1]),
        format_param=formats[0] if formats else None,
    )


def answer_query(store: ox.Store, query: QueryRequest, *, accept: str | None, settings: ServerSettings,
                 base_iri: str) -> Response:
    """Run ``query`` against ``store`` and write the negotiated answer, capped at ``max_rows``.

    Relative IRIs in the query resolve against ``base_iri`` (the endpoint's URL).
    """
    if len(query.text) > settings.max_query_chars:
        raise HttpError(413, f"query longer than {settings.max_query_chars} characters")
    if not query.text.strip():
        raise HttpError(400, "the query is empty")
    try:
        shape = check_query(query.text, allow_federation=settings.allow_federation)
    except Refusal as refusal:
        raise HttpError(refusal.status, refusal.message) from None
    try:
        dataset = query_dataset(shape, default_graphs=query.default_graphs, named_graphs=query.named_graphs)
    except ValueError as exc:
        raise HttpError(400, f"invalid graph IRI in default-graph-uri/named-graph-uri: {_one_line(str(exc))}") from None
    try:
        # Our prefixes are predeclared, as in `hled-graph query`: hdo:epa works without PREFIX.
        result = store.query(query.text, base_iri=base_iri, prefixes=PREFIXES, **dataset)
        if isinstance(result, ox.QuerySolutions):
            return _solutions(result, query, accept=accept, max_rows=settings.max_rows)
        if isinstance(result, ox.QueryTriples):
            return _triples(result, query, accept=accept, max_rows=settings.max_rows)
        return _boolean(bool(result), query, accept=accept)
    except SyntaxError as exc:
        raise HttpError(400, describe_syntax_error(str(exc))) from None
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        # Evaluation errors that the query causes (a failing SERVICE, an unsupported feature).
        raise HttpError(400, f"query failed: {_one_line(str(exc))}") from None


def _solutions(result: ox.QuerySolutions, query: QueryRequest, *, accept: str | None, max_rows: int) -> Response:
    fmt = negotiate(accept, SOLUTION_FORMATS, format_param=query.format_param)
    if fmt is None:
        raise _not_acceptable(SOLUTION_FORMATS, "SELECT results")
    variables = [v.value for v in result.variables]
    rows = [tuple(solution) for solution in islice(result, max_rows + 1)]
    headers = _truncation(rows, max_rows)
    body = writers.write_solutions(fmt.key, variables, rows[:max_rows])
    return Response(200, body, f"{fmt.media_type}; charset=utf-8", headers)


def _triples(result: ox.QueryTriples, query: QueryRequest, *, accept: str | None, max_rows: int) -> Response:
    fmt = negotiate(accept, GRAPH_FORMATS, format_param=query.format_param)
    if fmt is None:
        raise _not_acceptable(GRAPH_FORMATS, "CONSTRUCT/DESCRIBE results")
    triples = list(islice(result, max_rows + 1))
    headers = _truncation(triples, max_rows)
    body = writers.write_triples(fmt.key, triples[:max_rows])
    return Response(200, body, f"{fmt.media_type}; charset=utf-8", headers)


def _boolean(value: bool, query: QueryRequest, *, accept: str | None) -> Response:
    fmt = negotiate(accept, SOLUTION_FORMATS, format_param=query.format_param)
    if fmt is None:
        raise _not_acceptable(SOLUTION_FORMATS, "ASK results")
    return Response(200, writers.write_boolean(fmt.key, value), f"{fmt.media_type}; charset=utf-8")


def _truncation(items: Sequence[object], max_rows: int) -> list[tuple[str, str]]:
    if len(items) <= max_rows:
        return []
    return [
        (TRUNCATED_HEADER, f"max-rows={max_rows}"),
        ("Warning", f'199 hled-graph "results truncated to the first {max_rows} rows (--max-rows)"'),
    ]


def _not_acceptable(offers: tuple[Format, ...], what: str) -> HttpError:
    return HttpError(406, f"cannot write {what} in the requested format; available: {names(offers)}")


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_ERROR_CHARS else line[:_MAX_ERROR_CHARS] + " …"
