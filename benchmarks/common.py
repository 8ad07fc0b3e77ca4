"""What every section shares: the report's rows, timing helpers, the run context, the machine."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hled_graph.sparql.library import NamedQuery

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache"


def progress(message: str) -> None:
    """A progress line on stderr, so long steps show they are alive."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- values and rows


@dataclass(frozen=True)
class Value:
    """A measured number; ``lower_bound`` when the run was stopped at a cap ("> 120 s")."""

    number: float
    unit: str
    lower_bound: bool = False

    def text(self) -> str:
        prefix = "> " if self.lower_bound else ""
        if self.unit == "s":
            if self.number < 1:
                return f"{prefix}{self.number * 1000:.1f} ms"
            return f"{prefix}{self.number:.2f} s"
        if self.unit == "ms":
            return f"{prefix}{self.number:.1f} ms"
        if self.unit == "req/s":
            return f"{prefix}{self.number:,.0f} req/s"
        return f"{prefix}{self.number:g} {self.unit}"


def seconds(number: float, *, lower_bound: bool = False) -> Value:
    return Value(number, "s", lower_bound)


@dataclass(frozen=True)
class Row:
    figure: str
    ours: str
    anchor: str
    ratio: str
    goal: str
    met: str


def _verdict(ok: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "unknown"}[ok]


def time_row(figure: str, ours: Value, anchor: Value, *, max_ratio: float | None = None) -> Row:
    """Lower is better; ratio = ours / anchor, goal ``≤ max_ratio×``."""
    ratio = ours.number / anchor.number
    bounded = ours.lower_bound or anchor.lower_bound
    ratio_text = f"{'≈' if bounded else ''}{ratio:.2f}×"
    if max_ratio is None:
        return Row(figure, ours.text(), anchor.text(), ratio_text, "—", "—")
    ok: bool | None = ratio <= max_ratio
    if ours.lower_bound:
        ok = False if ratio > max_ratio else None
    elif anchor.lower_bound:
        ok = True if ratio <= max_ratio else None
    return Row(figure, ours.text(), anchor.text(), ratio_text, f"≤ {max_ratio:g}×", _verdict(ok))


def speedup_row(figure: str, ours: Value, anchor: Value, *, min_speedup: float | None = None) -> Row:
    """Lower is better; shown as how many times faster ours is (anchor / ours)."""
    speedup = anchor.number / ours.number
    if ours.lower_bound and anchor.lower_bound:
        ratio_text, ok = "both capped", None
    elif anchor.lower_bound:
        ratio_text = f"> {speedup:.1f}× faster"
        ok = True if min_speedup is not None and speedup >= min_speedup else None
    elif ours.lower_bound:
        ratio_text = f"< {speedup:.1f}× faster"
        ok = False if min_speedup is not None and speedup < min_speedup else None
    else:
        ratio_text = f"{speedup:.1f}× faster" if speedup >= 1 else f"{1 / speedup:.1f}× slower"
        ok = speedup >= min_speedup if min_speedup is not None else None
    if min_speedup is None:
        return Row(figure, ours.text(), anchor.text(), ratio_text, "—", "—")
    return Row(figure, ours.text(), anchor.text(), ratio_text, f"≥ {min_speedup:g}× faster", _verdict(ok))


def throughput_row(figure: str, ours: Value, anchor: Value, *, min_ratio: float | None = None) -> Row:
    """Higher is better; ratio = ours / anchor, goal ``≥ min_ratio×``."""
    ratio = ours.number / anchor.number if anchor.number else float("inf")
    goal = f"≥ {min_ratio:g}×" if min_ratio is not None else "—"
    met = _verdict(ratio >= min_ratio) if min_ratio is not None else "—"
    return Row(figure, ours.text(), anchor.text(), f"{ratio:.2f}×", goal, met)


def limit_row(figure: str, ours: Value, *, limit: Value, anchor: str = "—") -> Row:
    """An absolute goal: ``ours ≤ limit``."""
    ok: bool | None = ours.number <= limit.number
    if ours.lower_bound:
        ok = False
    return Row(figure, ours.text(), anchor, "—", f"≤ {limit.text()}", _verdict(ok))


def info_row(figure: str, ours: str, anchor: str = "—", ratio: str = "—") -> Row:
    return Row(figure, ours, anchor, ratio, "—", "—")


def not_measured_row(figure: str, reason: str) -> Row:
    return Row(figure, f"not measured: {reason}", "—", "—", "—", "—")


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    not_measured: list[str] = field(default_factory=list)

    def skip(self, figure: str, reason: str) -> None:
        """Say clearly what was not measured and why (the lead re-runs once the piece lands)."""
        self.rows.append(not_measured_row(figure, reason))
        self.not_measured.append(f"{figure}: {reason}")
        progress(f"  not measured: {figure}: {reason}")


