// Header search: mounts Pagefind's default UI (pagefind/pagefind-ui.js, written next to the
// index by `paper-archive build`) on #pa-search, plus a sort choice. Every URL is derived
// from this page's relative site root, so the site works under any sub-path. A page opened
// with ?q=TERMS searches for them (author names on paper pages link to ?q="Name").
// The Pagefind UI internals this relies on are listed in pagefind-lazy/pagefind.js.
(function () {
  "use strict";
  var box = document.querySelector(".pa-search");
  if (!box || typeof PagefindUI === "undefined") return;
  var root = new URL(box.getAttribute("data-pa-root"), window.location.href);
  var sorts = { relevance: null, date: { date: "desc" }, upvotes: { upvotes: "desc" } };
  var ui = null;
  // Same API as pagefind/pagefind.js, but filters load only once asked for (see there).
  var lazy = new URL("assets/pagefind-lazy/", root).pathname;
  var EXCERPT_WORDS = 30;

  // An arXiv id in what people paste: the grammar of generator/ids.py (from_text), tested
  // against the same cases (arxiv_id_inputs in tests/data/).
  var WRAPPING =
    /^(?:arxiv:\s*|(?:https?:\/\/)?(?:www\.)?(?:arxiv\.org\/(?:abs|pdf)|huggingface\.co\/papers)\/)/i;
  var TRAILING = /(?:\.pdf)?\/?(?:[?#].*)?$/i;
  var NEW_STYLE = /^([0-9]{2}(?:0[1-9]|1[0-2]))\.([0-9]{4,5})(?:v[1-9][0-9]*)?$/;

  function arxivId(raw) {
    var text = raw.trim();
    var wrapped = WRAPPING.exec(text);
    if (wrapped) text = text.slice(wrapped[0].length).replace(TRAILING, "");
    if (text.slice(-4) === ".pdf") text = text.slice(0, -4);
    var match = NEW_STYLE.exec(text);
    if (!match || (match[2].length === 4 && Number(match[1].slice(0, 2)) >= 15)) return null;
    return match[1] + "." + match[2];
  }

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
  facets.title = "Filter by topic, year, organization, arXiv category, code, annotation";
  box.appendChild(facets);

  // Pagefind's box has only a placeholder; this is its name for assistive technology.
  var label = element("label", "pa-visually-hidden", "Search papers");
  label.htmlFor = "pa-search-input";
  box.insertBefore(label, box.firstChild);

  // The paper an arXiv id names, in place of Pagefind's results (which match its digits).
  var exact = document.createElement("div");
  exact.className = "pa-search__exact";
  exact.setAttribute("aria-live", "polite");
  box.appendChild(exact);
  var exactUrl = null;
  var exactFor = null;

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

  // A search that came by link (?q=, as author names link) was not typed here: rather than
  // "No results" beside the button, it widens by itself until it finds something or has
  // searched every period. From then on (or once the reader types) the button decides.
  var linked = new URLSearchParams(window.location.search).get("q") || "";

  document.addEventListener("pa-search:done", function (event) {
    coverage = event.detail;
    var fromLink = !!linked && coverage.term === linked;
    var widening = fromLink && !coverage.results && coverage.older.length > 0;
    box.classList.toggle("pa-search--widening", widening);
    if (widening) return widen();
    if (fromLink) linked = "";
    setTimeout(placeOlder, 0); // after the UI has drawn the results
  });

  function widen() {
    olderButton.disabled = true;
    import(lazy + "pagefind.js")
      .then(function (api) { return api.searchOlder(); })
      .then(function () {
        olderButton.disabled = false;
        var field = input();
        mount(field ? field.value : "", checkedFilters());
      });
  }

  olderButton.addEventListener("click", widen);

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

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // Pagefind's excerpt starts at the title when a query word is in it, so results repeated
  // their title. The excerpt is cut from the abstract on instead (its element carries the
  // id "abstract", which Pagefind records as an anchor): around the first match there, else
  // its opening. Words are split as Pagefind splits them, so its match locations hold.
  function excerpt(result) {
    var words = result.content.split(/[\r\n\s]+/g);
    var anchor = (result.anchors || []).filter(function (a) {
      return a.id === "abstract";
    })[0];
    var from = anchor ? anchor.location : 0;
    var hits = (result.locations || []).filter(function (l) {
      return l >= from;
    });
    var start = hits.length ? Math.max(from, Math.min.apply(null, hits) - 8) : from;
    var marked = {};
    hits.forEach(function (l) {
      marked[l] = true;
    });
    var shown = [];
    for (var i = start; i < Math.min(words.length, start + EXCERPT_WORDS); i++) {
      var word = escapeHtml(words[i]);
      shown.push(marked[i] ? "<mark>" + word + "</mark>" : word);
    }
    var text = shown.join(" ");
    if (start > from) text = "… " + text;
    if (start + EXCERPT_WORDS < words.length) text += " …";
    return text;
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
      excerptLength: EXCERPT_WORDS,
      pageSize: 8,
      focusOnSlash: true,
      sort: sorts[sort.value] || null,
      // A remount (a new sort) keeps the groups of the chosen filters open, so they show.
      openFilters: Object.keys(filters || {}),
      translations: { placeholder: "Search papers" },
      // Shown under each title as "Date: …", "Topics: …", "Upvotes: …", in this order.
      processResult: function (result) {
        var meta = result.meta || {};
        var topics = (result.filters && result.filters.topic) || [];
        result.meta = { title: meta.title, date: meta.date };
        if (topics.length) result.meta.topics = topics.join(", ");
        result.meta.upvotes = meta.upvotes || "0";
        result.excerpt = excerpt(result);
        return result;
      },
    });
    var field = input();
    if (field) {
      field.id = "pa-search-input";
      field.addEventListener("input", function () {
        linked = "";
        update();
      });
      field.addEventListener("focus", function () {
        update();
      });
      field.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && exactUrl) window.location.href = exactUrl;
      });
    }
    if (term) {
      ui.triggerSearch(term);
      if (filters && Object.keys(filters).length) ui.triggerFilters(filters);
    }
    update(term);
  }

  // An element with text and children; text always goes in as text, never as markup.
  function element(tag, className, text, children) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    (children || []).forEach(function (child) {
      el.appendChild(child);
    });
    return el;
  }

  function link(text, href, className) {
    var a = element("a", className, text);
    a.href = href;
    return a;
  }

  function show(parts) {
    exact.replaceChildren.apply(exact, parts);
  }

  // An id opens its paper page if the archive has it: the page itself is the lookup (a
  // few kilobytes), so the index carries no id list, whatever its size. A HEAD asks first,
  // so an id the archive lacks costs no 404 page. The page's URL is urls.paper's, which
  // the build writes into bundles.js (with {id} for the id).
  function lookUp(id) {
    if (id === exactFor) return;
    exactFor = id;
    exactUrl = null;
    show([element("p", "pa-search__hint", "Looking for arXiv " + id + "…")]);
    var url = null;
    import(lazy + "bundles.js")
      .then(function (module) {
        url = new URL(module.paperPage.replace("{id}", id), root).href;
        return fetch(url, { method: "HEAD" });
      })
      .then(function (head) {
        return head.ok ? fetch(url) : null;
      })
      .then(function (response) {
        return response && response.ok ? response.text() : null;
      })
      .catch(function () {
        return null;
      })
      .then(function (html) {
        if (exactFor !== id) return; // typed on meanwhile
        if (!html) {
          var away = link("arXiv " + id, "https://arxiv.org/abs/" + id);
          show([element("p", "pa-search__hint", "Not in this archive: ", [away])]);
          return;
        }
        // DOMParser builds an inert document: nothing in it runs or loads.
        var page = new DOMParser().parseFromString(html, "text/html");
        var og = page.querySelector('meta[property="og:title"]');
        var date = page.querySelector('time[data-pagefind-meta="date"]');
        var votes = page.querySelector(".pa-votes");
        var topics = [].map.call(page.querySelectorAll(".pa-topics a"), function (a) {
          return a.textContent.trim();
        });
        var tags = [
          ["arXiv", id],
          ["Date", date && date.textContent.trim()],
          ["Topics", topics.join(", ")],
          ["Upvotes", votes && votes.textContent.replace("▲", "").trim()],
        ]
          .filter(function (tag) {
            return tag[1];
          })
          .map(function (tag) {
            return element("li", null, tag[0] + ": " + tag[1]);
          });
        exactUrl = url;
        show([
          element("p", "pa-search__exact-title", null, [link(og ? og.content : id, url)]),
          element("ul", "pa-search__exact-tags", null, tags),
          element("p", "pa-search__hint", "Enter opens it."),
        ]);
      });
  }

  function update(term) {
    var field = input();
    var value = typeof term === "string" ? term : field ? field.value : "";
    var id = arxivId(value);
    box.classList.toggle("pa-search--active", !!value.trim());
    box.classList.toggle("pa-search--id", !!id);
    if (id) lookUp(id);
    else {
      exactFor = exactUrl = null;
      show([]);
    }
  }

  function close() {
    box.classList.remove("pa-search--active");
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
    if (event.key === "Escape" && box.classList.contains("pa-search--active")) {
      close();
      var field = input();
      if (field && box.contains(document.activeElement)) field.blur();
    }
  });
  // The path as dispatched: "Load more results" is gone from the page by the time the
  // click reaches the document, but it was inside the panel.
  document.addEventListener("click", function (event) {
    if (event.composedPath().indexOf(box) === -1) close();
  });
  mount(linked, null);
})();

// A paper page names its authors as text; each becomes a link to an exact-phrase search for
// that author: data-pa-search (the home page's "?q=", from urls.py) plus the quoted name.
// The names are the page's citation_author tags, in order, so a name holding a comma stays
// whole; text that is not exactly those names joined by ", " is left as it is.
(function () {
  "use strict";
  var list = document.querySelector(".pa-paper__authors[data-pa-search]");
  if (!list) return;
  var names = [].map.call(document.querySelectorAll('meta[name="citation_author"]'), function (m) {
    return m.content;
  });
  if (!names.length || list.textContent !== names.join(", ")) return;
  var prefix = list.getAttribute("data-pa-search");
  list.textContent = "";
  names.forEach(function (name, i) {
    if (i) list.appendChild(document.createTextNode(", "));
    var a = document.createElement("a");
    a.href = prefix + encodeURIComponent('"' + name + '"');
    a.textContent = name;
    list.appendChild(a);
  });
})();
