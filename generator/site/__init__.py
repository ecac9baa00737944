"""Site: everything generated from the archive — pages, feeds, citations, data, search."""
