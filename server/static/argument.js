// Progressive enhancement for the argument map (the page works without it): pointing at or
// focusing a claim brings forward the relations it takes part in and dims the others.
(function () {
  "use strict";
  var svg = document.querySelector("svg.argument-map");
  if (!svg) return;
  var edges = svg.querySelector(".am-edges");
  function show(node, on) {
    var slug = node.id.replace(/^n-/, "");
    edges.classList.toggle("dim", on);
    edges.querySelectorAll("[data-s], [data-t]").forEach(function (el) {
      var mine = el.getAttribute("data-s") === slug || el.getAttribute("data-t") === slug;
      el.classList.toggle("on", on && mine);
    });
    node.classList.toggle("active", on);
  }
  svg.querySelectorAll(".am-node").forEach(function (node) {
    node.addEventListener("mouseenter", function () { show(node, true); });
    node.addEventListener("mouseleave", function () { show(node, false); });
    node.addEventListener("focus", function () { show(node, true); });
    node.addEventListener("blur", function () { show(node, false); });
  });
})();
