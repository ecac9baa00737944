"""``paper-archive validate``: the contract checks, their messages, the git comparison.

- :mod:`.checks`: every file against the schema and the rules a schema cannot say, read
  with the build's own readers (so both accept and refuse the same inputs);
- :mod:`.messages`: schema errors as one sentence each, with the file line;
- :mod:`.changes`: warnings for machine fields a pull request edited.
"""

from generator.validate.changes import machine_edits
from generator.validate.checks import SCHEMA_PATH, ValidateError, schema, validate
from generator.validate.messages import Problem, Report

__all__ = [
    "SCHEMA_PATH",
    "Problem",
    "Report",
    "ValidateError",
    "machine_edits",
    "schema",
    "validate",
]
