"""The benchmark runner runs end to end in --smoke mode and reports every section (no timing asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("a", "b", "c", "d", "e")


def test_smoke_run_writes_a_report_with_every_section(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = out.read_text(encoding="utf-8")
    assert "## Machine" in report and "## Versions" in report
    for key in SECTIONS:
        match = re.search(rf"^## {key}\. .*?(?=^## |\Z)", report, re.M | re.S)
        assert match, f"section {key} missing from the report"
        rows = [
            line for line in match.group(0).splitlines() if line.startswith("| ") and not line.startswith("| figure")
        ]
        assert rows, f"section {key} has no rows"
        for row in rows:
            ours = row.split(" | ")[1].strip()
            # Either a measured value ("12.3 ms", "off") or an explicit reason why it was not measured.
            assert ours not in ("", "—", "not measured:"), row
        assert "crashed" not in match.group(0), match.group(0)
    assert re.search(r"^- goals missed: \d+", report, re.M)
