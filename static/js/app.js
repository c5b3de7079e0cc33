/* Chumchon Market: small progressive enhancements. Every page works without this file:
   - product gallery: a thumbnail shows its photo in the main frame instead of opening it;
   - sort and filter forms marked data-autosubmit submit when their select changes
     (their button stays for keyboard and no-JS users, but is hidden here);
   - share: the "copy link" button (hidden without this file) copies the page's link;
   - the phone header's search and menu icons (links to #site-search and #site-menu, which
     :target opens without this file) become toggle buttons; the search icon focuses the box;
   - the product page's buy bar shows once the buy form has scrolled out of view. */
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

  function initHeaderToggle(toggle, toggles) {
    var panel = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!panel) return;
    toggle.setAttribute("role", "button");
    // The search results page opens with its box showing (the query stays in sight).
    toggle.setAttribute("aria-expanded", panel.classList.contains("is-open") ? "true" : "false");
    function setOpen(open) {
      panel.classList.toggle("is-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    function activate(event) {
      event.preventDefault();
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggles.forEach(function (other) {
        if (other !== toggle && other.getAttribute("aria-expanded") === "true") other.click();
      });
      setOpen(open);
      if (open) {
        var field = panel.querySelector("input[type=search]");
        if (field) field.focus();
      }
    }
    toggle.addEventListener("click", activate);
    toggle.addEventListener("keydown", function (event) {
      if (event.key === " ") activate(event);
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && panel.classList.contains("header-menu")) {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  function initBuyBar(bar) {
    var form = document.getElementById(bar.getAttribute("data-buy-bar"));
    if (!form || !("IntersectionObserver" in window)) return;
    var past = false;
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        // Shown only once the form has gone up past the top of the screen.
        past = !entry.isIntersecting && entry.boundingClientRect.top < 0;
        bar.hidden = !past;
        document.body.classList.toggle("has-buy-bar", past);
      });
    });
    observer.observe(form);
    // The bar shows the price of the option chosen in the form.
    var price = bar.querySelector("[data-buy-bar-price]");
    form.addEventListener("change", function (event) {
      var chosen = event.target;
      if (price && chosen.name === "variant_id" && chosen.getAttribute("data-price")) {
        price.textContent = chosen.getAttribute("data-price");
      }
    });
  }

  function init() {
    var toggles = Array.prototype.slice.call(document.querySelectorAll("[data-header-toggle]"));
    toggles.forEach(function (toggle) { initHeaderToggle(toggle, toggles); });
    document.querySelectorAll("[data-buy-bar]").forEach(initBuyBar);
    document.querySelectorAll("[data-gallery]").forEach(initGallery);
    document.querySelectorAll("form[data-autosubmit]").forEach(initAutosubmit);
    document.querySelectorAll("[data-copy-link]").forEach(initCopyLink);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
