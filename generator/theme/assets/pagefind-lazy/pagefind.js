// Pagefind's search API with its filter index loaded on demand.
// Pagefind's default UI loads every filter chunk (topic, year, organization, ...) before
// the first result: about 300 KB at 30,000 papers, most of a query's transfer. The UI is
// pointed here instead of at pagefind/, so it sees no filters until the visitor asks for
// them (pa-search.js calls showFacets() and remounts the UI).
import * as pagefind from "../../pagefind/pagefind.js";

export const {
  createInstance, debouncedSearch, destroy, init, mergeIndex, options, preload, search,
} = pagefind;

let facets = false;

export function showFacets() {
  facets = true;
}

export async function filters() {
  return facets ? pagefind.filters() : {};
}
