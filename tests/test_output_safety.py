"""Outputs never destroy: a folder of the user's own is refused, devices and pipes are written
through, links stay links, a full disk is an error, and a killed build leaves no staging folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hled_graph.build import BUILD_MARKER

CLI = [sys.executable, "-m", "hled_graph.cli"]


def run(*args: str, cwd: Path | None = None, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], stdout=stdout, stderr=subprocess.PIPE, text=True, cwd=cwd, timeout=180)


def one_line_error(result: subprocess.CompletedProcess, code: int) -> str:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hled-graph: error: "), result.stderr
    return lines[0]


def test_build_into_a_folder_of_the_users_own_is_refused_and_nothing_is_touched(tmp_path: Path) -> None:
    mine = tmp_path / "thesis.tex"
    mine.write_text("my work", encoding="utf-8")
    line = one_line_error(run("build", "-o", ".", cwd=tmp_path), 2)
    assert "not an earlier build" in line and "-o" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]
    assert mine.read_text(encoding="utf-8") == "my work"


def test_build_onto_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("keep", encoding="utf-8")
    assert "is a file" in one_line_error(run("build", "-o", str(target)), 2)
    assert target.read_text(encoding="utf-8") == "keep"


def test_build_into_an_empty_folder_then_again_over_its_own_output(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    inode = out.stat().st_ino
    first = run("build", "-o", str(out))
    assert first.returncode == 0, first.stderr
    assert (out / BUILD_MARKER).is_file() and (out / "hled.ttl").is_file()
    assert out.stat().st_ino == inode, "an empty target keeps its inode: the outputs move into it"
    (out / "stale.txt").write_text("from an older build", encoding="utf-8")
    second = run("build", "-o", str(out))
    assert second.returncode == 0, second.stderr
    assert not (out / "stale.txt").exists() and (out / "hled.ttl").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "no staging or old folder left"


def test_a_terminated_build_removes_its_staging_folder(tmp_path: Path) -> None:
    process = subprocess.Popen([*CLI, "build", "-o", "out"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".out.staging-*/hled.ttl")):
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == [], "staging removed, nothing else written"


def test_a_killed_builds_staging_is_removed_by_the_next_build(tmp_path: Path) -> None:
    leftover = tmp_path / ".out.staging-abc123"
    leftover.mkdir()
    (leftover / BUILD_MARKER).write_text("x", encoding="utf-8")
    not_ours = tmp_path / ".out.staging-mine"  # no marker: not a build's, so left alone
    not_ours.mkdir()
    result = run("build", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.staging-mine", "out"]


def test_a_build_removes_no_folder_but_its_own_dead_staging(tmp_path: Path) -> None:
    """Beside the target: a backup named like the old scheme's ``.name.old``, another build's live
    staging folder, and folders that an unescaped glob of ``o[u]t`` would have matched."""
    backup = tmp_path / ".o[u]t.old"
    backup.mkdir()
    (backup / "thesis.tex").write_text("my work", encoding="utf-8")
    live = tmp_path / f".o[u]t.staging-{os.getpid()}-abc"  # a build still running: this test process
    dead = tmp_path / ".o[u]t.staging-abc123"
    glob_lookalike = tmp_path / ".out.staging-xyz"  # `.o[u]t.staging-*` as a pattern matches it
    for folder in (live, dead, glob_lookalike):
        folder.mkdir()
        (folder / BUILD_MARKER).write_text("x", encoding="utf-8")
    out = tmp_path / "o[u]t"
    out.mkdir()
    (out / BUILD_MARKER).write_text("x", encoding="utf-8")
    (out / "stale.txt").write_text("from an older build", encoding="utf-8")
    result = run("build", "-o", "o[u]t", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (backup / "thesis.tex").read_text(encoding="utf-8") == "my work"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([backup.name, live.name, glob_lookalike.name, "o[u]t"])
    assert (out / "hled.ttl").is_file() and not (out / "stale.txt").exists()


def test_a_target_filled_while_the_build_ran_is_put_back_not_deleted(tmp_path: Path) -> None:
    """The check before the build and the replacement after it are seconds apart: the replacement
    asks again, about the folder already renamed aside, and puts it back if it is not a build."""
    from hled_graph.build import _is_earlier_build_or_empty
    from hled_graph.errors import InputError
    from hled_graph.files import replace_folder

    target, new = tmp_path / "out", tmp_path / "staging"
    target.mkdir()  # empty when checked; then the user saved work into it
    (target / "thesis.tex").write_text("my work", encoding="utf-8")
    new.mkdir()
    (new / "hled.ttl").write_text("new", encoding="utf-8")
    with pytest.raises(InputError, match="changed while"):
        replace_folder(new, target, replaceable=_is_earlier_build_or_empty)
    assert (target / "thesis.tex").read_text(encoding="utf-8") == "my work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "staging"], "no holder folder left"


def test_output_to_a_pipe_is_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("export", "-f", "nt", "-o", str(fifo))
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert fifo.is_fifo(), "the pipe is still a pipe"
    assert received and received[0].count(b"\n") > 2000


def test_output_to_a_link_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.ttl"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.ttl"
    link.symlink_to(target)
    result = run("export", "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text(encoding="utf-8").startswith("@prefix")


def test_output_to_a_loop_of_links_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert "loop" in one_line_error(run("export", "-f", "nt", "-o", str(tmp_path / "a")), 2)


def test_a_dangling_link_creates_no_folders_where_it_points(tmp_path: Path) -> None:
    nowhere = tmp_path / "not" / "here"
    link = tmp_path / "link.nt"
    link.symlink_to(nowhere / "x.nt")
    assert "does not exist" in one_line_error(run("export", "-f", "nt", "-o", str(link)), 2)
    assert not (tmp_path / "not").exists() and link.is_symlink()


def test_output_to_a_folder_is_refused(tmp_path: Path) -> None:
    assert "is a directory" in one_line_error(run("export", "-o", str(tmp_path)), 2)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux's; the machine has none")
@pytest.mark.parametrize("args", [("export",), ("stats",), ("query", "organizations")])
def test_a_full_disk_on_standard_output_is_an_error(args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        line = one_line_error(run(*args, stdout=full), 74)
    assert "No space left on device" in line


def test_a_full_disk_on_an_output_file_is_an_error() -> None:
    line = one_line_error(run("export", "-o", "/dev/full"), 74)
    assert "/dev/full" in line
    assert Path("/dev/full").is_char_device(), "a device is written through, never replaced"
