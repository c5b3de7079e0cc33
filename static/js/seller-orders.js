/* Seller orders and shipping: small enhancements; every page works without them.
   - shipping option form: show only the fields of the chosen kind;
   - ship form: show the carrier-name field only for "Other carrier";
   - packing slip: a Print button. */
(function () {
  "use strict";

  function initShippingForm(form) {
    var radios = form.querySelectorAll('input[name="kind"]');
    var blocks = form.querySelectorAll("[data-kinds]");
    function update() {
      var chosen = form.querySelector('input[name="kind"]:checked');
      var kind = chosen ? chosen.value : "";
      blocks.forEach(function (block) {
        var kinds = (block.getAttribute("data-kinds") || "").split(" ");
        block.hidden = kind !== "" && kinds.indexOf(kind) === -1;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  function initShipForm(form) {
    var select = form.querySelector('select[name="carrier"]');
    var other = form.querySelector("[data-carrier-other]");
    if (!select || !other) return;
    function update() {
      var hasError = other.querySelector(".has-error");
      other.hidden = select.value !== "other" && !hasError;
    }
    select.addEventListener("change", update);
    update();
  }

  function init() {
    document.querySelectorAll("form[data-shipping-form]").forEach(initShippingForm);
    document.querySelectorAll("form[data-ship-form]").forEach(initShipForm);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
