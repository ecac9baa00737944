"""Sources: where paper entries come from (the Daily Papers API, files, arXiv)."""
