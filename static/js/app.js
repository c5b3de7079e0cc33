/* Chumchon Market: small progressive enhancements. Every page works without this file:
   - product gallery: a thumbnail shows its photo in the main frame instead of opening it;
   - sort and filter forms marked data-autosubmit submit when their select changes
     (their button stays for keyboard and no-JS users, but is hidden here);
   - share: the "copy link" button (hidden without this file) copies the page's link. */
(function () {
  "use strict";

  function initGallery(gallery) {
    var main = gallery.querySelector("[data-gallery-main]");
    if (!main) return;
    var thumbs = gallery.querySelectorAll("[data-gallery-thumb]");
    thumbs.forEach(function (thumb) {
      thumb.addEventListener("click", function (event) {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button === 1) return;
        event.preventDefault();
        main.src = thumb.getAttribute("href");
        main.srcset = thumb.getAttribute("data-srcset") || "";
        main.alt = thumb.getAttribute("data-alt") || "";
        thumbs.forEach(function (other) { other.removeAttribute("aria-current"); });
        thumb.setAttribute("aria-current", "true");
      });
    });
  }

  function initAutosubmit(form) {
    var select = form.querySelector("select");
    var button = form.querySelector("[data-autosubmit-button]");
    if (!select) return;
    if (button) button.classList.add("visually-hidden");
    select.addEventListener("change", function () {
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.submit();
    });
  }

  function initCopyLink(button) {
    if (!navigator.clipboard || typeof navigator.clipboard.writeText !== "function") return;
    var group = button.closest(".share");
    var status = group ? group.querySelector("[data-copy-status]") : null;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy-link")).then(function () {
        if (status) status.textContent = button.getAttribute("data-copied-text") || "";
        button.classList.add("is-copied");
      });
    });
  }

  function init() {
    document.querySelectorAll("[data-gallery]").forEach(initGallery);
    document.querySelectorAll("form[data-autosubmit]").forEach(initAutosubmit);
    document.querySelectorAll("[data-copy-link]").forEach(initCopyLink);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
