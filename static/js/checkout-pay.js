/* The pay page's card form (templates/orders/checkout_pay.html), on Stripe.js.
 *
 * 1. Stripe's card Element takes the card (it never touches our server).
 * 2. stripe.createToken(card) turns it into a card id; we post that id to the pay page,
 *    which attaches it to the checkout's PaymentIntent and confirms it on the server
 *    (payments.services; the raw request and response are kept for customs).
 * 3. A card that needs 3-D Secure answers "requires_action": stripe.confirmCardPayment(
 *    clientSecret) runs the authentication with the bank.
 * 4. Whatever happened, the done page asks Stripe (payment_sync) and tells the shopper: paid
 *    orders, or the card's reason in their language and a retry.
 *
 * This works with Stripe's own Stripe.js and with localstripe's (tests and the demo), whose
 * confirmCardPayment only runs the 3-D Secure step. */
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form || typeof Stripe !== "function") {
    return;
  }
  var message = document.getElementById("card-errors");
  var button = form.querySelector("button[type=submit]");
  var stripe = Stripe(form.dataset.key);
  var card = stripe.elements({ locale: document.documentElement.lang }).create("card");
  card.mount("#card-element");
  form.classList.add("card-ready");

  function fail(text) {
    message.textContent = text || form.dataset.failed;
    button.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    message.textContent = "";
    stripe
      .createToken(card)
      .then(function (result) {
        if (result.error) {
          throw result.error;
        }
        var body = new FormData(form);
        body.set("payment_method", result.token.card.id);
        return fetch(form.action, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
      })
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        if (answer.status === "requires_action") {
          return stripe.confirmCardPayment(form.dataset.secret);
        }
        return answer;
      })
      .then(function () {
        window.location.assign(form.dataset.returnUrl);
      })
      .catch(function (error) {
        fail(error && error.message);
      });
  });
})();
