// Direct uploads. A file chosen in an <input type="file" data-direct-upload="KIND"> goes from
// the browser straight to the media bucket: the site grants a presigned POST (one key, the
// file's type, a size limit, a few minutes), the file is posted to S3 with a progress bar, and
// the form then submits only the key (hidden field named by data-key-field). Without this
// script, or where the site has no bucket, the file is posted with the form as before.
(function () {
  "use strict";

  function megabytes(bytes) {
    return Math.round(bytes / (1024 * 1024)) + " MB";
  }

  function setup(input) {
    var form = input.form;
    var keyField = document.getElementById(input.dataset.keyField);
    // The file's name goes with its key, so a form that comes back with errors can say which
    // upload it kept.
    var nameField = document.getElementById(input.dataset.nameField) || { value: "" };
    var maxBytes = Number(input.dataset.maxBytes);
    var label = form.querySelector('label[for="' + input.id + '"]');
    var progress = document.createElement("progress");
    progress.className = "upload-progress";
    progress.max = 100;
    progress.value = 0;
    progress.hidden = true;
    var name = label ? label.textContent.replace(/:\s*$/, "") : "the file";
    progress.setAttribute("aria-label", "Upload progress of " + name);
    var status = document.createElement("span");
    status.className = "upload-status";
    status.setAttribute("role", "status");
    input.insertAdjacentElement("afterend", status);
    input.insertAdjacentElement("afterend", progress);
    var busy = false;

    function fail(message) {
      busy = false;
      progress.hidden = true;
      keyField.value = "";
      nameField.value = "";
      input.value = "";
      status.textContent = message;
    }

    function send(file, grant) {
      var data = new FormData();
      Object.keys(grant.fields).forEach(function (name) {
        data.append(name, grant.fields[name]);
      });
      data.append("file", file); // S3 reads the fields before the file: it comes last
      var request = new XMLHttpRequest();
      request.open("POST", grant.url);
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          progress.value = Math.floor((event.loaded * 100) / event.total);
          status.textContent = "Uploading " + file.name + ": " + progress.value + " %";
        }
      });
      request.addEventListener("load", function () {
        if (request.status >= 200 && request.status < 300) {
          busy = false;
          keyField.value = grant.key;
          nameField.value = file.name;
          input.value = ""; // the form sends the key, not the file
          progress.value = 100;
          status.textContent = "Uploaded " + file.name + ". Save to attach it.";
        } else {
          fail("The upload was refused (" + request.status + "). Please try again.");
        }
      });
      request.addEventListener("error", function () {
        fail("The upload failed. Check your connection and try again.");
      });
      request.send(data);
    }

    input.addEventListener("change", function () {
      var file = input.files[0];
      if (!file) {
        return;
      }
      if (file.size > maxBytes) {
        fail(file.name + " is too large: the limit is " + megabytes(maxBytes) + ".");
        return;
      }
      busy = true;
      keyField.value = "";
      nameField.value = "";
      progress.hidden = false;
      progress.value = 0;
      status.textContent = "Preparing the upload of " + file.name + "…";
      var body = new FormData();
      body.append("kind", input.dataset.directUpload);
      body.append("content_type", file.type);
      var token = form.querySelector("input[name=csrfmiddlewaretoken]");
      fetch(input.dataset.presignUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (response) {
          return response.json().then(function (grant) {
            if (!response.ok) {
              throw new Error(grant.error || "The upload could not start.");
            }
            send(file, grant);
          });
        })
        .catch(function (error) {
          fail(error.message || "The upload could not start.");
        });
    });

    form.addEventListener("submit", function (event) {
      if (busy) {
        event.preventDefault();
        status.textContent = "Please wait until the upload has finished, then save.";
      }
    });
  }

  document.querySelectorAll("input[type=file][data-direct-upload]").forEach(setup);
})();
