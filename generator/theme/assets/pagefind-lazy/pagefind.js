// Pagefind's search API with its filter index loaded on demand.
// Pagefind's default UI loads every filter chunk (topic, year, organization, ...) before
// the first result: about 300 KB at 30,000 papers, most of a query's transfer. The UI is
// pointed here instead of at pagefind/, so it sees no filters until the visitor asks for
// them (pa-search.js calls showFacets() and remounts the UI). It also skips preloading
// for the first two letters typed.
import * as pagefind from "../../pagefind/pagefind.js";

export const {
  createInstance, debouncedSearch, init, mergeIndex, options, search,
} = pagefind;

// pa-search.js remounts the UI (for facets, for a new sort) on the same page. The old UI's
// teardown calls destroy() a tick later, which would tear down the instance the new UI is
// already using, so filters sometimes never arrived. The one instance is kept instead.
export async function destroy() {}

// The UI preloads on every keystroke; a one- or two-letter prefix spans several index
// chunks that the finished word does not need.
export async function preload(term, opts) {
  if (typeof term === "string" && term.trim().length >= 3) return pagefind.preload(term, opts);
}

let facets = false;

export function showFacets() {
  facets = true;
}

export async function filters() {
  return facets ? pagefind.filters() : {};
}
