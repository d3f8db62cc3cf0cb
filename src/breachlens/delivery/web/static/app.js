/* breachlens: show a fact's quote highlighted in its source without leaving the incident page, and submit the
   filter form when a filter changes. No inline handlers anywhere; every link also works without this file. */
(function () {
  "use strict";

  function showQuote(link) {
    var panel = document.getElementById("source-panel");
    if (!panel || !window.fetch || !window.DOMParser) { return false; }
    var url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin) { return false; }
    url.searchParams.set("partial", "1");
    url.hash = "";
    fetch(url.toString(), { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        // The server escaped every piece of source text; DOMParser documents never run scripts either.
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var nodes = Array.prototype.slice.call(parsed.body.childNodes);
        panel.replaceChildren.apply(panel, nodes.map(function (n) { return document.adoptNode(n); }));
        panel.classList.add("open");
        var active = document.querySelectorAll(".active-fact");
        for (var i = 0; i < active.length; i++) { active[i].classList.remove("active-fact"); }
        var row = link.closest("tr, li, p");
        if (row) { row.classList.add("active-fact"); }
        var mark = panel.querySelector("mark");
        if (mark) {
          mark.scrollIntoView({ block: "center" });
          mark.focus({ preventScroll: true });
        }
      })
      .catch(function () { window.location.href = link.href; });
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.quote-link") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    if (showQuote(link)) { event.preventDefault(); }
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.tagName === "SELECT" && select.form && select.form.classList.contains("filters")) {
      select.form.submit();
    }
  });
})();
