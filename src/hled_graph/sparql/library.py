"""The named query library: ``queries/*.rq`` with a header that says what each query answers.

Every library file starts with a block of ``# key: value`` comment lines:

    # title: Organizations active in more than one pillar
    # question: Which organizations worked on more than one pillar, and what did each do?
    # parameter: ?org — an organization IRI (default hdo:epa)
    # answer: one row per organization and action; columns org, name, pillars, action
    # tags: online-only

``title``, ``question`` and ``answer`` are required; ``parameter`` may repeat (one per
variable, each with a default, so every query runs as is); ``tags`` is a comma-separated list.
A line starting with ``#`` and at least two spaces continues the previous value. Checks that
must return no rows live in ``queries/checks/*-violation.rq`` and use the same header.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from hled_graph import names, resources
from hled_graph.errors import InputError
from hled_graph.files import read_utf8
from hled_graph.names import Entity
from hled_graph.namespaces import PREFIXES
from hled_graph.sparql.engine import Term

HEADER_KEYS = ("title", "question", "parameter", "answer", "tags")
REQUIRED_KEYS = ("title", "question", "answer")
ONLINE_ONLY = "online-only"
CHECKS_FOLDER = "checks"

_XSD = PREFIXES["xsd"]
_HEADER_LINE = re.compile(r"^#\s?([a-z]+):\s*(.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(\S.*)$")
_PARAMETER = re.compile(r"^[?$]([A-Za-z_]\w*)\s+[—–-]+\s+(.+?)\s*\(default\s+(.+)\)$")


@dataclass(frozen=True)
class Parameter:
    """A variable the user may fix with ``--bind name=value``; ``default`` as written in the header."""

    name: str
    description: str
    default: str


@dataclass(frozen=True)
class NamedQuery:
    """One query with its header: what it asks, what its answer looks like, its parameters."""

    name: str
    title: str
    question: str
    answer: str
    text: str
    parameters: tuple[Parameter, ...] = ()
    tags: tuple[str, ...] = ()
    path: Path | None = None
    library: bool = True

    @property
    def online_only(self) -> bool:
        return ONLINE_ONLY in self.tags

    def check_parameters(self, names: Iterable[str]) -> None:
        """A library query accepts only its declared parameters; an ad-hoc one, any variable."""
        unknown = sorted(set(names) - {p.name for p in self.parameters})
        if unknown and self.library:
            if self.parameters:
                declared = ", ".join(f"?{p.name}" for p in self.parameters)
                raise InputError(
                    f"query '{self.name}' has no parameter ?{unknown[0]}; its parameters are {declared}"
                )
            raise InputError(f"query '{self.name}' takes no parameters; drop --bind {unknown[0]}=…")

    def bindings(self, given: Mapping[str, str] | None = None, *, entities: EntitySource | None = None) -> dict[str, Term]:
        """The values to bind: the parameters' defaults, overridden by ``given`` (name → value text).

        A bare name in ``given`` is looked up among ``entities`` (see :func:`parse_term`).
        """
        given = dict(given or {})
        self.check_parameters(given)
        values = {p.name: p.default for p in self.parameters}
        values.update(given)
        return {name: parse_term(value, where=f"--bind {name}=", entities=entities) for name, value in values.items()}


# --------------------------------------------------------------------------- reading files


def parse_query_text(
    text: str, *, name: str, path: Path | None = None, library: bool = True
) -> NamedQuery:
    """Read the header of a query; ``library=False`` accepts a query with no header (ad hoc)."""
    where = str(path) if path is not None else name
    fields: dict[str, list[str]] = {}
    last_key: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        header = _HEADER_LINE.match(line)
        continuation = _CONTINUATION.match(line)
        if header and header.group(1) in HEADER_KEYS:
            key, value = header.groups()
            if key != "parameter" and key in fields:
                raise InputError(f"{where}:{number}: '{key}' given twice; keep one")
            fields.setdefault(key, []).append(value.strip())
            last_key = key
        elif continuation and last_key is not None:
            fields[last_key][-1] += " " + continuation.group(1).strip()
        elif library:
            raise InputError(
                f"{where}:{number}: not a header line ({line.strip()!r}); "
                f"use '# key: value' with key one of {', '.join(HEADER_KEYS)}"
            )
        else:
            break
    if library:
        missing = [key for key in REQUIRED_KEYS if key not in fields]
        if missing:
            raise InputError(
                f"{where}: header lacks '# {missing[0]}: …'; every library query needs {', '.join(REQUIRED_KEYS)}"
            )
    parameters = tuple(
        _parse_parameter(value, where=where) for value in fields.get("parameter", [])
    )
    tags = tuple(t.strip() for t in ",".join(fields.get("tags", [])).split(",") if t.strip())
    return NamedQuery(
        name=name,
        title=fields.get("title", [""])[0],
        question=fields.get("question", [""])[0],
        answer=fields.get("answer", [""])[0],
        text=text,
        parameters=parameters,
        tags=tags,
        path=path,
        library=library,
    )


def _parse_parameter(value: str, *, where: str) -> Parameter:
    match = _PARAMETER.match(value)
    if not match:
        raise InputError(
            f"{where}: parameter line {value!r} is not '?name — what it is (default VALUE)'"
        )
    name, description, default = match.groups()
    _check_variable(name, where=f"{where}: parameter ")
    parse_term(default, where=f"{where}: default of ?{name}")
    return Parameter(name=name, description=description, default=default)


def read_query_file(path: Path, *, library: bool = True) -> NamedQuery:
    """Read one ``.rq`` file; its name is the file name without ``.rq``."""
    path = Path(path)
    text = read_utf8(path, missing="no such query file; check the path", not_utf8="save the query as UTF-8")
    return parse_query_text(text, name=path.stem, path=path, library=library)


def load_library(directory: Path | None = None) -> dict[str, NamedQuery]:
    """The competency queries (``queries/*.rq``), by name, sorted."""
    folder = Path(directory) if directory is not None else resources.queries_dir()
    return {q.name: q for q in (read_query_file(p) for p in sorted(folder.glob("*.rq")))}


def load_checks(directory: Path | None = None) -> dict[str, NamedQuery]:
    """The data checks (``queries/checks/*-violation.rq``): each must return no rows."""
    folder = Path(directory) if directory is not None else resources.queries_dir() / CHECKS_FOLDER
    return {q.name: q for q in (read_query_file(p) for p in sorted(folder.glob("*.rq")))}


def find(name: str, *, queries: Mapping[str, NamedQuery] | None = None) -> NamedQuery:
    """The library query or check called ``name``; an unknown name suggests the closest ones."""
    if queries is None:
        queries = {**load_library(), **load_checks()}
    try:
        return queries[name]
    except KeyError:
        pass
    import difflib  # only a miss pays for it

    close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.5)
    if not close:
        close = [q for q in queries if name in q or q in name][:3]
    hint = (
        f"did you mean: {', '.join(close)}?" if close else "see `hled-graph queries` for the list"
    )
    raise InputError(f"unknown query '{name}'; {hint}")


def resolve(spec: str, *, stdin_text: str | None = None) -> NamedQuery:
    """What ``hled-graph query SPEC`` runs: ``-`` (stdin), a file, or a library name."""
    if spec == "-":
        return parse_query_text(stdin_text or "", name="-", library=False)
    path = Path(spec)
    if path.is_file():
        return read_query_file(path, library=False)
    if spec.endswith(".rq") or "/" in spec:
        raise InputError(f"{spec}: no such query file; check the path")
    return find(spec)


def ad_hoc(text: str) -> NamedQuery:
    """A query given as text (``--query``)."""
    return parse_query_text(text, name="--query", library=False)


# --------------------------------------------------------------------------- values

_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
_QUOTED = re.compile(r'^"(.*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(\S+))?$', re.S)
# Lists the entities of the graph being queried, called only when a bare name needs looking up.
EntitySource = Callable[[], Iterable[Entity]]

_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:(\S*)$")


def parse_term(value: str, *, where: str = "value", entities: EntitySource | None = None) -> Term:
    """A value as the user writes it: ``<iri>``, ``http…``, ``hdo:epa``, ``"text"@en``, ``42``, ``true``, or a name.

    Anything else is a bare name (``usaid``), resolved by :mod:`hled_graph.names` among what
    ``entities()`` lists; with no ``entities`` (a remote endpoint) it is refused. Text is written
    quoted. Text that looks like a prefixed name with a prefix we do not know is an error too,
    because it is almost always a typo.
    """
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return _iri(value[1:-1], where=where)
    if value.startswith(("http://", "https://", "urn:")):
        return _iri(value, where=where)
    quoted = _QUOTED.match(value)
    if quoted:
        lexical, language, datatype = quoted.groups()
        if datatype:
            datatype_iri = parse_term(datatype, where=where)
            if not isinstance(datatype_iri, ox.NamedNode):
                raise InputError(f"{where}{value}: a datatype is an IRI or a prefixed name, like xsd:date")
            return ox.Literal(lexical, datatype=datatype_iri)
        return ox.Literal(lexical, language=language) if language else ox.Literal(lexical)
    if _INTEGER.match(value):
        return ox.Literal(value, datatype=ox.NamedNode(_XSD + "integer"))
    if _DECIMAL.match(value):
        return ox.Literal(value, datatype=ox.NamedNode(_XSD + "decimal"))
    if value in ("true", "false"):
        return ox.Literal(value, datatype=ox.NamedNode(_XSD + "boolean"))
    prefixed = _PREFIXED.match(value)
    if prefixed:
        prefix, local = prefixed.groups()
        if (prefix or "") not in PREFIXES:
            known = ", ".join(sorted(PREFIXES))
            raise InputError(
                f"{where}{value}: unknown prefix '{prefix or ''}:'; use a full IRI <…> or one of {known}"
            )
        return _iri(PREFIXES[prefix] + local, where=where)
    if entities is None:
        raise InputError(
            f"{where}{value}: a bare name, and there is no graph here to look it up in; "
            f"give a prefixed name like hdo:epa, an IRI <…>, or text in quotes: '\"{value}\"'"
        )
    return ox.NamedNode(names.resolve(value, entities(), where=where, text_allowed=True))


def _iri(text: str, *, where: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(text)
    except ValueError as exc:
        raise InputError(
            f"{where}<{text}>: not a valid IRI ({' '.join(str(exc).split())})"
        ) from None


def _check_variable(name: str, *, where: str) -> None:
    """Refuse a name SPARQL does not take as a variable (Python's ``\\w`` lets ``a²`` through; pyoxigraph's parser decides)."""
    try:
        ox.Variable(name)
    except ValueError:
        raise InputError(f"{where}?{name}: not a SPARQL variable name; use letters, digits and _") from None


def parse_bind_options(options: Iterable[str]) -> dict[str, str]:
    """``--bind var=value`` options into a name → value-text mapping."""
    bound: dict[str, str] = {}
    for option in options:
        name, sep, value = option.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise InputError(f"--bind {option!r}: write it as var=value, e.g. --bind org=hdo:epa")
        _check_variable(name, where="--bind ")
        bound[name] = value
    return bound


# --------------------------------------------------------------------------- documentation


def render_readme(queries: Mapping[str, NamedQuery], checks: Mapping[str, NamedQuery]) -> str:
    """``queries/README.md``: the library and the checks, from their headers (a test keeps it true)."""
    lines = [
        "# The query library",
        "",
        "Competency queries: questions a researcher asks of the HLED 2022 graph, each answered by one",
        "SPARQL file. Run one with `hled-graph query NAME` (`--bind var=value` sets a parameter,",
        "`--format` picks table, csv, tsv, json, xml, markdown, turtle, nt or jsonld); list them with",
        "`hled-graph queries --verbose`. Every file declares its PREFIXes, so it also runs in any",
        "SPARQL 1.1 engine (parameters then stay unbound unless you add a `VALUES` line).",
        "From Python (rdflib): `hled_graph.named_query(\"money\")` or",
        "`hled_graph.named_query(\"organization-activities\", org=\"hdo:usaid\")`; in Jupyter the result",
        "shows as a table.",
        "",
        "Each file starts with a header in this fixed format:",
        "",
        "```",
        "# title: one line",
        "# question: the question it answers, in plain words",
        "# parameter: ?var — what it is (default VALUE)      (zero or more)",
        "# answer: what one row is; the columns",
        "# tags: comma, separated                            (optional; online-only = needs the network)",
        "```",
        "",
        "This page is generated from those headers: `python -m hled_graph.sparql.library`.",
        "",
        "| name | title | parameters | tags |",
        "|---|---|---|---|",
    ]
    for query in queries.values():
        parameters = ", ".join(f"`?{p.name}` (default `{p.default}`)" for p in query.parameters)
        lines.append(
            f"| `{query.name}` | {_cell(query.title)} | {parameters} | {', '.join(query.tags)} |"
        )
    lines += ["", "## Questions", ""]
    for query in queries.values():
        lines += [f"- **{query.name}** — {query.question} *Answer:* {query.answer}"]
    lines += [
        "",
        "## Checks",
        "",
        "`checks/*-violation.rq` are data checks that must return no rows; see [checks/README.md](checks/README.md).",
    ]
    return "\n".join(lines) + "\n"


def render_checks_readme(checks: Mapping[str, NamedQuery]) -> str:
    """``queries/checks/README.md``: what each check looks for (a test keeps it true)."""
    lines = [
        "# Data checks",
        "",
        "Each `*-violation.rq` here looks for one kind of mistake in the graph and must return no rows",
        "on the shipped data; the test suite runs them all (and runs each on a fixture of mistakes, to",
        "be sure it can fail). Run one with `hled-graph query NAME` or `hled-graph query queries/checks/FILE.rq`,",
        "also with `--data FILE` to check your own data. The header format is the library's",
        "(see [../README.md](../README.md)); `answer` says what a row means.",
        "",
        "This page is generated: `python -m hled_graph.sparql.library`.",
        "",
        "| name | what it looks for |",
        "|---|---|",
    ]
    for check in checks.values():
        lines.append(f"| `{check.name}` | {_cell(check.question)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def write_readmes(directory: Path | None = None) -> list[Path]:
    """Regenerate ``queries/README.md`` and ``queries/checks/README.md`` from the headers."""
    folder = Path(directory) if directory is not None else resources.queries_dir()
    queries, checks = load_library(folder), load_checks(folder / CHECKS_FOLDER)
    written = [folder / "README.md", folder / CHECKS_FOLDER / "README.md"]
    written[0].write_text(render_readme(queries, checks), encoding="utf-8")
    written[1].write_text(render_checks_readme(checks), encoding="utf-8")
    return written


def main() -> None:
    for path in write_readmes():
        sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":  # pragma: no cover
    main()
