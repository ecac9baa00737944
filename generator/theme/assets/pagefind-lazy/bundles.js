// Written by paper-archive build: the search bundles, newest period first, and how
// many of them the first search covers (older ones are merged on request).
export const bundles = [];
export const initial = 0;
