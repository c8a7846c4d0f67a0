// Search the handbook's pages in the browser: every word typed must appear
// in a page's text. Works offline; without JS every page is still there.
(function () {
  var box = document.getElementById("search");
  var input = document.getElementById("search-input");
  var count = document.getElementById("search-count");
  var results = document.getElementById("search-results");
  if (!box || !input || !count || !results) return;
  var pages = Array.prototype.map.call(document.querySelectorAll("section.page"), function (s) {
    var title = s.getAttribute("data-title") || s.id;
    return { id: s.id, title: title, lowTitle: title.toLowerCase(), text: s.textContent.toLowerCase() };
  });
  box.hidden = false;

  function search() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    results.textContent = "";
    if (!words.length) {
      count.textContent = "";
      return;
    }
    var hits = pages.filter(function (p) {
      return words.every(function (w) { return p.text.indexOf(w) >= 0; });
    });
    // Pages whose title matches come first.
    hits.sort(function (a, b) {
      var ta = words.every(function (w) { return a.lowTitle.indexOf(w) >= 0; });
      var tb = words.every(function (w) { return b.lowTitle.indexOf(w) >= 0; });
      return ta === tb ? 0 : ta ? -1 : 1;
    });
    count.textContent = hits.length === 1 ? "1 page" : hits.length + " pages";
    hits.slice(0, 50).forEach(function (p) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + p.id;
      a.textContent = p.title;
      li.appendChild(a);
      results.appendChild(li);
    });
  }
  input.addEventListener("input", search);
  // Enter opens the first result.
  input.addEventListener("keydown", function (e) {
    var first = results.querySelector("a");
    if (e.key === "Enter" && first) location.hash = first.getAttribute("href");
  });
})();
