"""Writing output safely: whole or not at all, readable by others, never over what is not a file."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from hled_graph.errors import InputError, OutputError


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all, and never replace what is not a regular file.

    A regular file (or a new name) gets a temporary file in the same folder and a rename, so a
    crash or a full disk leaves either the old file or the new one. A symbolic link keeps being a
    link: its target is what gets replaced. A device or a pipe (``-o /dev/stdout``) is written
    through, since replacing it would destroy it. A folder is refused. Any failed write raises
    :class:`OutputError`, naming the path.
    """
    path = Path(path)
    through_link = path.is_symlink()
    try:
        target = path.resolve() if through_link else path
    except (RuntimeError, OSError):  # a loop of links (RuntimeError before Python 3.13, OSError after)
        raise InputError(f"{path}: is a link that leads round in a loop; give a file name to write to") from None
    if target.exists() and not target.is_file():
        if target.is_dir():
            raise InputError(f"{path}: is a folder; give a file name to write to")
        return _write_through(path, data)
    if through_link and not target.parent.is_dir():
        # A dangling link is followed to a file, never to folders created wherever it points.
        raise InputError(f"{path}: is a link to {target}, whose folder does not exist; fix the link or remove it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here ({exc.strerror}); choose another place") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; what we write is meant to be shared
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: write failed ({exc.strerror}); nothing was changed there") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _write_through(path: Path, data: bytes) -> Path:
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise OutputError(f"{path}: write failed ({exc.strerror})") from None
    return path


def write_stream(stream: BinaryIO, data: bytes, *, name: str = "standard output") -> None:
    """Write ``data`` to an open binary stream and flush it; a failed or short write is an OutputError."""
    try:
        stream.write(data)
        stream.flush()
    except BrokenPipeError:
        raise  # the reader left (`| head`): not an error of ours, the CLI exits quietly
    except OSError as exc:
        raise output_failure(name, exc) from None


def output_failure(name: str, exc: OSError) -> OutputError:
    """The one message for a stream that could not be written to the end."""
    return OutputError(f"{name}: write failed ({exc.strerror}); the output is incomplete")


def read_utf8(path: Path, *, missing: str, not_utf8: str) -> str:
    """A text file as UTF-8, or an InputError naming the file: ``missing`` / ``not_utf8`` say what to do.

    The text is the bytes decoded, nothing more: no newline translation, so an offset into it counts
    the file's own code points and ``text.encode()`` gives back the bytes that were read.
    """
    path = Path(path)
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: {missing}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); {not_utf8}") from None


def replace_folder(new: Path, target: Path, *, replaceable: Callable[[Path], bool] = lambda _old: True) -> None:
    """Put the folder ``new`` in place of ``target`` with renames only.

    An empty target (perhaps the folder the user is in) keeps its inode: the contents move into it.
    A full one is first renamed into a fresh private folder beside it (so no folder of the user's,
    say a ``.name.old`` backup, is ever in the way or removed), and ``replaceable`` is asked about
    it *there*, where nobody else can still be adding to it: if it says no, the target is renamed
    back and an :class:`InputError` raised, so a folder that changed since the caller checked it
    is never deleted.
    """
    if target.is_dir() and not any(target.iterdir()):
        for entry in new.iterdir():
            entry.rename(target / entry.name)
        new.rmdir()
    elif target.exists() or target.is_symlink():
        holder = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        old = holder / "old"
        target.rename(old)
        if not replaceable(old):
            old.rename(target)
            holder.rmdir()
            raise InputError(f"{target}: changed while the new one was written; nothing was replaced, try again")
        new.rename(target)
        shutil.rmtree(holder, ignore_errors=True)
    else:
        new.rename(target)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` is running (perhaps as another user): its staging folder is not abandoned."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, and belongs to someone else
    return True


def fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder``, and the folders themselves, to the disk."""
    for root, _dirs, names in os.walk(folder):
        for name in names:
            with open(os.path.join(root, name), "rb") as handle:
                os.fsync(handle.fileno())
        descriptor = os.open(root, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
