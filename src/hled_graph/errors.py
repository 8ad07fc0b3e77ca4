"""The one error shape of hled-graph: a message that says what went wrong, where, and what to do.

Library code raises :class:`HledError`; the CLI prints it as one line and exits with its
``exit_code``; the server answers it with a 4xx. Nothing else is allowed to reach the user as a
traceback.
"""

from __future__ import annotations


class HledError(Exception):
    """A user-facing error: one line, no traceback. ``exit_code`` 2 means bad input."""

    exit_code = 2

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self.args[0])


class InputError(HledError):
    """Bad input from the user: a file that does not parse, an unknown name, a malformed query."""


class ValidationFailed(HledError):
    """The data does not conform to the shapes or fails a data check (exit code 1)."""

    exit_code = 1


class OutputError(HledError):
    """Output could not be written: a full disk, a closed or read-only target (exit 74, EX_IOERR)."""

    exit_code = 74
