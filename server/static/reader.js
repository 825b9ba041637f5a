// Progressive enhancement for the annotated source reader (the page works without it):
// hovering any piece of an assertion lights up all of its pieces, Escape closes a popup,
// and a popup that would leave the viewport is moved back in.
(function () {
  "use strict";
  var text = document.querySelector(".reader-text");
  if (!text) return;

  function pieces(slug) {
    return text.querySelectorAll('mark.hl[data-a="' + slug + '"]');
  }
  function setActive(mark, on) {
    var slug = mark.getAttribute("data-a");
    pieces(slug).forEach(function (m) { m.classList.toggle("active", on); });
  }
  function keepInView(mark) {
    var pop = mark.querySelector(":scope > .pop");
    if (!pop) return;
    pop.style.left = "0px";
    var box = pop.getBoundingClientRect();
    var overflow = box.right - (window.innerWidth - 8);
    if (overflow > 0) pop.style.left = (-overflow) + "px";
  }
  text.addEventListener("mouseover", function (event) {
    var mark = event.target.closest("mark.hl");
    if (!mark || event.target.closest(".pop")) return;
    setActive(mark, true);
    var first = document.getElementById(mark.getAttribute("data-a"));
    if (first) { first.classList.remove("closed"); keepInView(first); }
  });
  text.addEventListener("mouseout", function (event) {
    var mark = event.target.closest("mark.hl");
    if (mark) setActive(mark, false);
  });
  text.addEventListener("focusin", function (event) {
    var mark = event.target.closest("mark.hl[tabindex]");
    if (mark) { mark.classList.remove("closed"); setActive(mark, true); keepInView(mark); }
  });
  text.addEventListener("focusout", function (event) {
    var mark = event.target.closest("mark.hl[tabindex]");
    if (mark && !mark.contains(event.relatedTarget)) setActive(mark, false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var mark = document.activeElement && document.activeElement.closest("mark.hl[tabindex]");
    if (mark) { mark.classList.add("closed"); mark.focus(); }
  });
})();
