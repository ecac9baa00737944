// Pagefind's search API with its filter index loaded on demand, over bundles per period.
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
import { bundles, initial } from "./bundles.js";

export const { createInstance, debouncedSearch, mergeIndex } = pagefind;

// A large archive is indexed in bundles per period of listing, newest first
// (generator/site/search.py): pagefind/ is the newest. A search covers the first
// `initial` of them; searchOlder() merges the next one into the one instance here, so a
// query costs what the periods it covers hold, not what the whole archive holds.
const root = new URL("../../", import.meta.url);
let covered = Math.max(1, Math.min(initial, bundles.length));
let merged = null;

function mergeUpTo(count) {
  const start = merged ? merged.count : 1;
  const previous = merged ? merged.done : Promise.resolve();
  const done = previous.then(() =>
    Promise.all(
      bundles.slice(start, count).map((b) => pagefind.mergeIndex(new URL(b.path, root).pathname))
    )
  );
  merged = { count: Math.max(start, count), done };
  return done;
}

export async function options(opts) {
  await pagefind.options(opts);
  await mergeUpTo(covered);
}

export async function init() {
  await pagefind.init();
  await mergeUpTo(covered);
}

// The periods searched and those left, newest first ({path, first, last, pages, keys}).
export function coverage() {
  return { searched: bundles.slice(0, covered), older: bundles.slice(covered) };
}

// Adds the next older period to every later search; resolves when it is merged.
export async function searchOlder() {
  if (covered < bundles.length) covered += 1;
  await mergeUpTo(covered);
  return coverage();
}

// pa-search.js remounts the UI (for facets, for a new sort) on the same page. The old UI's
// teardown calls destroy() a tick later, which would tear down the instance the new UI is
// already using, so filters sometimes never arrived. The one instance is kept instead.
export async function destroy() {}

// The UI preloads on every keystroke; a short prefix spans index chunks that the finished
// word does not need, in every bundle, so preloading waits for the fifth letter.
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
// finds every match in the bundles searched, then orders them by those bundles' sort keys
// (each page's position newest first, and its upvotes), fetched on first use. Each search
// tells pa-search.js what it covered and how many it found ("pa-search:done"), for the
// "older papers" button.
//
// A search counts filter values only from the filter chunks already loaded, and the UI
// loads them (filters()) without waiting before it searches: on a slow connection the
// counts of the bundles still loading were 0 and their values were missing from the
// filters. Once filters are shown, a search waits for every searched bundle's chunks.
export async function search(term, opts = {}) {
  const { sort, ...rest } = opts;
  if (facets) await pagefind.filters();
  const found = await pagefind.search(term, rest);
  const detail = { ...coverage(), term, results: found ? found.results.length : 0 };
  document.dispatchEvent(new CustomEvent("pa-search:done", { detail }));
  const key = sort && Object.keys(sort)[0];
  if (!found || !key || !bundles.length) return found;
  let loaded;
  try {
    loaded = await Promise.all(bundles.slice(0, covered).map(loadKeys));
  } catch (error) {
    console.warn("search: sort keys unavailable, showing best matches first", error);
    return found;
  }
  return { ...found, results: await sortResults(found.results, loaded, key, sort[key]) };
}

// Results in the order of `key` ("date" or "upvotes"), `direction` "desc" or "asc", by
// the sort keys of the bundles searched, newest first: a page's place is its bundle, then
// its position there. Pages the keys do not know (a stale cache) go last. An id that two
// bundles share (see generator/site/search.py) is told apart by the result's URL, which
// costs its fragment.
export async function sortResults(results, keys, key, direction) {
  const slot = new Map();
  await Promise.all(
    results.map(async (result) => {
      let paper = null;
      if (keys.some((k) => k.clashes.has(result.id))) {
        const { url } = await result.data();
        paper = url.split("/").filter(Boolean).pop();
      }
      keys.forEach((k, bundle) => {
        const position = paper
          ? k.clashes.get(result.id)?.get(paper)
          : k.position.get(result.id);
        if (position !== undefined) slot.set(result, { bundle, position, votes: k.upvotes[position] });
      });
    })
  );
  const byDate = (a, b) =>
    slot.get(a).bundle - slot.get(b).bundle || slot.get(a).position - slot.get(b).position;
  const byUpvotes = (a, b) => slot.get(b).votes - slot.get(a).votes || byDate(a, b);
  const order = key === "upvotes" ? byUpvotes : byDate;
  const sign = direction === "asc" ? -1 : 1;
  return [...results].sort((a, b) =>
    slot.has(a) && slot.has(b) ? sign * order(a, b) : slot.has(b) - slot.has(a)
  );
}

// One bundle's sort-keys file as lookups (see sort_keys in generator/site/search.py).
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
// a bundle's sort keys had another name: on a failure it is read again, past the cache,
// once, and the bundle's keys are taken from there.
const keys = new Map();

function loadKeys(bundle) {
  if (!keys.has(bundle.path)) {
    const reread = async () => {
      const fresh = (await import(`./bundles.js?at=${Date.now()}`)).bundles;
      const now = fresh.find((b) => b.path === bundle.path);
      if (!now) throw new Error(`search bundle ${bundle.path} is gone`);
      return fetchKeys(now.keys);
    };
    const loading = fetchKeys(bundle.keys)
      .catch(reread)
      .catch((error) => {
        keys.delete(bundle.path); // tried again on the next sorted search
        throw error;
      });
    keys.set(bundle.path, loading);
  }
  return keys.get(bundle.path);
}

async function fetchKeys(path) {
  const response = await fetch(new URL(path, root));
  if (!response.ok) throw new Error(`${response.status} ${response.url}`);
  return decodeKeys(await response.json());
}
