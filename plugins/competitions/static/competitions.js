/* Progressive enhancement for contests and live quizzes: countdowns and short polling.
   Every page works without this file; it only saves pressing "刷新". */
(function () {
  "use strict";

  function countdowns() {
    var nodes = document.querySelectorAll("[data-countdown]");
    if (!nodes.length) { return; }
    var started = Date.now();
    var initial = [];
    nodes.forEach(function (node) { initial.push(parseInt(node.getAttribute("data-countdown"), 10) || 0); });
    function tick() {
      var passed = Math.floor((Date.now() - started) / 1000);
      nodes.forEach(function (node, i) {
        var left = Math.max(initial[i] - passed, 0);
        var minutes = Math.floor(left / 60);
        var seconds = left % 60;
        node.textContent = initial[i] >= 120 ? minutes + ":" + (seconds < 10 ? "0" : "") + seconds : String(left);
      });
    }
    tick();
    window.setInterval(tick, 1000);
  }

  function poll() {
    var box = document.querySelector("[data-poll]");
    if (!box || !window.fetch) { return; }
    var url = box.getAttribute("data-poll");
    var state = box.getAttribute("data-state");
    var index = box.getAttribute("data-index");
    var joined = box.getAttribute("data-participants");
    function check() {
      window.fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var newcomers = joined !== null && String(data.participants) !== joined;
          if (data.state !== state || String(data.index) !== index || newcomers) {
            window.location.reload();
            return;
          }
          var count = document.getElementById("answer-count");
          if (count && typeof data.answers === "number") { count.textContent = data.answers; }
        })
        .catch(function () { /* the next poll tries again */ });
    }
    if (state !== "finished") { window.setInterval(check, 2000); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    countdowns();
    poll();
  });
}());
