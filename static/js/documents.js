/* The office's progress line on a published issue (#documents-progress): its PDF, Word and Excel files are
 * made after publication by `manage.py render_documents` (cron, every minute), not in the request. While some
 * are missing, ask the line's data-url (bulletins:documents, JSON) and show the server's text, so the office
 * need not refresh the page. Every few seconds at first, then less often; not while the tab is hidden; given
 * up after about 15 minutes (the no-JS hint to refresh the page comes back then).
 */
(function () {
  "use strict";

  var line = document.getElementById("documents-progress");
  if (!line || !line.dataset.url) return;
  var url = line.dataset.url;
  var text = line.querySelector(".documents-progress-text");
  var hint = line.querySelector(".documents-progress-refresh");

  var FIRST_DELAY = 3000;
  var MAX_DELAY = 30000;
  var GIVE_UP_AFTER = 15 * 60 * 1000;
  var started = Date.now();
  var delay = FIRST_DELAY;
  var timer = null;
  var asking = false;
  var finished = false;

  // The page now follows by itself: the no-JS hint goes (and comes back if the script gives up).
  if (hint) hint.remove();

  function stop(showHint) {
    finished = true;
    if (timer !== null) window.clearTimeout(timer);
    timer = null;
    if (showHint && hint) line.appendChild(hint);
  }

  function schedule() {
    if (Date.now() - started > GIVE_UP_AFTER) {
      stop(true);
      return;
    }
    timer = window.setTimeout(ask, delay);
    delay = Math.min(Math.round(delay * 1.5), MAX_DELAY);
  }

  function ask() {
    timer = null;
    // Hidden: ask again when the tab is shown (visibilitychange below), not in the background.
    if (finished || asking || document.hidden) return;
    asking = true;
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        // Signed out (the login page), or the issue gone: only a reload can tell; stop asking.
        if (!response.ok || response.redirected || !json) throw new Error("stop");
        return response.json();
      })
      .then(
        function (data) {
          asking = false;
          text.textContent = data.text;
          if (data.missing.length === 0) {
            line.classList.add("documents-done");
            stop(false);
          } else {
            schedule();
          }
        },
        function (error) {
          asking = false;
          if (error && error.message === "stop") stop(true);
          else schedule(); // the network or the server was away for a moment: try again later
        }
      );
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !finished && !asking && timer === null) ask();
  });

  schedule();
})();
