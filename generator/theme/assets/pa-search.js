// Header search: mounts Pagefind's default UI (pagefind/pagefind-ui.js, written next to the
// index by `paper-archive build`) on #pa-search, plus a sort choice. Every URL is derived
// from this page's relative site root, so the site works under any sub-path.
(function () {
  "use strict";
  var box = document.querySelector(".pa-search");
  if (!box || typeof PagefindUI === "undefined") return;
  var root = new URL(box.getAttribute("data-pa-root"), window.location.href);
  var sorts = { relevance: null, date: { date: "desc" }, upvotes: { upvotes: "desc" } };
  var ui = null;
  // Same API as pagefind/pagefind.js, but filters load only once asked for (see there).
  var lazy = new URL("assets/pagefind-lazy/", root).pathname;

  var sort = document.createElement("select");
  sort.className = "pa-search__sort";
  sort.setAttribute("aria-label", "Sort results");
  [["relevance", "Best match"], ["date", "Newest"], ["upvotes", "Most upvoted"]].forEach(
    function (option) {
      var el = document.createElement("option");
      el.value = option[0];
      el.textContent = option[1];
      sort.appendChild(el);
    }
  );
  box.appendChild(sort);

  var facets = document.createElement("button");
  facets.type = "button";
  facets.className = "pa-search__facets";
  facets.textContent = "Filters";
  facets.title = "Filter by topic, year, organization, code, annotation";
  box.appendChild(facets);

  // A search covers the newest periods of the archive (see pagefind-lazy/pagefind.js);
  // after its results, a button merges the next older period and searches again.
  var older = document.createElement("p");
  older.className = "pa-search__older";
  var covered = document.createElement("span");
  var olderButton = document.createElement("button");
  olderButton.type = "button";
  older.appendChild(covered);
  older.appendChild(olderButton);
  var coverage = null;

  function placeOlder() {
    var drawer = box.querySelector(".pagefind-ui__drawer");
    if (coverage) box.setAttribute("data-pa-searched", coverage.searched.length);
    if (!drawer || !coverage || !coverage.older.length) return older.remove();
    var searched = coverage.searched;
    var next = coverage.older[0];
    covered.textContent =
      "Searched papers listed " + searched[searched.length - 1].first + " to " +
      searched[0].last + ". ";
    olderButton.textContent = "Search older papers too (" + next.first + " to " + next.last + ")";
    drawer.appendChild(older);
  }

  document.addEventListener("pa-search:done", function (event) {
    coverage = event.detail;
    setTimeout(placeOlder, 0); // after the UI has drawn the results
  });

  olderButton.addEventListener("click", function () {
    olderButton.disabled = true;
    import(lazy + "pagefind.js")
      .then(function (api) { return api.searchOlder(); })
      .then(function () {
        olderButton.disabled = false;
        var field = input();
        mount(field ? field.value : "", checkedFilters());
      });
  });

  function input() {
    return box.querySelector(".pagefind-ui__search-input");
  }

  function checkedFilters() {
    var chosen = {};
    box.querySelectorAll(".pagefind-ui__filter-checkbox:checked").forEach(function (el) {
      var name = el.closest("fieldset").querySelector("legend").textContent.trim();
      (chosen[name] = chosen[name] || []).push(el.value);
    });
    return chosen;
  }

  function mount(term, filters) {
    if (ui) ui.destroy();
    ui = new PagefindUI({
      element: "#pa-search",
      bundlePath: lazy,
      baseUrl: root.pathname,
      showImages: false,
      showSubResults: false,
      showEmptyFilters: false,
      excerptLength: 24,
      pageSize: 8,
      sort: sorts[sort.value] || null,
      translations: { placeholder: "Search papers" },
      // upvotes is in each result's meta only for the build's sort keys (search.py).
      processResult: function (result) {
        if (result.meta) delete result.meta.upvotes;
        return result;
      },
    });
    var field = input();
    if (field) field.addEventListener("input", function () { update(); });
    if (term) {
      ui.triggerSearch(term);
      if (filters && Object.keys(filters).length) ui.triggerFilters(filters);
    }
    update(term);
  }

  function update(term) {
    var field = input();
    var value = typeof term === "string" ? term : field ? field.value : "";
    box.classList.toggle("pa-search--active", !!value.trim());
  }

  facets.addEventListener("click", function () {
    import(lazy + "pagefind.js").then(function (api) {
      api.showFacets();
      box.classList.add("pa-search--facets");
      var field = input();
      mount(field ? field.value : "", null);
    });
  });
  sort.addEventListener("change", function () {
    var field = input();
    mount(field ? field.value : "", checkedFilters());
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && input()) {
      ui.triggerSearch("");
      input().value = "";
      update();
    }
  });
  mount("", null);
})();
