// The image control (cblog/media/widgets.py): the file input becomes a "Change" button, a
// newly chosen file is previewed in place of the current picture (a blob: URL, which the
// Content-Security-Policy allows for images), and choosing a file unticks "Remove".
// Without this script the plain file input and the "Remove" checkbox work as they are.
(function () {
  "use strict";

  function setup(picker) {
    var input = picker.querySelector("input[type=file]");
    var preview = picker.querySelector(".image-picker-preview");
    var change = picker.querySelector(".image-picker-change");
    var chosen = picker.querySelector(".image-picker-chosen");
    var remove = picker.querySelector(".image-picker-remove input");
    var original = { src: preview.getAttribute("src"), hidden: preview.hidden };
    var objectUrl = null;
    picker.classList.add("is-enhanced");
    change.hidden = false;

    function show(src) {
      if (objectUrl) {
        URL.revokeObjectURL(objectUrl);
        objectUrl = null;
      }
      if (src) {
        preview.removeAttribute("srcset");
        preview.src = src;
        preview.hidden = false;
      } else if (original.src) {
        preview.src = original.src;
        preview.hidden = original.hidden;
      } else {
        preview.removeAttribute("src");
        preview.hidden = true;
      }
    }

    input.addEventListener("change", function () {
      var file = input.files[0];
      if (!file) {
        return; // the direct upload empties the input once the file is in the bucket
      }
      show(null);
      objectUrl = URL.createObjectURL(file);
      preview.removeAttribute("srcset");
      preview.src = objectUrl;
      preview.hidden = false;
      chosen.textContent = "Chosen: " + file.name;
      chosen.hidden = false;
      if (remove) {
        remove.checked = false;
        picker.classList.remove("is-removed");
      }
    });

    if (remove) {
      remove.addEventListener("change", function () {
        picker.classList.toggle("is-removed", remove.checked);
        if (remove.checked) {
          // Removing and uploading at once is refused by the form: drop the new file.
          var keyField = document.getElementById(input.dataset.keyField || "");
          if (keyField) {
            keyField.value = "";
          }
          var nameField = document.getElementById(input.dataset.nameField || "");
          if (nameField) {
            nameField.value = "";
          }
          input.value = "";
          show(null);
          chosen.hidden = true;
          chosen.textContent = "";
        }
      });
    }
  }

  document.querySelectorAll("[data-image-picker]").forEach(setup);
})();
