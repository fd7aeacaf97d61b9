// Lesson media: resume where the learner stopped and remember the position while playing.
// The page works without this: the media URL already carries #t=<seconds>.
(function () {
  var media = document.getElementById("lesson-media");
  var form = document.getElementById("position-form");
  if (!media || !form || !media.dataset.positionUrl) return;
  var token = form.querySelector("input[name=csrf_token]").value;
  var last = -1;
  function save() {
    var seconds = Math.floor(media.currentTime || 0);
    if (seconds === last) return;
    last = seconds;
    var body = new URLSearchParams({ csrf_token: token, seconds: String(seconds) });
    fetch(media.dataset.positionUrl, { method: "POST", body: body, credentials: "same-origin" });
  }
  media.addEventListener("pause", save);
  media.addEventListener("ended", save);
  setInterval(function () { if (!media.paused) save(); }, 15000);
})();
