"""The archive on disk: ``papers/YYYY/MM/DD/<arxiv-id>.md``, the single source of truth."""
