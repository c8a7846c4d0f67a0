// Filter rows by text and status, open the finding a link points to.
// Works offline; without JS the page shows everything.
(function () {
  function openTarget() {
    var d = document.getElementById(location.hash.slice(1));
    if (d && d.tagName === "DETAILS") d.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  // Printing shows every finding, open or not.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });

  var bar = document.getElementById("toolbar");
  var text = document.getElementById("filter");
  var status = document.getElementById("status-filter");
  if (!bar || !text || !status) return;
  bar.hidden = false;
  function apply() {
    var q = text.value.trim().toLowerCase();
    var s = status.value;
    document.querySelectorAll("[data-group]").forEach(function (g) {
      var key = (g.getAttribute("data-key") || "").toLowerCase();
      var shown = 0;
      g.querySelectorAll("[data-row]").forEach(function (r) {
        var ok = (!q || key.indexOf(q) >= 0 || r.textContent.toLowerCase().indexOf(q) >= 0) &&
          (!s || (" " + r.getAttribute("data-status") + " ").indexOf(" " + s + " ") >= 0);
        r.hidden = !ok;
        if (ok) shown++;
      });
      g.hidden = shown === 0;
    });
  }
  text.addEventListener("input", apply);
  status.addEventListener("change", apply);
})();
