"""The one HTTP client of hled-graph: SPARQL queries and updates, Graph Store pushes.

Plain ``urllib`` on purpose: the SPARQL protocols are a few HTTP requests, and a client library
would be one more dependency for every user. Every request carries the same User-Agent (public
endpoints such as Wikidata's refuse anonymous clients) and a timeout, and every failure is one
:class:`~hled_graph.errors.InputError` line: a host that cannot be reached, an HTTP error status
(with the server's own words) or an answer that is not SPARQL results. They are the user's to fix
(a URL, a server, a query), so they all exit 2.

Redirects are followed only within one origin (the same scheme, host and port; or the same host
moving from http to https), re-sending the same request there. A redirect to anywhere else is
refused with the two URLs named, so an answer never comes silently from a host the user did not
name: they can give the new URL directly if they trust it.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from hled_graph.errors import InputError
from hled_graph.version import __version__

PROJECT_URL = "https://w3id.org/hled"
USER_AGENT = f"hled-graph/{__version__} (+{PROJECT_URL})"
TIMEOUT_S = 60.0
# Longer server answers are cut in error messages: the first words say what went wrong.
_MESSAGE_LIMIT = 300

SparqlAnswer = ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]
# SELECT/ASK as SPARQL JSON, CONSTRUCT/DESCRIBE as N-Triples: both parse quickly and exactly.
_ACCEPT = f"{ox.QueryResultsFormat.JSON.media_type}, {ox.RdfFormat.N_TRIPLES.media_type};q=0.9"
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


class RemoteHTTPError(InputError):
    """The server answered with an HTTP error status; the message carries its own words."""

    def __init__(self, url: str, status: int, reason: str, server_message: str) -> None:
        detail = f": {server_message}" if server_message else ""
        super().__init__(f"{url} answered HTTP {status} {reason}{detail}")
        self.status = status


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL, else an InputError saying what to give."""
    parsed = urllib.parse.urlsplit(url)
    well_formed = parsed.hostname and _has_valid_port(parsed) and not any(c.isspace() or ord(c) < 32 for c in url)
    if parsed.scheme not in {"http", "https"} or not well_formed:
        raise InputError(f"{url!r} is not an http(s) URL; give the endpoint's full address, e.g. http://localhost:7878/query")
    return url


def _has_valid_port(parsed: urllib.parse.SplitResult) -> bool:
    try:
        return parsed.port is None or parsed.port >= 0  # reading it raises ValueError when it is not a port
    except ValueError:
        return False


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only within the origin asked for, keeping the method and body."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request:
        target = urllib.parse.urljoin(req.full_url, newurl)
        if not _same_origin(req.full_url, target):
            fp.close()
            raise InputError(
                f"{req.full_url} redirects (HTTP {code}) to {target}, another host; not followed, so that no "
                "answer comes from a host you did not name: if you trust it, give that URL directly"
            )
        if code == 303:  # "see other": the answer is fetched with GET, as the protocol says
            return urllib.request.Request(target, headers=dict(req.headers), method="GET")
        return urllib.request.Request(
            target, data=req.data, headers=dict(req.headers), method=req.get_method()
        )


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str | None, int | None]:
    """Scheme, host (lower case, without IPv6 brackets) and port, the scheme's own port spelled out."""
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or _DEFAULT_PORTS.get(parts.scheme)


def _same_origin(url: str, target: str) -> bool:
    if "@" in urllib.parse.urlsplit(target).netloc:
        return False  # urllib would take "user@host" for the host name: a redirect never carries credentials
    old, new = _origin(url), _origin(target)
    return old == new or (old, new) == (("http", old[1], 80), ("https", old[1], 443))


_OPENER = urllib.request.build_opener(_SameOriginRedirects)


def send(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT_S,
) -> Answer:
    """One HTTP exchange. An error status, an unreachable host or a timeout raises a one-line InputError."""
    request = urllib.request.Request(check_url(url), data=body, method=method)
    request.add_header("User-Agent", USER_AGENT)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Answer(response.status, response.headers.get("Content-Type", ""), response.read())
    except urllib.error.HTTPError as exc:
        # urllib's own reasons can span lines (a redirect loop's does): the error stays one line.
        raise RemoteHTTPError(url, exc.code, _one_line(exc.reason), _server_message(exc.read())) from None
    except http.client.HTTPException as exc:  # not HTTP at all, or an answer cut short
        raise InputError(
            f"{url} did not answer in HTTP ({type(exc).__name__}: {_one_line(exc) or 'no detail'}); "
            "check the URL and the port"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        # A read timeout is a bare TimeoutError; a connect timeout comes wrapped in a URLError.
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            message = f"{url} did not answer within {timeout:g} s; try again later or check the server"
        else:
            message = f"cannot reach {url}: {_one_line(reason)}; check the URL and that the server is running"
        raise InputError(message) from None


def sparql_query(url: str, query: str, *, timeout: float = TIMEOUT_S) -> SparqlAnswer:
    """Send a query by the SPARQL 1.1 Protocol (URL-encoded POST, which every endpoint accepts) and parse the answer."""
    answer = send(
        url,
        method="POST",
        body=urllib.parse.urlencode({"query": query}).encode("utf-8"),
        headers={"Content-Type": _FORM, "Accept": _ACCEPT},
        timeout=timeout,
    )
    media = answer.content_type.split(";")[0].strip().lower()
    try:
        if media in (ox.QueryResultsFormat.JSON.media_type, "application/json"):
            solutions = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
            if isinstance(solutions, ox.QuerySolutions):
                # The solutions parse lazily, as they are read: read them once here, so that a
                # malformed row is this one-line error and not a SyntaxError wherever it is read.
                for _ in solutions:
                    pass
                solutions = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
            return solutions
        if media in (ox.RdfFormat.N_TRIPLES.media_type, "text/plain"):
            return [quad.triple for quad in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]
    except (SyntaxError, ValueError) as exc:
        raise InputError(
            f"{url} did not answer with readable SPARQL results ({_one_line(exc)}); is it a SPARQL endpoint?"
        ) from None
    raise InputError(
        f"{url} answered {media or 'without a content type'} (HTTP {answer.status}), not SPARQL results; "
        "is it a SPARQL endpoint?"
    )


def sparql_select(url: str, query: str, *, timeout: float = TIMEOUT_S) -> ox.QuerySolutions:
    """:func:`sparql_query` for a SELECT: the solutions, or an InputError if the answer is something else."""
    answer = sparql_query(url, query, timeout=timeout)
    if not isinstance(answer, ox.QuerySolutions):
        raise InputError(f"{url} did not answer a SELECT query with solutions; is it a SPARQL endpoint?")
    return answer


def sparql_update(url: str, request: str, *, timeout: float = TIMEOUT_S) -> None:
    """Send one SPARQL 1.1 Update request (URL-encoded POST)."""
    send(
        url,
        method="POST",
        body=urllib.parse.urlencode({"update": request}).encode("utf-8"),
        headers={"Content-Type": _FORM},
        timeout=timeout,
    )


def _server_message(body: bytes) -> str:
    text = _one_line(body.decode("utf-8", errors="replace"))
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


def _one_line(value: object) -> str:
    return " ".join(str(value).split())
