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

// The body's "Write" and "Preview" tabs: the preview is rendered by the site (the same
// sanitising pipeline as a saved post) each time the tab is opened.
(function () {
  "use strict";

  var body = document.getElementById("id_body");
  var form = body && body.form;
  var url = form && form.dataset.previewUrl;
  if (!url) {
    return;
  }

  function tab(name, id, panelId) {
    var button = document.createElement("button");
    button.type = "button";
    button.id = id;
    button.className = "editor-tab";
    button.setAttribute("role", "tab");
    button.setAttribute("aria-controls", panelId);
    button.textContent = name;
    return button;
  }

  function panel(id, tabId) {
    var element = document.createElement("div");
    element.id = id;
    element.setAttribute("role", "tabpanel");
    element.setAttribute("aria-labelledby", tabId);
    return element;
  }

  var tabs = document.createElement("div");
  tabs.className = "editor-tabs";
  tabs.setAttribute("role", "tablist");
  tabs.setAttribute("aria-label", "Write or preview");
  var write = tab("Write", "body-tab-write", "body-panel-write");
  var show = tab("Preview", "body-tab-preview", "body-panel-preview");
  tabs.append(write, show);
  var writing = panel("body-panel-write", write.id);
  var preview = panel("body-panel-preview", show.id);
  preview.className = "post-body editor-preview";
  preview.tabIndex = 0;
  preview.setAttribute("aria-live", "polite");
  body.insertAdjacentElement("beforebegin", tabs);
  tabs.insertAdjacentElement("afterend", writing);
  writing.appendChild(body);
  writing.insertAdjacentElement("afterend", preview);
  var request = 0;

  function render() {
    var mine = ++request;
    preview.textContent = "Rendering the preview…";
    var data = new FormData();
    data.append("body", body.value);
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) {
            throw new Error(answer.error || "The preview failed.");
          }
          return answer.html;
        });
      })
      .then(function (html) {
        if (mine === request) {
          // Sanitised by the server with the allow-list that saved posts go through.
          preview.innerHTML = html.trim() ? html : "<p>Nothing to preview yet.</p>";
        }
      })
      .catch(function (error) {
        if (mine === request) {
          preview.textContent = error.message || "The preview failed. Try again.";
        }
      });
  }

  function select(chosen, focus) {
    var previewing = chosen === show;
    [write, show].forEach(function (button) {
      var selected = button === chosen;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
    });
    writing.hidden = previewing;
    preview.hidden = !previewing;
    if (focus) {
      chosen.focus();
    }
    if (previewing) {
      render();
    }
  }

  write.addEventListener("click", function () {
    select(write, false);
  });
  show.addEventListener("click", function () {
    select(show, false);
  });
  tabs.addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      event.preventDefault();
      select(document.activeElement === write ? show : write, true);
    }
  });
  select(write, false);
})();
