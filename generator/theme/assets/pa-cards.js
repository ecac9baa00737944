// Card thumbnails. They are decorative, so the page carries no image markup for them: a card
// (li) names its thumbnail in data-th, relative to its list's data-th (Hugging Face's CDN
// folder), and this adds a lazy <img alt=""> over the box archive.css reserves. Only an
// http(s) URL becomes a src, set as a property (never markup); an image that fails to load
// is removed and its box stays, so the card does not shift.
(function () {
  "use strict";
  document.querySelectorAll(".pa-cards[data-th] > li[data-th]").forEach(function (card) {
    var url;
    try {
      url = new URL(card.getAttribute("data-th"), card.parentNode.getAttribute("data-th"));
    } catch (error) {
      return;
    }
    card.removeAttribute("data-th"); // a second copy of this script finds nothing to do
    if (url.protocol !== "https:" && url.protocol !== "http:") return;
    var img = document.createElement("img");
    img.alt = "";
    img.width = 160;
    img.height = 84;
    img.loading = "lazy";
    img.decoding = "async";
    img.addEventListener("error", function () { img.remove(); });
    img.src = url.href;
    card.classList.add("pa-th");
    card.prepend(img);
  });
})();
