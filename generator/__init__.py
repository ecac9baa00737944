"""paper-archive: an annotated, static archive of Hugging Face Daily Papers.

The pipeline reads top to bottom: ``sources`` (fetch) → ``store`` (the ``papers/``
files) → ``site`` (pages, feeds, search) → ``mkdocs build``.
"""

__version__ = "0.1.0"
