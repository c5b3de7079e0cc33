/* API tokens page: the Copy button beside a token shown once puts it on the clipboard
   and says so. Without this file the button stays hidden and the token can still be
   selected and copied by hand. */
(function () {
  "use strict";

  function initCopy(button) {
    var field = document.getElementById(button.getAttribute("data-copy-token"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!field) return;

    function say(message) {
      if (status) status.textContent = message || "";
    }

    function copyBySelection() {
      field.focus();
      field.select();
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (error) {
        copied = false;
      }
      say(button.getAttribute(copied ? "data-copied" : "data-copy-failed"));
    }

    button.hidden = false;
    field.addEventListener("focus", function () { field.select(); });
    button.addEventListener("click", function () {
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { say(button.getAttribute("data-copied")); },
          copyBySelection
        );
      } else {
        copyBySelection();
      }
    });
  }

  function init() {
    document.querySelectorAll("[data-copy-token]").forEach(initCopy);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
