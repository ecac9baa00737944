// A topic page's "BibTeX" link: the entries of the papers on the page, in page order, taken
// from the day files (urls.day_bib) that already hold every listing day's entries,
// so the site does not store each entry again per topic. The link names them in
// data-pa-bib ("<day file>:id,id <day file>:id ...", relative to data-pa-root, the site
// root); its href, the days archive, is where a reader without scripts finds the files.
(function () {
  "use strict";
  function entries(text) {
    var byId = new Map();
    text.split(/\n(?=@)/).forEach(function (entry) {
      var id = /\beprint = \{([^}]+)\}/.exec(entry);
      if (id) byId.set(id[1], entry.endsWith("\n") ? entry : entry + "\n");
    });
    return byId;
  }

  function collect(link) {
    var root = new URL(link.getAttribute("data-pa-root"), window.location.href);
    var runs = link.getAttribute("data-pa-bib").trim().split(/\s+/).map(function (run) {
      var parts = run.split(":");
      return { file: new URL(parts[0], root), ids: parts[1].split(",") };
    });
    return Promise.all(
      runs.map(function (run) {
        return fetch(run.file).then(function (response) {
          if (!response.ok) throw new Error(response.status + " " + response.url);
          return response.text();
        });
      })
    ).then(function (texts) {
      var out = [];
      runs.forEach(function (run, i) {
        var found = entries(texts[i]);
        run.ids.forEach(function (id) {
          if (found.has(id)) out.push(found.get(id));
        });
      });
      return out.join("\n");
    });
  }

  document.querySelectorAll("a[data-pa-bib]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      collect(link).then(function (text) {
        var save = document.createElement("a");
        save.href = URL.createObjectURL(new Blob([text], { type: "application/x-bibtex" }));
        save.download = link.getAttribute("data-pa-name");
        save.click(); // not in the document, so no page script takes it for navigation
        setTimeout(function () { URL.revokeObjectURL(save.href); }, 10000);
      });
    });
  });
})();
