"""HTTP requests and responses as plain values, so the handler runs without any network code."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from hled_graph.sparql.server.negotiation import HTML, Format, negotiate

REASONS = {
    200: "OK", 204: "No Content", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout",
    413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
    431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented",
    503: "Service Unavailable", 505: "HTTP Version Not Supported",
}
MAX_PARAMS = 100

# Content-Security-Policy of every HTML page: our own scripts and styles only, nothing external.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class HttpError(Exception):
    """An answer other than 200, raised anywhere in the handler: a status and a one-line message."""

    def __init__(self, status: int, message: str, *, headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def path(self) -> str:
        """The decoded path; '%2e%2e' becomes '..' here and the router must treat it as text."""
        return unquote(urlsplit(self.target).path or "/", errors="strict")

    def query_params(self) -> list[tuple[str, str]]:
        return _parse_params(urlsplit(self.target).query)

    def form_params(self) -> list[tuple[str, str]]:
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(400, "the form body is not UTF-8") from None
        return _parse_params(text)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def media_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


def _parse_params(text: str) -> list[tuple[str, str]]:
    if len(text) <= _CACHED_PARAMS_CHARS:
        return list(_parse_params_cached(text))
    return list(_parse_params_uncached(text))


# Decoding a query string costs more than running a small query; clients repeat the same ones.
_CACHED_PARAMS_CHARS = 8192


@functools.lru_cache(maxsize=1024)
def _parse_params_cached(text: str) -> tuple[tuple[str, str], ...]:
    return _parse_params_uncached(text)


def _parse_params_uncached(text: str) -> tuple[tuple[str, str], ...]:
    try:
        return tuple(parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_PARAMS,
                               errors="strict"))
    except ValueError as exc:
        raise HttpError(400, f"cannot read the parameters: {exc}") from None


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    close: bool = False


def text_response(status: int, body: str, media_type: str, *, headers: list[tuple[str, str]] | None = None) -> Response:
    extra = list(headers or [])
    if media_type == "text/html":
        extra.append(("Content-Security-Policy", CSP))
    return Response(status, body.encode("utf-8"), f"{media_type}; charset=utf-8", extra)


_ERROR_FORMATS = (
    Format("plain", "text/plain"),
    Format("json", "application/json", ("application/sparql-results+json", "application/ld+json")),
    HTML,
)


def error_response(status: int, message: str, *, accept: str | None = None,
                   headers: tuple[tuple[str, str], ...] = ()) -> Response:
    """The one shape of every error: the status and a one-line message, as JSON, HTML or text."""
    message = " ".join(message.split())
    reason = REASONS.get(status, "Error")
    wanted = negotiate(accept, _ERROR_FORMATS) or _ERROR_FORMATS[0]
    if wanted.key == "json":
        body = json.dumps({"status": status, "error": reason, "message": message}, ensure_ascii=False)
        response = text_response(status, body + "\n", "application/json")
    elif wanted.key == "html":
        from hled_graph.templating import render  # Jinja2 only when an error page is asked for

        page = render("hled_graph.sparql.server", "error.html", status=status, reason=reason, message=message)
        response = text_response(status, page, "text/html")
    else:
        response = text_response(status, f"{status} {reason}: {message}\n", "text/plain")
    response.headers.extend(headers)
    return response
