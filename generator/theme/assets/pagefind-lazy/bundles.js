// Written by paper-archive build: the search shards merged after pagefind/, and
// the sort keys of every indexed page.
export const shards = [];
export const sortKeys = null;
