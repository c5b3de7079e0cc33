/* Checkout: choosing another delivery option recomputes the totals at once (the
   server prices it; the page is sent with the "Update the total" button, so nothing
   typed is lost). Without this file that button does the same. */
(function () {
  "use strict";
  var form = document.querySelector(".checkout-form");
  if (!form) return;
  var update = form.querySelector('button[name="action"][value="update"]');
  if (!update || typeof form.requestSubmit !== "function") return;
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "radio" && input.name.indexOf("shipping_") === 0) {
      form.requestSubmit(update);
    }
  });
})();
