/* Chumchon Market search: type-ahead suggestions for the header search box, as an
   ARIA 1.2 combobox with a listbox popup.

   - Suggestions come from GET /search/suggest?q=… (JSON), fetched after a short pause
     in typing; a newer request cancels the older one, and answers are cached.
   - Keyboard: ArrowDown/ArrowUp move through the list, Enter opens the highlighted
     suggestion (or submits the typed text when none is highlighted), Escape closes the
     list (a second Escape clears the box), Tab leaves it. Mouse and touch work too.
   - Everything is text (textContent): nothing from the server is parsed as HTML.
   - Without JavaScript the box is a plain search form.
   Also keeps the filter panel of the results page open on wide screens. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 120;
  var MIN_CHARS = 1;
  var MAX_CACHE = 50;
  var COMBINING_THAI = /^[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]/;
  var counter = 0;

  function suggestUrl(form) {
    var action = form.getAttribute("action") || "/search";
    return action.replace(/\/+$/, "") + "/suggest";
  }

  function Combobox(input) {
    this.input = input;
    this.form = input.form;
    this.url = suggestUrl(this.form);
    this.items = [];
    this.active = -1;
    this.timer = null;
    this.controller = null;
    this.cache = new Map();
    this.lastQuery = null;
    counter += 1;
    var id = "search-suggest-" + counter;

    this.list = document.createElement("ul");
    this.list.id = id;
    this.list.className = "search-suggest";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", input.getAttribute("data-suggest-label") ||
      (document.documentElement.lang === "en" ? "Search suggestions" : "คำค้นแนะนำ"));
    this.list.hidden = true;

    this.status = document.createElement("div");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");

    var wrap = document.createElement("div");
    wrap.className = "search-suggest-anchor";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(this.list);
    wrap.appendChild(this.status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    input.setAttribute("autocomplete", "off");

    input.addEventListener("input", this.onInput.bind(this));
    input.addEventListener("keydown", this.onKeydown.bind(this));
    input.addEventListener("blur", this.onBlur.bind(this));
    input.addEventListener("focus", this.onFocus.bind(this));
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", this.onClick.bind(this));
  }

  Combobox.prototype.onInput = function () {
    var self = this;
    clearTimeout(this.timer);
    var q = this.input.value;
    if (q.trim().length < MIN_CHARS) {
      this.close();
      return;
    }
    this.timer = setTimeout(function () { self.fetch(q); }, DEBOUNCE_MS);
  };

  Combobox.prototype.onFocus = function () {
    if (this.items.length && this.input.value === this.lastQuery) this.open();
  };

  Combobox.prototype.onBlur = function () {
    var self = this;
    // Let a click on an option land first.
    setTimeout(function () { self.close(); }, 150);
  };

  Combobox.prototype.fetch = function (q) {
    var self = this;
    if (this.cache.has(q)) {
      this.render(q, this.cache.get(q));
      return;
    }
    if (this.controller) this.controller.abort();
    this.controller = typeof AbortController === "function" ? new AbortController() : null;
    var url = this.url + "?q=" + encodeURIComponent(q);
    window.fetch(url, {
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
      signal: this.controller ? this.controller.signal : undefined
    }).then(function (response) {
      if (!response.ok) throw new Error("suggest " + response.status);
      return response.json();
    }).then(function (data) {
      var items = (data && data.suggestions) || [];
      if (self.cache.size >= MAX_CACHE) self.cache.delete(self.cache.keys().next().value);
      self.cache.set(q, items);
      if (self.input.value === q) self.render(q, items);
    }).catch(function () { /* aborted or offline: keep the plain search box */ });
  };

  Combobox.prototype.render = function (q, items) {
    var self = this;
    this.lastQuery = q;
    this.items = items;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    while (this.list.firstChild) this.list.removeChild(this.list.firstChild);
    if (!items.length) {
      this.close();
      this.status.textContent = "";
      return;
    }
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = self.list.id + "-" + i;
      li.className = "search-suggest-option search-suggest-option--" + (item.kind === "product" ? "product" : "query");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-url", item.url);
      var text = item.text || "";
      var typed = q.trim();
      var label = document.createElement("span");
      label.className = "search-suggest-text";
      var tailText = text.slice(typed.length);
      // Bold the completed part, unless that would split a Thai vowel or tone mark
      // from its consonant.
      if (item.kind !== "product" && typed && text.toLowerCase().indexOf(typed.toLowerCase()) === 0 &&
          tailText && !COMBINING_THAI.test(tailText)) {
        label.appendChild(document.createTextNode(text.slice(0, typed.length)));
        var tail = document.createElement("strong");
        tail.textContent = tailText;
        label.appendChild(tail);
      } else {
        label.textContent = text;
      }
      li.appendChild(label);
      if (item.kind === "product") {
        var kind = document.createElement("span");
        kind.className = "search-suggest-kind";
        kind.textContent = document.documentElement.lang === "en" ? "Product" : "สินค้า";
        li.appendChild(kind);
      }
      self.list.appendChild(li);
    });
    this.open();
    var lang = document.documentElement.lang;
    this.status.textContent = lang === "en"
      ? items.length + (items.length === 1 ? " suggestion" : " suggestions") + ", use the arrow keys to choose"
      : "มีคำแนะนำ " + items.length + " รายการ ใช้ปุ่มลูกศรเพื่อเลือก";
  };

  Combobox.prototype.open = function () {
    if (!this.items.length) return;
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Combobox.prototype.close = function () {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.setActive(-1);
  };

  Combobox.prototype.isOpen = function () { return !this.list.hidden; };

  Combobox.prototype.setActive = function (index) {
    var options = this.list.querySelectorAll("[role=option]");
    options.forEach(function (option) { option.setAttribute("aria-selected", "false"); });
    this.active = index;
    if (index >= 0 && index < options.length) {
      options[index].setAttribute("aria-selected", "true");
      this.input.setAttribute("aria-activedescendant", options[index].id);
      if (typeof options[index].scrollIntoView === "function") options[index].scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Combobox.prototype.choose = function (index) {
    var item = this.items[index];
    if (!item) return;
    if (item.kind !== "product") this.input.value = item.text;
    this.close();
    window.location.assign(item.url);
  };

  Combobox.prototype.onKeydown = function (event) {
    var count = this.items.length;
    switch (event.key) {
      case "ArrowDown":
        if (!count) return;
        event.preventDefault();
        if (!this.isOpen()) { this.open(); this.setActive(0); return; }
        this.setActive(this.active + 1 >= count ? 0 : this.active + 1);
        break;
      case "ArrowUp":
        if (!count) return;
        event.preventDefault();
        if (!this.isOpen()) { this.open(); this.setActive(count - 1); return; }
        this.setActive(this.active <= 0 ? count - 1 : this.active - 1);
        break;
      case "Enter":
        if (this.isOpen() && this.active >= 0) {
          event.preventDefault();
          this.choose(this.active);
        } else {
          this.close();  // the form submits what was typed
        }
        break;
      case "Escape":
        if (this.isOpen()) {
          event.preventDefault();
          this.close();
        } else if (this.input.value) {
          event.preventDefault();
          this.input.value = "";
          this.items = [];
        }
        break;
      case "Tab":
        this.close();
        break;
      default:
        break;
    }
  };

  Combobox.prototype.onClick = function (event) {
    var option = event.target.closest("[role=option]");
    if (!option) return;
    var options = Array.prototype.slice.call(this.list.querySelectorAll("[role=option]"));
    this.choose(options.indexOf(option));
  };

  function initFilters() {
    var filters = document.getElementById("search-filters");
    if (!filters || typeof window.matchMedia !== "function") return;
    var wide = window.matchMedia("(min-width: 900px)");
    function sync() { if (wide.matches) filters.open = true; }
    sync();
    if (typeof wide.addEventListener === "function") wide.addEventListener("change", sync);
  }

  function init() {
    var inputs = document.querySelectorAll("form.site-search #site-search-q");
    inputs.forEach(function (input) {
      if (input.form && typeof window.fetch === "function") new Combobox(input);
    });
    initFilters();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
