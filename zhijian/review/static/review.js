// Keyboard navigation of the queue: j next row, k previous row, o (or Enter) opens it.
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("table[data-nav] tbody tr[data-href]"));
  if (!rows.length) return;
  var at = -1;
  function select(i) {
    if (at >= 0) rows[at].classList.remove("selected");
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows[at].classList.add("selected");
    rows[at].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target.tagName;
    if (t === "INPUT" || t === "SELECT" || t === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "j") select(at + 1);
    else if (e.key === "k") select(at - 1);
    else if ((e.key === "o" || e.key === "Enter") && at >= 0) window.location.href = rows[at].dataset.href;
  });
})();
