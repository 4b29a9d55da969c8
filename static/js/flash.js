// Flash-sale page: a countdown per sale and the units left, read from the gate every few
// seconds (marketing/views.py flash_live). No framework; CSP allows same-origin scripts.
(function () {
  "use strict";
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown").forEach(function (el) {
      var starts = Date.parse(el.dataset.starts), ends = Date.parse(el.dataset.ends);
      var target = now < starts ? starts : ends;
      var left = Math.max(0, Math.floor((target - now) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      el.querySelector(".remaining").textContent = pad(h) + ":" + pad(m) + ":" + pad(s);
      if (left === 0 && !el.dataset.reloaded) { el.dataset.reloaded = "1"; setTimeout(function () { location.reload(); }, 1500); }
    });
  }
  function counters() {
    var root = document.querySelector("[data-flash-live]");
    if (!root) { return; }
    fetch(root.dataset.flashLive, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        document.querySelectorAll(".flash-item").forEach(function (el) {
          var v = data.items[el.dataset.item];
          var slot = el.querySelector("[data-left]");
          if (slot) { slot.textContent = (v === undefined || v === null) ? "…" : String(v); }
        });
      })
      .catch(function () { /* the next poll tries again */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick(); counters();
    setInterval(tick, 1000);
    setInterval(counters, 5000);
  });
})();
