// Pagefind's search API with its filter index loaded on demand, over one or more bundles.
// Pagefind's default UI loads every filter chunk (topic, year, organization, ...) before
// the first result: about 300 KB at 30,000 papers, most of a query's transfer. The UI is
// pointed here instead of at pagefind/, so it sees no filters until the visitor asks for
// them (pa-search.js calls showFacets() and remounts the UI). It also skips preloading
// for the first two letters typed.
import * as pagefind from "../../pagefind/pagefind.js";
import shards from "./bundles.js";

export const { createInstance, debouncedSearch, mergeIndex } = pagefind;

// A large archive is indexed in shards (generator/site/search.py): pagefind/ plus the
// bundles listed in bundles.js, merged once into the one instance here. Pagefind orders
// merged results by score only, which is right for relevance but not for a sort (date,
// upvotes), so a sorted search asks each bundle on its own and merges the sorted lists.
const root = new URL("../../", import.meta.url);
let merged = null;
let lastOptions = {};
let separate = null;

export async function options(opts) {
  lastOptions = { ...lastOptions, ...opts };
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
// word does not need, in every shard: preloading from the third letter cost ~65 KB more
// for "diffusion" at 30,000 papers than from the fifth.
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

export async function search(term, opts = {}) {
  const key = opts.sort && Object.keys(opts.sort)[0];
  if (!shards.length || !key) return pagefind.search(term, opts);
  await merged;
  if (!separate) {
    separate = Promise.all(
      ["pagefind/", ...shards].map(async (path) => {
        const one = pagefind.createInstance({ basePath: new URL(path, root).pathname });
        await one.options(lastOptions);
        return one;
      })
    );
  }
  const parts = await Promise.all((await separate).map((one) => one.search(term, opts)));
  if (parts.some((part) => !part)) return null;
  return {
    ...parts[0],
    results: mergeSorted(parts.map((part) => part.results), key, opts.sort[key]),
    unfilteredResultCount: parts.reduce((sum, part) => sum + part.unfilteredResultCount, 0),
    filters: addCounts(parts.map((part) => part.filters)),
    totalFilters: addCounts(parts.map((part) => part.totalFilters)),
  };
}

function addCounts(all) {
  const sum = {};
  for (const one of all) {
    for (const [name, values] of Object.entries(one || {})) {
      sum[name] = sum[name] || {};
      for (const [value, count] of Object.entries(values)) {
        sum[name][value] = (sum[name][value] || 0) + count;
      }
    }
  }
  return sum;
}

// Each list is already in sort order; the sort value is only in a result's data (its
// meta), so the merge runs lazily, as the UI asks for the n-th result's data: showing n
// results loads at most n + (bundles - 1) fragments.
function mergeSorted(lists, key, direction) {
  const heads = lists.map(() => 0);
  const loaded = new Map();
  const data = (result) => {
    if (!loaded.has(result)) loaded.set(result, result.data());
    return loaded.get(result);
  };
  const order = [];
  let queue = Promise.resolve();
  const value = (meta) => {
    const raw = meta && meta[key];
    return raw !== undefined && raw !== "" && !isNaN(raw) ? Number(raw) : raw;
  };
  const before = (a, b) => {
    if (b === undefined) return a !== undefined;
    if (a === undefined) return false;
    return direction === "asc" ? a < b : a > b;
  };
  async function next() {
    const candidates = lists.map((list, i) => list[heads[i]]);
    const values = await Promise.all(
      candidates.map((result) => (result ? data(result).then((d) => value(d.meta)) : null))
    );
    let best = -1;
    values.forEach((v, i) => {
      if (candidates[i] && (best < 0 || before(v, values[best]))) best = i;
    });
    order.push(lists[best][heads[best]++]);
  }
  function nth(n) {
    queue = queue.then(async () => {
      while (order.length <= n) await next();
    });
    return queue.then(() => order[n]);
  }
  const total = lists.reduce((sum, list) => sum + list.length, 0);
  return Array.from({ length: total }, (_, n) => ({
    id: `pa-sorted-${n}`,
    score: total - n,
    words: [],
    data: async () => data(await nth(n)),
  }));
}
