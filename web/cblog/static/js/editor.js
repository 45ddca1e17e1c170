// The editor's publish button follows "Publish at": a future date (UTC, as the server reads
// it) turns "Publish" into "Schedule" and says when; an empty or past date turns it back.
(function () {
  "use strict";

  var field = document.getElementById("id_published_at");
  var button = document.querySelector("[data-publish-button]");
  var note = document.querySelector("[data-schedule-note]");
  if (!field || !button || !note) {
    return;
  }
  var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function update() {
    var when = field.value ? new Date(field.value + "Z") : null; // the server reads UTC
    var later = when && !isNaN(when.getTime()) && when.getTime() > Date.now();
    button.textContent = later ? button.dataset.labelLater : button.dataset.labelNow;
    note.textContent = later
      ? "“Schedule” publishes it on " + months[when.getUTCMonth()] + " " + when.getUTCDate() +
        ", " + when.getUTCFullYear() + ", " + pad(when.getUTCHours()) + ":" +
        pad(when.getUTCMinutes()) + " UTC."
      : "";
  }

  field.addEventListener("input", update);
  field.addEventListener("change", update);
})();
