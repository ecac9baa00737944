"""The one base class of the errors a user can fix: bad input, a busy archive, a failed build.

Every such error is an :class:`ArchiveError`. Its message names the file (and line) or the
day it concerns and says what to do; ``path``, ``line`` and ``day`` carry the same for
code that wants them. The command line catches ``ArchiveError`` in one place, prints the
message and exits 1. Anything else that escapes is a bug and surfaces with its traceback.

Errors that were ``ValueError`` before keep it as a second base, so code that catches a
bad value as ``ValueError`` keeps working.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path


class ArchiveError(Exception):
    """Something in the archive, its configuration or its environment needs a human."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        day: dt.date | None = None,
    ) -> None:
        super().__init__(message)
        self.path = Path(path) if path is not None else None
        self.line = line
        self.day = day
