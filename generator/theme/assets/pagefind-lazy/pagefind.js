// Pagefind's search API with its filter index loaded on demand, over one or more bundles.
// Pagefind's default UI loads every filter chunk (topic, year, organization, ...) before
// the first result, most of a query's transfer in a large archive. The UI is
// pointed here instead of at pagefind/, so it sees no filters until the visitor asks for
// them (pa-search.js calls showFacets() and remounts the UI). It also skips preloading
// for the first four letters typed, and sorts results itself (see search()).
//
// Written for the Pagefind UI 1.5.x internals below (pyproject.toml pins pagefind to 1.5;
// check each of them before moving that pin). None is Pagefind's documented API:
// - the UI, given `bundlePath`, imports `${bundlePath}pagefind.js` and calls these
//   exports of it: options(), init(), search(term, {sort, filters}), preload(term),
//   filters(), destroy(), as pagefind/pagefind.js exports them (plus mergeIndex,
//   createInstance, debouncedSearch, passed through unchanged);
// - it calls preload() on every keystroke and filters() before the first results;
// - a remounted UI calls the old instance's destroy() a tick after the new one started;
// - a result has `id` ("en_" and hex digits, unique within one Pagefind run only) and
//   `data()` resolving to a fragment with `url`; the build's sort keys (search.py) are
//   these ids, read from the fragments it finds after the "pagefind_dcd" signature;
// - pa-search.js: the global PagefindUI, its options element, bundlePath, baseUrl,
//   showImages, showSubResults, showEmptyFilters, excerptLength, pageSize, sort,
//   translations.placeholder and processResult; its methods destroy(), triggerSearch()
//   and triggerFilters(); the markup .pagefind-ui__search-input,
//   .pagefind-ui__filter-checkbox inside a fieldset whose legend is the filter's name;
// - pa-search.css: the --pagefind-ui-* variables, .pagefind-ui__drawer,
//   .pagefind-ui__search-clear and .pagefind-ui__result-link.
import * as pagefind from "../../pagefind/pagefind.js";
import { shards, sortKeys } from "./bundles.js";

export const { createInstance, debouncedSearch, mergeIndex } = pagefind;

// A large archive is indexed in shards (generator/site/search.py): pagefind/ plus the
// bundles listed in bundles.js, merged once into the one instance here.
const root = new URL("../../", import.meta.url);
let merged = null;

export async function options(opts) {
  await pagefind.options(opts);
  if (!merged) {
    merged = Promise.all(shards.map((path) => pagefind.mergeIndex(new URL(path, root).pathname)));
  }
  await merged;
}

export async function init() {
  await pagefind.init();
  await merged;
}

// pa-search.js remounts the UI (for facets, for a new sort) on the same page. The old UI's
// teardown calls destroy() a tick later, which would tear down the instance the new UI is
// already using, so filters sometimes never arrived. The one instance is kept instead.
export async function destroy() {}

// The UI preloads on every keystroke; a short prefix spans index chunks that the finished
// word does not need, in every shard, so preloading waits for the fifth letter.
export async function preload(term, opts) {
  if (typeof term === "string" && term.trim().length >= 5) return pagefind.preload(term, opts);
}

let facets = false;

export function showFacets() {
  facets = true;
}

export async function filters() {
  return facets ? pagefind.filters() : {};
}

// The index holds no sort orders: they would be loaded by every search. A sorted search
// finds every match in all bundles at once, then orders the matches by the sort keys the
// build wrote (each page's position newest first, and its upvotes), fetched on first use.
let keys = null;

export async function search(term, opts = {}) {
  const { sort, ...rest } = opts;
  const found = await pagefind.search(term, rest);
  const key = sort && Object.keys(sort)[0];
  if (!found || !key || !sortKeys) return found;
  let loaded;
  try {
    loaded = await loadKeys();
  } catch (error) {
    console.warn("search: sort keys unavailable, showing best matches first", error);
    return found;
  }
  return { ...found, results: await sortResults(found.results, loaded, key, sort[key]) };
}

// Results in the order of `key` ("date" or "upvotes"), `direction` "desc" or "asc"; pages
// the keys do not know (a stale cache) go last. An id that two shards share (see
// generator/site/search.py) is told apart by the result's URL, which costs its fragment.
export async function sortResults(results, keys, key, direction) {
  const slot = new Map();
  await Promise.all(
    results.map(async (result) => {
      const shared = keys.clashes.get(result.id);
      if (!shared) return slot.set(result, keys.position.get(result.id));
      const { url } = await result.data();
      slot.set(result, shared.get(url.split("/").filter(Boolean).pop()));
    })
  );
  const byDate = (a, b) => slot.get(a) - slot.get(b);
  const votes = (r) => keys.upvotes[slot.get(r)];
  const byUpvotes = (a, b) => votes(b) - votes(a) || byDate(a, b);
  const order = key === "upvotes" ? byUpvotes : byDate;
  const sign = direction === "asc" ? -1 : 1;
  const known = (r) => slot.get(r) !== undefined;
  return [...results].sort((a, b) =>
    known(a) && known(b) ? sign * order(a, b) : known(b) - known(a)
  );
}

// The sort-keys file as lookups (see sort_keys in generator/site/search.py).
export function decodeKeys(file) {
  return {
    position: new Map(file.ids.map((id, i) => [id, i])),
    upvotes: file.upvotes,
    clashes: new Map(
      Object.entries(file.clashes).map(([id, papers]) => [id, new Map(Object.entries(papers))])
    ),
  };
}

// bundles.js has a fixed name, so a browser may hold it from before the last deploy, when
// the sort keys had another name: on a failure it is read again, past the cache, once.
function loadKeys() {
  if (!keys) {
    keys = fetchKeys(sortKeys)
      .catch(async () => fetchKeys((await import(`./bundles.js?at=${Date.now()}`)).sortKeys))
      .catch((error) => {
        keys = null; // tried again on the next sorted search
        throw error;
      });
  }
  return keys;
}

async function fetchKeys(path) {
  const response = await fetch(new URL(path, root));
  if (!response.ok) throw new Error(`${response.status} ${response.url}`);
  return decodeKeys(await response.json());
}