# --------------------------------------------------------------------------- timing


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def time_call(function: Callable[[], object], *, runs: int) -> list[float]:
    """Wall times of ``runs`` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


class CommandFailed(RuntimeError):
    pass


def time_command(
    command: Sequence[str], *, runs: int, timeout: float = 300, env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> list[float]:
    """Wall times of ``runs`` subprocess runs (start to exit), each must succeed."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            list(command), capture_output=True, timeout=timeout, env=env, cwd=cwd, stdin=subprocess.DEVNULL
        )
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            message = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
            raise CommandFailed(f"`{' '.join(command)}` exit {done.returncode}: {message[-1] if message else ''}")
    return times


def time_commands_interleaved(
    commands: Sequence[Sequence[str]], *, runs: int, timeout: float = 300
) -> list[float]:
    """Median wall time of each command, runs alternated (a b a b …) so that a change in the
    machine's load during the measurement hits every command alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for index, command in enumerate(commands):
            times[index] += time_command(command, runs=1, timeout=timeout)
    return [median(values) for values in times]


# --------------------------------------------------------------------------- the run


@dataclass
class Context:
    """Options of the run and what sections share (synthetic files, results for later sections)."""

    smoke: bool
    sizes: list[int]
    workdir: Path
    rdflib_cap: float = 120.0
    shared: dict[str, object] = field(default_factory=dict)

    @property
    def python(self) -> str:
        return sys.executable

    def hled_graph(self) -> list[str]:
        """The console script users run, next to this interpreter."""
        script = Path(sys.executable).parent / "hled-graph"
        if script.is_file():
            return [str(script)]
        found = shutil.which("hled-graph")
        if found:
            return [found]
        return [sys.executable, "-c", "from hled_graph.cli import main; main()"]

    def runs(self, full: int, smoke: int) -> int:
        return smoke if self.smoke else full

    def synthetic_file(self, triples: int, *, seed: int = 0) -> Path:
        """The synthetic N-Triples file of this size, made once and kept in benchmarks/.cache."""
        import hashlib

        from benchmarks import synthetic
        from hled_graph import resources

        # Named after the generator's source and the data it takes its organizations from: a changed
        # generator or data file never reuses stale files.
        sources = [Path(synthetic.__file__), *resources.data_files()]
        version = hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()[:10]
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"synthetic-{triples}-seed{seed}-{version}.nt"
        if not path.is_file():
            progress(f"generating {triples:,} synthetic triples → {path.name}")
            partial = path.with_suffix(".partial")
            with open(partial, "w", encoding="utf-8") as out:
                for line in synthetic.generate(triples=triples, seed=seed):
                    out.write(line + "\n")
            os.replace(partial, path)
        return path

    def cli_supports(self, *words: str) -> bool:
        """Whether ``hled-graph WORDS --help`` works, i.e. the command has landed."""
        key = "cli:" + " ".join(words)
        if key not in self.shared:
            done = subprocess.run(
                [*self.hled_graph(), *words, "--help"], capture_output=True, timeout=60, stdin=subprocess.DEVNULL
            )
            self.shared[key] = done.returncode == 0
        return bool(self.shared[key])

    def cli_help(self, *words: str) -> str:
        done = subprocess.run([*self.hled_graph(), *words, "--help"], capture_output=True, text=True, timeout=60)
        return done.stdout


def shipped_data_file() -> Path:
    """The encoded fact sheet (``data/hled-2022.ttl``)."""
    from hled_graph import resources

    return resources.data_files()[0]


def shipped_graph_files() -> list[Path]:
    """Ontology, data and links as far as they exist: what `hled-graph query` loads."""
    from hled_graph import resources

    files = [resources.ontology_file(), *resources.data_files(), resources.links_file()]
    return [path for path in files if path.is_file()]


def library_queries() -> list[NamedQuery]:
    """The library queries that run offline (the federated ones excluded)."""
    from hled_graph.sparql.library import load_library

    return [query for query in load_library().values() if not query.online_only]


# --------------------------------------------------------------------------- the machine


def _first_line(command: Sequence[str]) -> str:
    try:
        done = subprocess.run(list(command), capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def _package_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"') + f" (kernel {platform.release()})"
    except OSError:
        pass
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": os_name,
        "Python": platform.python_version(),
    }


def versions() -> dict[str, str]:
    oxigraph = shutil.which("oxigraph")
    return {
        "rdflib": _package_version("rdflib"),
        "pyoxigraph": _package_version("pyoxigraph"),
        "oxigraph server": _first_line([oxigraph, "--version"]) if oxigraph else "not installed",
        "networkx": _package_version("networkx"),
        "pyvis": _package_version("pyvis"),
        "chromium": _first_line(["/usr/bin/chromium", "--version"]),
        "playwright": _package_version("playwright"),
        "rdflib-endpoint": _package_version("rdflib-endpoint"),
        "wrk": _first_line(["wrk", "--version"]) if shutil.which("wrk") else "not installed",
    }
