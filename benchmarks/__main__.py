"""``python -m benchmarks``: measure every figure against its anchor in the same run, write RESULTS.md."""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import ROOT, Context, Section, machine, progress, versions

SECTIONS = {
    "a": "benchmarks.cold_cli",
    "b": "benchmarks.scale",
    "c": "benchmarks.endpoint",
    "d": "benchmarks.maps",
    "e": "benchmarks.micro",
}
FULL_SIZES = [10_000, 100_000, 1_000_000]
SMOKE_SIZES = [10_000]


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(float(part)) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give sizes like 1e4,1e5,1e6") from None
    if not sizes or sizes[0] < 1000:
        raise argparse.ArgumentTypeError(f"{text!r}: sizes must be at least 1000 triples")
    return sizes


def _sections(text: str) -> list[str]:
    keys = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [k for k in keys if k not in SECTIONS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown section {unknown[0]!r}; choose from {','.join(SECTIONS)}")
    return keys


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure hled-graph against its anchors (rdflib, raw pyoxigraph, oxigraph serve, "
        "rdflib-endpoint) in one run and write a Markdown report.",
    )
    parser.add_argument("--smoke", action="store_true", help="smallest sizes, every section trimmed (< 60 s)")
    parser.add_argument("--sections", type=_sections, default=list(SECTIONS),
                        help="comma-separated sections: a cold CLI, b scale, c endpoint, d maps, e micro-anchors")
    parser.add_argument("--sizes", type=_sizes, default=None, help="synthetic sizes in triples (default 1e4,1e5,1e6)")
    parser.add_argument("--rdflib-cap", type=float, default=None,
                        help="seconds after which an rdflib query is killed and reported as '> cap' "
                        "(default 120, with --smoke 1)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md", help="report file")
    return parser.parse_args(argv)


def load_average() -> str:
    """The 1-minute load average: above the core count, other work shared the machine."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def render(sections: list[Section], *, args: argparse.Namespace, started: datetime, elapsed: float,
           load: tuple[str, str]) -> str:
    lines = ["# hled-graph benchmark results", ""]
    lines.append(f"Run {started.strftime('%Y-%m-%d %H:%M UTC')}, {elapsed / 60:.1f} min, "
                 f"`python -m benchmarks{' --smoke' if args.smoke else ''} --sections {','.join(args.sections)} "
                 f"--sizes {','.join(str(s) for s in args.sizes)}`. Every anchor was measured in this same run on "
                 "this machine; ratios compare the two.")
    lines += ["", "## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in machine().items()]
    lines.append(f"- load average (1 min) at start / end of the run: {load[0]} / {load[1]} "
                 "(above the core count means other work shared the CPU and the figures are noisy)")
    lines += ["", "## Versions", ""]
    lines += [f"- {key}: {value}" for key, value in versions().items()]
    for section in sections:
        lines += ["", f"## {section.key}. {section.title}", ""]
        lines += ["| figure | ours | anchor | ratio | goal | met? |", "|---|---|---|---|---|---|"]
        for row in section.rows:
            cells = [row.figure, row.ours, row.anchor, row.ratio, row.goal, row.met]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        if not section.rows:
            lines.append("| (nothing measured) | — | — | — | — | — |")
        if section.notes:
            lines.append("")
            lines += [note if note.startswith("  ") else f"- {note}" for note in section.notes]
    missed = [(s.key, r.figure) for s in sections for r in s.rows if r.met == "**no**"]
    skipped = [(s.key, item) for s in sections for item in s.not_measured]
    lines += ["", "## Summary", ""]
    lines.append(f"- goals missed: {len(missed)}" + "".join(f"\n  - {k}: {f}" for k, f in missed))
    lines.append(f"- not measured: {len(skipped)}" + "".join(f"\n  - {k}: {f}" for k, f in skipped))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.sizes is None:
        args.sizes = SMOKE_SIZES if args.smoke else FULL_SIZES
    if args.rdflib_cap is None:
        args.rdflib_cap = 1.0 if args.smoke else 120.0
    started = datetime.now(UTC)
    load_at_start = load_average()
    clock = time.monotonic()
    sections: list[Section] = []
    with tempfile.TemporaryDirectory(prefix="hled-bench-") as workdir:
        ctx = Context(smoke=args.smoke, sizes=args.sizes, workdir=Path(workdir), rdflib_cap=args.rdflib_cap)
        for key in args.sections:
            module = importlib.import_module(SECTIONS[key])
            progress(f"section {key}: {module.__doc__.splitlines()[0] if module.__doc__ else key}")
            try:
                section = module.run(ctx)
            except Exception as exc:  # noqa: BLE001 - one broken section must not lose the others' numbers
                traceback.print_exc()
                section = Section(key, f"section {key}")
                section.skip(f"section {key}", f"crashed: {type(exc).__name__}: {exc}")
            sections.append(section)
            for row in section.rows:
                progress(f"  {row.figure}: {row.ours} vs {row.anchor} → {row.ratio} (goal {row.goal}: {row.met})")
    report = render(sections, args=args, started=started, elapsed=time.monotonic() - clock,
                    load=(load_at_start, load_average()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    progress(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
