"""The endpoint's request handler: routes a :class:`Request` to an answer. No sockets, no threads.

Embeddable: build an :class:`App` around a pyoxigraph store and call :meth:`App.handle` from any
HTTP stack. The process that runs it (timeouts, workers) lives in :mod:`.worker` and
:mod:`.supervisor`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from hled_graph.namespaces import PREFIXES
from hled_graph.sparql.server import service_description
from hled_graph.sparql.server.examples import STARTING_QUERY, example_queries
from hled_graph.sparql.server.linked_data import EntityPages, entity_iri
from hled_graph.sparql.server.messages import CSP, HttpError, Request, Response, error_response, text_response
from hled_graph.sparql.server.negotiation import GRAPH_FORMATS, HTML, names, negotiate
from hled_graph.sparql.server.pages import PACKAGE, QUERY_PAGE_CSP, YASGUI
from hled_graph.sparql.server.settings import ServerSettings
from hled_graph.sparql.server.sparql_protocol import TRUNCATED_HEADER, answer_query, read_query_request
from hled_graph.templating import render
from hled_graph.visible import browser_script

log = logging.getLogger("hled_graph.server")

# Writes the ontology documentation page (HTML) of a store; None when it has no ontology. The
# caller supplies it (`hled-graph serve` uses the publisher's), so the server needs no rdflib.
OntologyDocs = Callable[[ox.Store], "bytes | None"]
# Writes the commitments tracker of a store: its files by name ("commitments", "commitments.js",
# "commitments.css"), answered at /commitments, /commitments.js and /commitments.css.
CommitmentsPage = Callable[[ox.Store], "dict[str, bytes]"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
_STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".LICENSE": "text/plain"}
_SD_FORMATS = (*GRAPH_FORMATS, HTML)
COMMON_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", f"{TRUNCATED_HEADER}, Warning"),
    ("Referrer-Policy", "no-referrer"),
)
# The ontology documentation is one static page with inline CSS and no script.
DOCS_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
PREFLIGHT_HEADERS = (
    ("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Accept, Content-Type"),
    ("Access-Control-Max-Age", "86400"),
)


class App:
    """Answers HTTP requests about one read-only store."""

    def __init__(self, store: ox.Store, settings: ServerSettings, *, ontology_docs: OntologyDocs | None = None,
                 commitments_page: CommitmentsPage | None = None) -> None:
        self.store = store
        self.settings = settings
        self._write_docs = ontology_docs
        self._write_commitments = commitments_page
        self._commitments: dict[str, bytes] | None = None
        self.entities = EntityPages(store)
        # Counted at the first request for the service description, not at start: on a large
        # on-disk store the count takes a while, and every worker would pay it while starting.
        self._counts: tuple[int, list[tuple[str, int]]] | None = None
        self._docs: bytes | None = None
        # Only files that exist at start are ever served: a fixed list cannot be escaped from.
        self._static = {
            path.name: path.read_bytes()
            for path in STATIC_DIR.iterdir()
            if path.is_file() and path.suffix in _STATIC_TYPES
        }
        # The query page has no per-request part: rendered once, from the same frame as every page.
        self._query_page = render(PACKAGE, "query.html", title="Query the HLED graph", alternates=(),
                                  yasgui=YASGUI, prefixes=PREFIXES, query=STARTING_QUERY).encode()
        self._static["invisible.js"] = browser_script().encode()
        examples = example_queries(allow_federation=settings.allow_federation)
        self._examples = json.dumps(examples, ensure_ascii=False).encode()

    def handle(self, request: Request) -> Response:
        """The answer to ``request``; every failure becomes an error response, never an exception."""
        try:
            response = self._route(request)
        except HttpError as exc:
            response = error_response(exc.status, exc.message, accept=request.header("accept"), headers=exc.headers)
        except MemoryError:
            raise  # the query process's memory cap: it answers "memory" and is replaced (see query_pool)
        except Exception:  # a bug: log it, answer 500 without details
            log.exception("internal error answering %s %s", request.method, request.target[:200])
            response = error_response(500, "internal error; the server log has the details",
                                      accept=request.header("accept"))
        response.headers.extend(COMMON_HEADERS)
        return response

    def _route(self, request: Request) -> Response:
        try:
            path = request.path
        except UnicodeDecodeError:
            raise HttpError(400, "the request path is not valid UTF-8") from None
        if request.method == "OPTIONS":
            return Response(204, headers=list(PREFLIGHT_HEADERS))
        if path == "/sparql":
            return self._sparql(request)
        if request.method not in ("GET", "HEAD"):
            raise HttpError(405, f"{request.method} is not supported here; use GET",
                            headers=(("Allow", "GET, HEAD, OPTIONS"),))
        if path in ("/", "/index.html"):
            return Response(200, self._query_page, "text/html; charset=utf-8",
                            [("Cache-Control", "public, max-age=3600"), ("Content-Security-Policy", QUERY_PAGE_CSP)])
        if path.startswith("/static/"):
            return self._static_file(path[len("/static/"):])
        if path == "/examples.json":
            return Response(200, self._examples, "application/json; charset=utf-8")
        format_param = next((value for name, value in request.query_params() if name == "format"), None)
        if path == "/ontology":
            return self.entities.respond_ontology(request, format_param=format_param)
        if path == "/ontology.html":
            return Response(200, self._ontology_docs(), "text/html; charset=utf-8",
                            [("Content-Security-Policy", DOCS_CSP)])
        if path in ("/commitments", "/commitments.js", "/commitments.css"):
            return self._commitments_file(path[1:])
        iri = entity_iri(path)
        if iri is not None:
            return self.entities.respond(request, iri, format_param=format_param)
        raise HttpError(404, f"nothing at {path[:200]}; try / (query page), /sparql, /id/…, /ontology, "
                             "/ontology.html (the ontology's documentation) or /commitments (the tracker)")

    def _ontology_docs(self) -> bytes:
        """The ontology documentation of this store, made on first request and kept (the store never changes)."""
        if self._docs is None:
            page = self._write_docs(self.store) if self._write_docs is not None else None
            if page is None:
                raise HttpError(404, "no ontology documentation here; serve the shipped graph "
                                     "with `hled-graph serve` for it")
            self._docs = page
        return self._docs

    def _commitments_file(self, name: str) -> Response:
        """The tracker's page or one of its files, made on first request and kept (the store never changes)."""
        if self._commitments is None:
            if self._write_commitments is None:
                raise HttpError(404, "no commitments tracker here; serve the graph with `hled-graph serve` for it")
            self._commitments = self._write_commitments(self.store)
        if name == "commitments":
            return Response(200, self._commitments[name], "text/html; charset=utf-8",
                            [("Content-Security-Policy", CSP)])
        media = _STATIC_TYPES[Path(name).suffix]
        return Response(200, self._commitments[name], f"{media}; charset=utf-8")

    def _static_file(self, name: str) -> Response:
        body = self._static.get(name)
        if body is None:
            raise HttpError(404, "no such file")
        media = _STATIC_TYPES[Path(name).suffix]
        return Response(200, body, f"{media}; charset=utf-8", [("Cache-Control", "public, max-age=3600")])

    def _sparql(self, request: Request) -> Response:
        query = read_query_request(request)
        fallback = f"http://{self.settings.host}:{self.settings.port}/sparql"
        endpoint = service_description.endpoint_url(request.header("host"), fallback=fallback)
        if query is not None:
            return answer_query(self.store, query, accept=request.header("accept"), settings=self.settings,
                                base_iri=endpoint)
        fmt = negotiate(request.header("accept"), _SD_FORMATS,
                        format_param=next((v for k, v in request.query_params() if k == "format"), None))
        if fmt is None:
            raise HttpError(406, f"the service description is available as {names(_SD_FORMATS)}")
        if self._counts is None:
            self._counts = service_description.graph_counts(self.store)
        counts, federation = self._counts, self.settings.allow_federation
        if fmt.key == "html":
            page = service_description.description_html(endpoint, counts=counts, allow_federation=federation)
            return text_response(200, page, "text/html", headers=[("Vary", "Accept")])
        body = service_description.description_bytes(fmt.key, endpoint, counts=counts, allow_federation=federation)
        return Response(200, body, f"{fmt.media_type}; charset=utf-8", [("Vary", "Accept")])

